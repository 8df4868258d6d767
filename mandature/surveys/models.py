"""Surveys of candidates and elected officials: questions on pages with display conditions,
frozen once the survey is open (a new version is made instead); respondents reached by a
personal link (one answer each) or by an anonymous public link."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


def default_min_cell() -> int:
    return getattr(settings, "SURVEY_MIN_CELL", 5)


def new_key() -> str:
    return secrets.token_urlsafe(12)


class Survey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "en préparation"
        OPEN = "open", "ouverte"
        CLOSED = "closed", "close"

    title = models.CharField("titre", max_length=200)
    intro = models.TextField("introduction", blank=True)
    organisation = models.ForeignKey(
        "movement.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
    )
    segment = models.ForeignKey(
        "campaigns.Segment",
        verbose_name="public (segment)",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
    )
    anonymous = models.BooleanField(
        "anonyme",
        default=False,
        help_text="Les réponses ne sont pas reliées aux élus (ni export nominatif, ni "
        "historique) ; les croisements restent possibles par territoire et profil.",
    )
    public_link = models.BooleanField(
        "lien public anonyme",
        default=False,
        help_text="Un lien que chacun peut ouvrir (une réponse par visite, sans profil d'élu).",
    )
    closes_at = models.DateTimeField("clôture", null=True, blank=True)
    min_cell = models.PositiveSmallIntegerField(
        "effectif minimal affiché",
        default=default_min_cell,
        help_text="Aucun chiffre n'est montré pour un groupe de moins de répondants.",
    )
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveSmallIntegerField(default=1)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_example = models.BooleanField("modèle", default=False)
    public_key = models.CharField(max_length=24, unique=True, default=new_key)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField("ouverte le", null=True)

    class Meta:
        verbose_name = "enquête"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title if self.version == 1 else f"{self.title} (version {self.version})"

    def get_absolute_url(self) -> str:
        return reverse("web:survey", args=[self.pk])

    @property
    def editable(self) -> bool:
        return self.status == self.Status.DRAFT and not self.is_example


class QuestionKind(models.TextChoices):
    SINGLE = "single", "choix unique"
    MULTIPLE = "multiple", "choix multiples"
    SCALE5 = "scale5", "échelle de 1 à 5"
    SCALE10 = "scale10", "échelle de 1 à 10"
    NUMBER = "number", "nombre"
    TEXT = "text", "texte libre"
    MATRIX = "matrix", "grille (plusieurs éléments sur une échelle de 1 à 5)"


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    key = models.CharField(max_length=12)
    page = models.PositiveSmallIntegerField("page", default=1)
    position = models.PositiveSmallIntegerField("ordre", default=1)
    kind = models.CharField("type", max_length=8, choices=QuestionKind.choices)
    label = models.CharField("question", max_length=400)
    help_text = models.CharField("aide", max_length=300, blank=True)
    required = models.BooleanField("réponse obligatoire", default=False)
    choices = models.JSONField("choix", default=list, blank=True)
    items = models.JSONField("éléments de la grille", default=list, blank=True)
    condition_key = models.CharField("afficher si la question", max_length=12, blank=True)
    condition_values = models.JSONField("a pour réponse", default=list, blank=True)

    class Meta:
        verbose_name = "question"
        ordering = ["page", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["survey", "key"], name="question_key")]

    def __str__(self) -> str:
        return self.label

    @property
    def scale(self) -> list[int]:
        if self.kind == QuestionKind.SCALE10:
            return list(range(1, 11))
        if self.kind in (QuestionKind.SCALE5, QuestionKind.MATRIX):
            return list(range(1, 6))
        return []


class Respondent(models.Model):
    """One person's answers (a personal link), or one visit of the public link. The profile
    used by the cross-tabulations is frozen when the invitation is made."""

    class Source(models.TextChoices):
        INVITATION = "invitation", "lien personnel"
        PUBLIC = "public", "lien public"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="respondents")
    person = models.ForeignKey(
        "officials.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.INVITATION)
    key = models.CharField(max_length=24, unique=True, default=new_key)  # public link's visit
    answers = models.JSONField(default=dict, blank=True)
    page = models.PositiveSmallIntegerField(default=1)  # where to resume
    started_at = models.DateTimeField(null=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True)
    interaction = models.ForeignKey(
        "relations.Interaction", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # profile (cross-tabulations, response rates): kept even for anonymous surveys, never names
    departement = models.CharField(max_length=3, blank=True)
    region = models.CharField(max_length=2, blank=True)
    population_band = models.CharField(max_length=16, blank=True)
    renewal = models.CharField(max_length=10, blank=True)  # nouveau, reelu
    function = models.CharField(max_length=24, blank=True)  # the segment's function
    segment_name = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "répondant"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "person"],
                condition=Q(person__isnull=False),
                name="one_answer_per_person",
            )
        ]
        indexes = [models.Index(fields=["survey", "submitted_at"])]

    def __str__(self) -> str:
        return f"répondant {self.pk}"
