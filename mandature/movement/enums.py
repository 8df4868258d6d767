from django.db import models


class OrganisationKind(models.TextChoices):
    UNION = "union", "union nationale"
    FEDERATION = "federation", "fédération"
    REGIONAL = "association", "association régionale"
    ORGANISM = "organisme", "organisme Hlm"


class Family(models.TextChoices):
    OPH = "OPH", "Office public de l'habitat"
    ESH = "ESH", "Entreprise sociale pour l'habitat"
    COOP = "COOP", "Coopérative Hlm"
    SACICAP = "SACICAP", "SACICAP (PROCIVIS)"


class Role(models.TextChoices):
    ADMIN = "admin", "administrateur national"
    CHARGE = "charge", "chargé de mission"
    ORGANISM = "organisme", "collaborateur d'organisme"
    READER = "lecture", "lecture seule"
