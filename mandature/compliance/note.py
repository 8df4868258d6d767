"""The printable note « Règles et précautions de communication en période électorale » (PDF),
generated from the rule table and the calendar, dated."""

import json
from datetime import date
from pathlib import Path

from mandature.core.french import long_date
from mandature.core.typst_compiler import compiler

from .rules import RULES, windows_for
from .territory import parse_territory

TEMPLATE = Path(__file__).parent / "typst" / "note.typ"
TITLE = "Règles et précautions de communication en période électorale"
INTRO = (
    "Les organismes Hlm sont proches des collectivités : un OPH est un établissement public "
    "local rattaché à une commune, un EPCI ou un département, et tous parlent aux élus, dont "
    "certains sont candidats. Une campagne ou un événement au mauvais moment, un service "
    "gratuit à un candidat peuvent enfreindre le Code électoral et conduire à l'annulation "
    "d'une élection. Chaque communication envoyée ou organisée avec Mandature est vérifiée au "
    "regard de ces règles."
)


def _where(election) -> str:
    if election.national:
        return "toute la France"
    parts = [r.name for r in election.regions.all()]
    departements = sorted(d.pk for d in election.departements.all())
    if departements:
        parts.append(f"{len(departements)} départements")
    parts += [c.name for c in election.communes.all()]
    return ", ".join(parts)


def provisional_label(label: str) -> str:
    """« Législatives 2029 (au plus tard, date provisoire) »: one parenthesis, never two."""
    if label.endswith(")"):
        return f"{label[:-1]}, date provisoire)"
    return f"{label} (date provisoire)"


def note_data(elections, today: date) -> dict:
    france = parse_territory("france")
    return {
        "title": TITLE,
        "date": long_date(today),
        "intro": INTRO,
        "elections": [
            {
                "label": provisional_label(e.label) if e.provisional else e.label,
                "rounds": " et ".join(long_date(d) for d in e.rounds),
                "where": _where(e),
            }
            for e in elections
            if e.decisive_round >= today
        ],
        "rules": [
            {
                "key": r.key,
                "title": r.title,
                "summary": r.summary,
                "window": r.window_text,
                "instead": r.instead,
                "basis": r.basis,
            }
            for r in RULES
        ],
        "windows": [
            {
                "rule": rule.key,
                "election": str(election),
                "start": long_date(start),
                "end": long_date(end),
            }
            for election, rule, start, end in windows_for(france, elections, today)[:60]
        ],
        "sources": [
            "Code électoral, articles L.48-2, L.49, L.51, L.52-1, L.52-8, L.90-1, R.27 "
            "(Légifrance).",
            "Loi n° 62-1292 du 6 novembre 1962 relative à l'élection du Président de la "
            "République, article 3.",
            "Circulaire USH n° 03/14 sur les élections municipales (« dispositif » du Mouvement).",
            "Calendrier : décret n° 2025-848 pour les municipales de 2026 ; les autres dates "
            "sont provisoires tant qu'un décret ne les a pas fixées.",
        ],
    }


def note_pdf(elections, today: date) -> bytes:
    data = note_data(elections, today)
    return compiler(TEMPLATE).compile(sys_inputs={"data": json.dumps(data, ensure_ascii=False)})
