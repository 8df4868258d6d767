"""The seeded example: a survey of mayors on their perception of social housing (written for
Mandature after the 2014 dispositif's survey of candidates and mayors), ready to copy."""

from .models import Question, Survey

EXAMPLE_TITLE = "Les maires et le logement social (modèle)"
EXAMPLE_INTRO = (
    "Le Mouvement Hlm souhaite connaître votre regard sur le logement social dans votre commune "
    "au début de votre mandat. Le questionnaire prend une dizaine de minutes ; vous pouvez "
    "l'interrompre et le reprendre avec le même lien. Les résultats ne sont publiés que par "
    "groupes d'au moins cinq répondants."
)
AGREE = ["Tout à fait d'accord", "Plutôt d'accord", "Plutôt pas d'accord", "Pas du tout d'accord"]

# key, page, kind, label, required, choices / items, condition (key, values)
QUESTIONS = [
    (
        "q1",
        1,
        "single",
        "Avez-vous déjà exercé un mandat de maire avant mars 2026 ?",
        True,
        ["Oui", "Non"],
        None,
    ),
    (
        "q2",
        1,
        "scale10",
        "Quelle importance donnez-vous au logement dans les priorités de votre "
        "mandat ? (1 : aucune, 10 : la première)",
        True,
        [],
        None,
    ),
    (
        "q3",
        1,
        "single",
        "Diriez-vous que l'offre de logements sociaux de votre commune est…",
        True,
        [
            "Très insuffisante",
            "Plutôt insuffisante",
            "Suffisante",
            "Trop importante",
            "Je ne sais pas",
        ],
        None,
    ),
    (
        "q4",
        1,
        "number",
        "Combien de demandes de logement social estimez-vous en attente dans votre commune ?",
        False,
        [],
        None,
    ),
    (
        "q5",
        2,
        "multiple",
        "Quels publics ont le plus de mal à se loger dans votre commune ?",
        False,
        [
            "Les jeunes",
            "Les familles",
            "Les personnes âgées",
            "Les personnes handicapées",
            "Les salariés modestes",
            "Les personnes en situation de précarité",
        ],
        None,
    ),
    (
        "q6",
        2,
        "matrix",
        "Quelle image avez-vous des logements sociaux de votre commune ? "
        "(1 : très mauvaise, 5 : très bonne)",
        True,
        [
            "La qualité des logements",
            "L'entretien des immeubles",
            "La qualité de vie des quartiers",
            "La mixité sociale",
            "Les performances énergétiques",
        ],
        None,
    ),
    (
        "q7",
        2,
        "single",
        "« Le logement social contribue à l'attractivité de ma commune. »",
        True,
        AGREE,
        None,
    ),
    (
        "q8",
        2,
        "single",
        "Votre commune a-t-elle un ou plusieurs programmes de logements sociaux "
        "en projet pendant votre mandat ?",
        True,
        ["Oui", "Non", "Je ne sais pas encore"],
        None,
    ),
    (
        "q9",
        3,
        "multiple",
        "Qu'est-ce qui freine ces projets ?",
        False,
        [
            "Le prix du foncier",
            "L'opposition des riverains",
            "Les règles d'urbanisme",
            "Le financement",
            "Le manque d'opérateurs",
            "Les délais",
        ],
        ("q8", ["Oui"]),
    ),
    (
        "q10",
        3,
        "single",
        "Pourquoi n'y a-t-il pas de projet ?",
        False,
        [
            "Pas de besoin",
            "Pas de terrain disponible",
            "Un choix politique",
            "Pas d'opérateur intéressé",
            "Autre raison",
        ],
        ("q8", ["Non"]),
    ),
    (
        "q11",
        3,
        "scale5",
        "Comment jugez-vous vos relations avec les organismes Hlm présents sur "
        "votre commune ? (1 : très mauvaises, 5 : excellentes)",
        False,
        [],
        None,
    ),
    (
        "q12",
        3,
        "single",
        "Connaissez-vous les obligations de votre commune au titre de la loi SRU (article 55) ?",
        True,
        ["Oui, précisément", "Dans les grandes lignes", "Non", "La commune n'est pas concernée"],
        None,
    ),
    (
        "q13",
        4,
        "multiple",
        "Sur quels sujets aimeriez-vous être accompagné par le Mouvement Hlm ?",
        False,
        [
            "Les attributions de logements",
            "La garantie des emprunts",
            "La rénovation énergétique",
            "L'accession sociale à la propriété",
            "Le programme local de l'habitat",
            "La loi SRU",
        ],
        None,
    ),
    (
        "q14",
        4,
        "single",
        "Souhaitez-vous rencontrer l'association régionale Hlm de votre région ?",
        True,
        ["Oui, rapidement", "Oui, dans l'année", "Non, pas pour l'instant"],
        None,
    ),
    (
        "q15",
        4,
        "text",
        "Un message, une attente, une suggestion pour les organismes Hlm ?",
        False,
        [],
        None,
    ),
]


def seed_example_survey() -> bool:
    """Create the example once (never touched again: copies are what users edit)."""
    if Survey.objects.filter(is_example=True).exists():
        return False
    survey = Survey.objects.create(title=EXAMPLE_TITLE, intro=EXAMPLE_INTRO, is_example=True)
    for position, (key, page, kind, label, required, options, condition) in enumerate(
        QUESTIONS, start=1
    ):
        Question.objects.create(
            survey=survey,
            key=key,
            page=page,
            position=position,
            kind=kind,
            label=label,
            required=required,
            choices=options if kind in ("single", "multiple") else [],
            items=options if kind == "matrix" else [],
            condition_key=condition[0] if condition else "",
            condition_values=condition[1] if condition else [],
        )
    return True
