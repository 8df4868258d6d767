"""The chart of a question's answers: horizontal bars, share of the respondents (SVG)."""

from html import escape

from mandature.briefs.charts import ACCENT, FONT, GRID, INK, MUTED, _svg


def bars(ident: str, title: str, rows: list[tuple[str, float | None]]) -> str:
    """One bar per answer; a hidden figure (too few respondents) is drawn as « — »."""
    width, left, bar, gap, top = 560, 220, 18, 8, 6
    height = top + len(rows) * (bar + gap) + 22
    plot = width - left - 60
    parts = []
    for tick in (0, 25, 50, 75, 100):
        x = left + plot * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 2}" x2="{x:.1f}" y2="{height - 18}" '
            f'stroke="{GRID}" stroke-width="1"/><text x="{x:.1f}" y="{height - 5}" '
            f'font-size="10" fill="{MUTED}" text-anchor="middle" {FONT}>'
            f"{tick}\u00a0%</text>"
        )
    for index, (label, share) in enumerate(rows):
        y = top + index * (bar + gap)
        short = label if len(label) <= 34 else label[:33] + "…"
        text = "—" if share is None else f"{share:.0f}\u00a0%"
        length = 0 if share is None else plot * share / 100
        parts.append(
            f'<text x="{left - 8}" y="{y + bar * 0.75:.1f}" font-size="11" text-anchor="end" '
            f'fill="{INK}" {FONT}>{escape(short)}</text>'
            f'<rect x="{left}" y="{y}" width="{max(length, 0.5):.1f}" height="{bar}" '
            f'fill="{ACCENT if index == 0 else INK}"/>'
            f'<text x="{left + length + 5:.1f}" y="{y + bar * 0.75:.1f}" font-size="11" '
            f'fill="{INK}" {FONT}>{text}</text>'
        )
    desc = "; ".join(f"{label} : {'—' if s is None else f'{s:.0f} %'}" for label, s in rows)
    return _svg(ident, width, height, title, desc, "".join(parts))
