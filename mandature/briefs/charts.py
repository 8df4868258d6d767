"""Vector charts of the brief (SVG), the same in the web page and in the PDF."""

from functools import lru_cache
from html import escape

from mandature.core.french import number, percent

FONT = "font-family=\"'Libertinus Sans', 'DejaVu Sans', Arial, sans-serif\""
INK, ACCENT, MUTED, GRID = "#1b1b35", "#b3261e", "#5a6478", "#d5d9e0"


def _svg(ident: str, width: int, height: int, title: str, desc: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{ident}-t {ident}-d">'
        f'<title id="{ident}-t">{escape(title)}</title>'
        f'<desc id="{ident}-d">{escape(desc)}</desc>{body}</svg>'
    )


def comparison_chart(rows: list[tuple[str, object]], highlight: int = 0) -> str:
    """Horizontal bars: the social-housing rate of the commune and of its territories."""
    known = [(label, rate) for label, rate in rows if rate is not None]
    if not known:
        return ""
    width, left, bar, gap = 520, 190, 22, 10
    top = 8
    height = top + len(known) * (bar + gap) + 24
    scale_max = max(30.0, float(max(rate for _, rate in known)) * 1.15)
    plot = width - left - 60
    parts = []
    for tick in range(0, int(scale_max) + 1, 10):
        x = left + plot * tick / scale_max
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 20}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{x:.1f}" y="{height - 6}" font-size="11" fill="{MUTED}" '
            f'text-anchor="middle" {FONT}>{tick}\u00a0%</text>'
        )
    for index, (label, rate) in enumerate(known):
        y = top + index * (bar + gap)
        length = plot * float(rate) / scale_max
        color = ACCENT if index == highlight else INK
        weight = "bold" if index == highlight else "normal"
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(
            f'<text x="{left - 8}" y="{y + bar * 0.7:.1f}" font-size="12" text-anchor="end" '
            f'font-weight="{weight}" fill="{INK}" {FONT}>{escape(short)}</text>'
            f'<rect x="{left}" y="{y}" width="{max(length, 1):.1f}" height="{bar}" fill="{color}"/>'
            f'<text x="{left + length + 6:.1f}" y="{y + bar * 0.7:.1f}" font-size="12" '
            f'font-weight="{weight}" fill="{INK}" {FONT}>{percent(rate)}</text>'
        )
    desc = "; ".join(f"{label} : {percent(rate)}" for label, rate in known)
    return _svg(
        "comparaison",
        width,
        height,
        "Taux de logements sociaux estimé, comparaison",
        desc,
        "".join(parts),
    )


def evolution_chart(years: list[tuple[int, int | None, object]]) -> str:
    """Vertical bars: social homes of the commune each year, with the rate above."""
    known = [(year, units, rate) for year, units, rate in years if units is not None]
    if not known:
        return ""
    width, height, bottom, top = 520, 190, 160, 24
    slot = (width - 40) / len(known)
    bar = min(70, slot * 0.5)
    peak = max(units for _, units, _ in known) or 1
    parts = [f'<line x1="20" y1="{bottom}" x2="{width - 20}" y2="{bottom}" stroke="{MUTED}"/>']
    for index, (year, units, rate) in enumerate(known):
        x = 20 + slot * index + (slot - bar) / 2
        h = (bottom - top - 28) * units / peak
        label = number(units) + (f" ({percent(rate)})" if rate is not None else "")
        parts.append(
            f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{bar:.1f}" height="{max(h, 1):.1f}" '
            f'fill="{INK}"/>'
            f'<text x="{x + bar / 2:.1f}" y="{bottom - h - 6:.1f}" font-size="12" '
            f'text-anchor="middle" fill="{INK}" {FONT}>{escape(label)}</text>'
            f'<text x="{x + bar / 2:.1f}" y="{bottom + 18}" font-size="12" text-anchor="middle" '
            f'fill="{MUTED}" {FONT}>{year}</text>'
        )
    desc = "; ".join(
        f"{year} : {number(units)} logements sociaux"
        + (f", taux estimé {percent(rate)}" if rate is not None else "")
        for year, units, rate in known
    )
    return _svg(
        "evolution",
        width,
        height,
        "Logements sociaux de la commune par année",
        desc,
        "".join(parts),
    )


STAGES = (
    ("1", "Foncier", ("la commune repère", "ou cède un terrain")),
    ("2", "Urbanisme", ("PLU, permis", "de construire")),
    ("3", "Financement", ("agrément de l'État,", "prêts garantis")),
    ("4", "Chantier", ("18 à 24 mois", "de travaux")),
    ("5", "Attributions", ("CALEOL,", "réservataires")),
    ("6", "Vie du quartier", ("gestion, entretien,", "concertation")),
)


@lru_cache(maxsize=1)
def stages_diagram() -> str:
    """The stages of an Hlm project, from land to tenants moving in (two rows of three)."""
    width, box_w, box_h = 520, 150, 70
    parts = [
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{MUTED}"/></marker>'
        "</defs>"
    ]
    positions = []
    for index in range(len(STAGES)):
        row, col = divmod(index, 3)
        col = col if row == 0 else 2 - col  # the second row runs back, right to left
        positions.append((10 + col * (box_w + 25), 10 + row * (box_h + 34)))
    for index, ((number_, title, text), (x, y)) in enumerate(zip(STAGES, positions, strict=True)):
        parts.append(
            f'<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="8" fill="#f3f4f8" '
            f'stroke="{INK}"/>'
            f'<text x="{x + 10}" y="{y + 22}" font-size="13" font-weight="bold" fill="{ACCENT}" '
            f"{FONT}>{number_}. {escape(title)}</text>"
            f'<text x="{x + 10}" y="{y + 42}" font-size="10.5" fill="{INK}" {FONT}>'
            f"{escape(text[0])}</text>"
            f'<text x="{x + 10}" y="{y + 57}" font-size="10.5" fill="{INK}" {FONT}>'
            f"{escape(text[1])}</text>"
        )
        if index + 1 < len(positions):
            nx, ny = positions[index + 1]
            if ny == y:
                x1, x2 = (x + box_w, nx) if nx > x else (x, nx + box_w)
                parts.append(
                    f'<line x1="{x1 + 2}" y1="{y + box_h / 2}" x2="{x2 - 2}" '
                    f'y2="{y + box_h / 2}" stroke="{MUTED}" stroke-width="2" '
                    'marker-end="url(#arrow)"/>'
                )
            else:
                middle = x + box_w / 2
                parts.append(
                    f'<line x1="{middle}" y1="{y + box_h + 2}" x2="{middle}" '
                    f'y2="{ny - 2}" stroke="{MUTED}" stroke-width="2" '
                    'marker-end="url(#arrow)"/>'
                )
    desc = " ; puis ".join(f"{n}. {t} ({' '.join(d)})" for n, t, d in STAGES)
    return _svg("etapes", width, 2 * box_h + 54, "Les étapes d'un projet Hlm", desc, "".join(parts))
