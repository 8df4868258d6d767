"""The election calendar known on 24 November 2026. Dates not fixed by a décret are provisional
(and flagged so); national administrators correct them in the administration. Run by
`load-data`; idempotent, never overwrites an edited election."""

from datetime import date

from mandature.territories.models import Departement

from .enums import ElectionKind
from .models import Election

E = ElectionKind
CALENDAR = [
    # kind, label, first round, second round, provisional, decree, notes
    (
        E.MUNICIPALES,
        "Municipales et communautaires 2026",
        date(2026, 3, 15),
        date(2026, 3, 22),
        False,
        "décret n° 2025-848",
        "",
    ),
    (
        E.SENATORIALES,
        "Sénatoriales 2026 (série 2)",
        date(2026, 9, 27),
        None,
        True,
        "",
        "Série 2 : départements 01 à 36 et 67 à 90 (sauf Paris, Seine-et-Marne, Yvelines), "
        "Guyane (liste à vérifier au décret de convocation). Élection indirecte : les grands "
        "électeurs sont des élus.",
    ),
    (E.PRESIDENTIELLE, "Présidentielle 2027", date(2027, 4, 11), date(2027, 4, 25), True, "", ""),
    (
        E.DEPARTEMENTALES,
        "Départementales 2028",
        date(2028, 3, 12),
        date(2028, 3, 19),
        True,
        "",
        "Date de mars 2028 à confirmer par décret.",
    ),
    (
        E.REGIONALES,
        "Régionales 2028",
        date(2028, 3, 12),
        date(2028, 3, 19),
        True,
        "",
        "Date de mars 2028 à confirmer par décret.",
    ),
    (
        E.EUROPEENNES,
        "Européennes 2029",
        date(2029, 5, 27),
        None,
        True,
        "",
        "Date indicative : le Conseil de l'Union fixe la période du scrutin.",
    ),
    (
        E.LEGISLATIVES,
        "Législatives 2029 (au plus tard)",
        date(2029, 6, 10),
        date(2029, 6, 17),
        True,
        "",
        "Au plus tard à l'échéance du mandat de l'Assemblée élue en juillet 2024, "
        "plus tôt en cas de dissolution.",
    ),
    (
        E.MUNICIPALES,
        "Municipales et communautaires 2032",
        date(2032, 3, 14),
        date(2032, 3, 21),
        True,
        "",
        "",
    ),
]
SENATORIAL_SERIES_2 = (
    [f"{n:02d}" for n in range(1, 37) if n != 20]
    + ["2A", "2B"]
    + [str(n) for n in range(67, 91) if n not in (75, 77, 78)]
    + ["973"]
)


def seed_elections() -> int:
    created = 0
    for kind, label, first, second, provisional, decree, notes in CALENDAR:
        election, new = Election.objects.get_or_create(
            kind=kind,
            first_round=first,
            defaults={
                "label": label,
                "second_round": second,
                "provisional": provisional,
                "decree": decree,
                "notes": notes,
            },
        )
        if new and kind == E.SENATORIALES:
            election.national = False
            election.save(update_fields=["national"])
            election.departements.set(
                Departement.objects.filter(pk__in=SENATORIAL_SERIES_2).values_list("pk", flat=True)
            )
        created += new
    return created
