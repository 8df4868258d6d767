from django.db import models


class ElectionKind(models.TextChoices):
    MUNICIPALES = "municipales", "municipales et communautaires"
    DEPARTEMENTALES = "departementales", "départementales"
    REGIONALES = "regionales", "régionales"
    LEGISLATIVES = "legislatives", "législatives"
    SENATORIALES = "senatoriales", "sénatoriales"
    PRESIDENTIELLE = "presidentielle", "présidentielle"
    EUROPEENNES = "europeennes", "européennes"
    PARTIELLE = "partielle", "élection partielle"


class CommunicationKind(models.TextChoices):
    PROMOTION = (
        "promotion",
        "promotion des réalisations ou de la gestion d'une collectivité ou d'un organisme",
    )
    INFORMATION = "information", "information institutionnelle neutre"
    INVITATION = "invitation", "invitation d'élus ou de candidats à un événement"
    PUBLICATION = "publication", "publication"
    PRESS_RELEASE = "press-release", "communiqué de presse"
    ADVANTAGE = "advantage", "service gratuit, salle, repas ou cadeau"
    SURVEY = "survey", "enquête"
    POSTER = "poster", "affiche"


class Audience(models.TextChoices):
    CANDIDATES = "candidates", "candidats"
    ELECTED = "elected", "élus"
    PUBLIC = "public", "grand public"


class Verdict(models.TextChoices):
    ALLOWED = "autorisé", "autorisé"
    CAUTION = "précautions", "précautions"
    FORBIDDEN = "interdit", "interdit"


SEVERITY = {Verdict.ALLOWED: 0, Verdict.CAUTION: 1, Verdict.FORBIDDEN: 2}
