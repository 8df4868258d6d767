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


# Population bands of communes (segments of campaigns, results of surveys): value → (label,
# lowest, highest or None)
BANDS = {
    "moins-de-1000": ("moins de 1 000 habitants", 0, 999),
    "1000-3499": ("de 1 000 à 3 499 habitants", 1000, 3499),
    "3500-9999": ("de 3 500 à 9 999 habitants", 3500, 9999),
    "10000-49999": ("de 10 000 à 49 999 habitants", 10000, 49999),
    "50000-et-plus": ("50 000 habitants et plus", 50000, None),
}
