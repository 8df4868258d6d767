"""The dashboards' charts (SVG, downloadable as they are)."""

from html import escape

from mandature.briefs.charts import FONT, GRID, INK, MUTED, _svg
from mandature.core.french import number
from mandature.surveys.charts import bars

from .metrics import COLOURS, METRICS, Dashboard


def over_time(board: Dashboard) -> str:
    """Cumulative number of new mayors reached, one line per action, week by week."""
    width, height, left, right, top, bottom = 720, 320, 56, 210, 16, 42
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([board.total.total, 1])
    steps = max(len(board.weeks) - 1, 1)
    parts = []
    for i in range(5):
        value = peak * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            f'stroke="{GRID}"/><text x="{left - 6}" y="{y + 4:.1f}" font-size="10" '
            f'text-anchor="end" fill="{MUTED}" {FONT}>{number(round(value))}</text>'
        )
    labelled = sorted({0, steps // 3, 2 * steps // 3, steps})
    for index in labelled:
        if index < len(board.weeks):
            x = left + plot_w * index / steps
            day = board.weeks[index]
            parts.append(
                f'<text x="{x:.1f}" y="{height - bottom + 16}" font-size="10" '
                f'text-anchor="middle" fill="{MUTED}" {FONT}>{day:%d/%m/%Y}</text>'
            )
    desc = []
    for (key, label), colour in zip(METRICS, COLOURS, strict=True):
        values = board.series[key]
        points = " ".join(
            f"{left + plot_w * i / steps:.1f},{top + plot_h - plot_h * v / peak:.1f}"
            for i, v in enumerate(values)
        )
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
        )
        desc.append(f"{label} : {number(values[-1] if values else 0)}")
    for index, ((_key, label), colour) in enumerate(zip(METRICS, COLOURS, strict=True)):
        y = top + 10 + index * 20
        parts.append(
            f'<rect x="{width - right + 14}" y="{y - 8}" width="12" height="4" '
            f'fill="{colour}"/><text x="{width - right + 32}" y="{y - 3}" font-size="11" '
            f'fill="{INK}" {FONT}>{escape(label)}</text>'
        )
    title = (
        f"Nouveaux maires atteints depuis le {board.start:%d/%m/%Y} "
        f"({board.title}, {number(board.total.total)} nouveaux maires)"
    )
    return _svg("evolution", width, height, title, "; ".join(desc), "".join(parts))


def by_departement(board: Dashboard, metric: str = "contacted") -> str:
    """Share of the new mayors reached, by département (horizontal bars)."""
    label = dict(METRICS)[metric]
    rows = [(f"{r.code} {r.name} ({r.total})", r.share(metric)) for r in board.departements]
    return bars(f"dep-{metric}", f"Part des nouveaux maires {label}, par département", rows)
