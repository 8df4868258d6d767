from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "courriel"
    PHONE = "phone", "téléphone"
    LETTER = "letter", "courrier postal"
    MEETING = "meeting", "rendez-vous"


class InteractionKind(models.TextChoices):
    MEETING = "meeting", "rendez-vous"
    CALL = "call", "appel téléphonique"
    LETTER = "letter", "courrier"
    EMAIL = "email", "courriel"
    EVENT = "event", "participation à un événement"
    PUBLICATION = "publication", "publication remise"
    SURVEY = "survey", "réponse à une enquête"


class Source(models.TextChoices):
    MANUAL = "manual", "saisie"
    CAMPAIGN = "campaign", "campagne"
    EVENT = "event", "événement"
    SURVEY = "survey", "enquête"
    PUBLICATION = "publication", "publication"
