"""The sector's key figures as first seeded: those of the 2020 message to elected officials
(data 2018) and newer ones (end 2022, June 2025). Staff edit them in the admin."""

from decimal import Decimal

SEED_2018 = "Union sociale pour l'habitat, message aux maires du 30 juin 2020 (données 2018)"
USH = "Union sociale pour l'habitat, chiffres clés du logement social"
FIGURES = [
    # label, value, unit, year, as_of, source, order, on the brief
    ("Organismes Hlm", "566", "", 2022, "fin 2022", USH, 1, True),
    (
        "Logements locatifs sociaux gérés par les organismes Hlm",
        "4.8",
        "millions",
        2022,
        "fin 2022",
        USH,
        2,
        True,
    ),
    ("Places en logements-foyers", "0.37", "million", 2022, "fin 2022", USH, 3, True),
    ("Personnes logées dans le parc Hlm", "10.2", "millions", 2022, "fin 2022", USH, 4, True),
    (
        "Ménages en attente d'un logement social",
        "2.87",
        "millions",
        2025,
        "fin juin 2025",
        "Union sociale pour l'habitat, d'après le système national d'enregistrement de la demande",
        5,
        True,
    ),
    (
        "Logements neufs et logements-foyers mis en chantier",
        "80000",
        "",
        2018,
        "2018",
        SEED_2018,
        1,
        False,
    ),
    ("Logements locatifs détenus et gérés", "4.6", "millions", 2018, "2018", SEED_2018, 2, False),
    ("Logements-foyers", "0.3", "million", 2018, "2018", SEED_2018, 3, False),
    ("Personnes logées", "10", "millions", 2018, "2018", SEED_2018, 4, False),
    ("Logements vendus à des accédants", "14500", "", 2018, "2018", SEED_2018, 5, False),
    ("Administrateurs bénévoles", "12000", "", 2018, "2018", SEED_2018, 6, False),
    ("Salariés des organismes Hlm", "82000", "", 2018, "2018", SEED_2018, 7, False),
]


def seed_key_figures(KeyFigure) -> None:  # a model class, maybe historical
    for label, value, unit, year, as_of, source, order, on_brief in FIGURES:
        KeyFigure.objects.get_or_create(
            label=label,
            year=year,
            defaults={
                "value": Decimal(value),
                "unit": unit,
                "as_of": as_of,
                "source": source,
                "order": order,
                "on_brief": on_brief,
            },
        )
