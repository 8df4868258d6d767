from django.db import models


class Zone(models.TextChoices):
    METRO = "metro", "métropole"
    DROM = "drom", "département ou région d'outre-mer"
    COM = "com", "collectivité d'outre-mer"


class EpciKind(models.TextChoices):
    CC = "CC", "communauté de communes"
    CA = "CA", "communauté d'agglomération"
    CU = "CU", "communauté urbaine"
    METRO = "METRO", "métropole"
    MET69 = "MET69", "Métropole de Lyon"


class AliasKind(models.TextChoices):
    """A name or code that leads to a current commune."""

    DELEGUEE = "deleguee", "commune déléguée"
    ASSOCIEE = "associee", "commune associée"
    ARRONDISSEMENT = "arrondissement", "arrondissement municipal"
    FORMER_CODE = "ancien-code", "ancien code"


class SearchKind(models.TextChoices):
    COMMUNE = "commune", "commune"
    EPCI = "epci", "intercommunalité"
    ALIAS = "alias", "ancienne commune"
