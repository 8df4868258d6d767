"""Events and their sessions, the invitations (one per invited person, or per person who
registered through the public form) and the registrations to each session (a seat, a place on
the waiting list, or a 20-minute slot on a stand), with check-in at the door."""

import secrets
from datetime import timedelta
from urllib.parse import quote_plus

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class EventKind(models.TextChoices):
    BREAKFAST = "breakfast", "petit-déjeuner débat"
    PROFESSIONAL_DAY = "day", "journée professionnelle"
    CONGRESS = "congress", "session du Congrès Hlm"
    STAND = "stand", "rendez-vous sur un stand"
    WEBINAR = "webinar", "webinaire"
    OTHER = "other", "autre"


class Event(models.Model):
    title = models.CharField("titre", max_length=200)
    kind = models.CharField("type", max_length=10, choices=EventKind.choices)
    organisation = models.ForeignKey(
        "movement.Organisation",
        verbose_name="organisateur",
        null=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    description = models.TextField("présentation", blank=True)
    venue = models.CharField("lieu", max_length=200, blank=True)
    address = models.TextField("adresse", blank=True)
    commune = models.ForeignKey(
        "territories.Commune",
        verbose_name="commune du lieu",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    online_url = models.URLField("lien de connexion (en ligne)", blank=True)
    segment = models.ForeignKey(
        "campaigns.Segment",
        verbose_name="public invité (segment)",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    registration_opens = models.DateTimeField("ouverture des inscriptions", null=True, blank=True)
    registration_closes = models.DateTimeField("clôture des inscriptions", null=True, blank=True)
    public_registration = models.BooleanField(
        "formulaire d'inscription public",
        default=False,
        help_text="Des personnes hors du segment peuvent demander à s'inscrire ; "
        "leur inscription attend votre accord.",
    )
    # Custom questions: [{"key": "q1", "label": "…", "choices": ["…"], "required": bool}]
    questions = models.JSONField("questions", default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "événement"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("web:event", args=[self.pk])

    @property
    def map_url(self) -> str:
        """A map of the place (OpenStreetMap's search), when it has an address."""
        text = " ".join(self.address.split())
        if not text:
            return ""
        return f"https://www.openstreetmap.org/search?query={quote_plus(text)}"


class Session(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField("intitulé", max_length=200)
    starts_at = models.DateTimeField("début")
    ends_at = models.DateTimeField("fin")
    capacity = models.PositiveIntegerField(
        "places", null=True, blank=True, help_text="Vide : sans limite."
    )
    slot_minutes = models.PositiveSmallIntegerField(
        "créneaux de rendez-vous (minutes)",
        default=0,
        help_text="0 : une séance ; 20 : des rendez-vous de 20 minutes, un par créneau.",
    )

    class Meta:
        verbose_name = "séance"
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def has_slots(self) -> bool:
        return self.slot_minutes > 0

    def slots(self) -> list:
        if not self.has_slots:
            return []
        step, at, found = timedelta(minutes=self.slot_minutes), self.starts_at, []
        while at + step <= self.ends_at:
            found.append(at)
            at += step
        return found


class Invitation(models.Model):
    """One person's answer to an event: invited through a campaign (a personal signed link),
    or registered through the public form (then approved by the organiser)."""

    class Source(models.TextChoices):
        INVITATION = "invitation", "invitation"
        PUBLIC = "public", "formulaire public"

    class Answer(models.TextChoices):
        PENDING = "pending", "sans réponse"
        YES = "yes", "oui"
        MAYBE = "maybe", "peut-être"
        NO = "no", "non"

    class Approval(models.TextChoices):
        APPROVED = "approved", "acceptée"
        PENDING = "pending", "à valider"
        REJECTED = "rejected", "refusée"

    class Companion(models.TextChoices):
        NONE = "", "personne"
        INSTEAD = "instead", "vient à ma place"
        WITH = "with", "m'accompagne"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(
        "officials.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    commune = models.ForeignKey(
        "territories.Commune", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.INVITATION)
    approval = models.CharField(
        "inscription", max_length=8, choices=Approval.choices, default=Approval.APPROVED
    )
    name = models.CharField("nom", max_length=250)
    function = models.CharField("fonction", max_length=250, blank=True)
    email = models.CharField("courriel", max_length=254, blank=True)
    answer = models.CharField(
        "réponse", max_length=7, choices=Answer.choices, default=Answer.PENDING
    )
    answered_at = models.DateTimeField("répondu le", null=True)
    companion = models.CharField(
        "collaborateur", max_length=7, choices=Companion.choices, default="", blank=True
    )
    companion_name = models.CharField("nom du collaborateur", max_length=200, blank=True)
    companion_function = models.CharField("fonction du collaborateur", max_length=200, blank=True)
    companion_email = models.CharField("courriel du collaborateur", max_length=254, blank=True)
    accessibility = models.TextField("besoins d'accessibilité", blank=True)
    answers = models.JSONField("réponses aux questions", default=dict, blank=True)
    search_name = models.CharField(max_length=500, blank=True, db_index=True)  # folded, lower
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "invitation"
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"],
                condition=Q(person__isnull=False),
                name="one_invitation_per_person",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def attendee(self) -> str:
        """Who comes: the invitee, or the collaborator sent instead."""
        if self.companion == self.Companion.INSTEAD and self.companion_name:
            return f"{self.companion_name} (pour {self.name})"
        return self.name


def new_code() -> str:
    """The code on a badge's QR code: short, unambiguous letters and digits."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "inscrit"
        WAITING = "waiting", "liste d'attente"
        CANCELLED = "cancelled", "annulé"

    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, related_name="registrations"
    )
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="registrations")
    status = models.CharField(max_length=9, choices=Status.choices)
    seats = models.PositiveSmallIntegerField("places", default=1)
    slot_start = models.DateTimeField("créneau", null=True, blank=True)
    code = models.CharField(max_length=12, unique=True, default=new_code)
    created_at = models.DateTimeField(auto_now_add=True)
    waiting_since = models.DateTimeField(null=True)
    confirmed_at = models.DateTimeField(null=True)
    promoted_at = models.DateTimeField("sorti de la liste d'attente le", null=True)
    cancelled_at = models.DateTimeField(null=True)
    reminded_week_at = models.DateTimeField(null=True)
    reminded_day_at = models.DateTimeField(null=True)
    checked_in_at = models.DateTimeField("arrivé à", null=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    interaction = models.ForeignKey(
        "relations.Interaction", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "inscription"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "session"], name="one_registration_per_session"
            ),
            models.UniqueConstraint(
                fields=["session", "slot_start"],
                condition=Q(status="confirmed", slot_start__isnull=False),
                name="one_meeting_per_slot",
            ),
        ]
        indexes = [models.Index(fields=["session", "status"])]

    def __str__(self) -> str:
        return f"{self.invitation} — {self.session}"
