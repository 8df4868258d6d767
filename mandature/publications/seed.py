"""The movement's publications for the 2026 mandate, created by `load-data` (idempotent, never
overwrites an edited one). Their files are put on by staff (« Nouvelle version »)."""

from datetime import date

from .models import Publication, Version

FIRST = [
    (
        "Hlm : les 12 questions que se posent les maires",
        "brochure",
        "Maires et adjoints au logement nouvellement élus",
        "La brochure de l'Union sociale pour l'habitat : le logement social dans la commune, "
        "la loi SRU, les garanties d'emprunt, les attributions, la vente Hlm, "
        "le bail réel solidaire…",
    ),
    (
        "Guide pratique de l'élu local et du logement social",
        "guide",
        "Élus municipaux et intercommunaux",
        "Les outils de la politique locale de l'habitat (PLH, CIL, conventions de réservation) et "
        "les interlocuteurs du Mouvement Hlm sur le territoire.",
    ),
    (
        "Les étapes d'un projet Hlm, du terrain aux locataires",
        "film",
        "Tous les élus",
        "Court film : foncier, permis, financement, chantier, attributions.",
    ),
]


def seed_publications() -> int:
    made = 0
    for title, kind, audience, description in FIRST:
        publication, created = Publication.objects.get_or_create(
            title=title,
            defaults={"kind": kind, "audience": audience, "description": description},
        )
        if created:
            Version.objects.create(
                publication=publication,
                label="édition 2026",
                published_on=date(2026, 3, 30),
                notes="Fichier à déposer par l'équipe (nouvelle version avec le fichier).",
            )
            made += 1
    return made
