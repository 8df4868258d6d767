"""Segments (the audience), campaigns (an email or a letter to a segment), their recipients,
the global opt-out list and the addresses known to be invalid."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from mandature.compliance.enums import CommunicationKind


class Segment(models.Model):
    name = models.CharField("nom", max_length=200)
    organisation = models.ForeignKey(
        "movement.Organisation", null=True, on_delete=models.SET_NULL, related_name="segments"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filters = models.JSONField("filtres", default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "segment"
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:segment", args=[self.pk])


# What a campaign may be, for the electoral-period check (the others are not campaigns).
CAMPAIGN_KINDS = [
    (k.value, k.label)
    for k in (
        CommunicationKind.INFORMATION,
        CommunicationKind.INVITATION,
        CommunicationKind.PUBLICATION,
        CommunicationKind.PROMOTION,
        CommunicationKind.SURVEY,
    )
]


def default_rate() -> int:
    return settings.CAMPAIGN_RATE_PER_MINUTE


class Campaign(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", "courriel"
        LETTER = "letter", "courrier postal"

    class Status(models.TextChoices):
        DRAFT = "draft", "brouillon"
        SENDING = "sending", "envoi en cours"
        DONE = "done", "terminée"
        CANCELLED = "cancelled", "arrêtée"

    name = models.CharField("nom de la campagne", max_length=200)
    channel = models.CharField("canal", max_length=6, choices=Channel.choices)
    communication_kind = models.CharField(
        "nature de la communication",
        max_length=15,
        choices=CAMPAIGN_KINDS,
        default=CommunicationKind.INFORMATION,
        help_text="Pour la vérification des règles de la période électorale.",
    )
    organisation = models.ForeignKey(
        "movement.Organisation", null=True, on_delete=models.SET_NULL, related_name="campaigns"
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name="segment",
        null=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
    )
    subject = models.CharField("objet", max_length=250)
    body = models.TextField("texte")
    invitation_url = models.URLField("lien d'invitation", blank=True)
    # An event's invitations and follow-ups go through campaigns: « invited » gives each
    # recipient a personal signed link ({lien_invitation}); « present » and « absent » keep,
    # of the segment, those who came to the event and the invitees who did not.
    event = models.ForeignKey(
        "events.Event",
        verbose_name="événement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
    )
    # A survey's invitations ({lien_enquete}: each recipient's link) and reminders (« pending »:
    # those who have not answered).
    survey = models.ForeignKey(
        "surveys.Survey",
        verbose_name="enquête",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
    )
    # A publication's personal download links ({lien_publication}): each download is recorded.
    publication = models.ForeignKey(
        "publications.Publication",
        verbose_name="publication",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
        help_text="Pour le champ {lien_publication} : le lien de téléchargement personnel.",
    )
    survey_audience = models.CharField(
        "destinataires de l'enquête",
        max_length=8,
        blank=True,
        choices=[
            ("invited", "tous les élus du segment"),
            ("pending", "relance : ceux qui n'ont pas encore répondu"),
        ],
    )
    event_audience = models.CharField(
        "destinataires de l'événement",
        max_length=8,
        blank=True,
        choices=[
            ("invited", "invitation (un lien personnel par destinataire)"),
            ("present", "suivi : les personnes venues"),
            ("absent", "suivi : les invités qui ne sont pas venus"),
        ],
    )
    complete_with_letters = models.BooleanField(
        "compléter par des courriers",
        default=False,
        help_text="Courriels : un courrier postal pour les élus sans adresse électronique "
        "(la leur ni celle de leur mairie), à leur adresse ou à celle de la mairie.",
    )
    rate_per_minute = models.PositiveIntegerField(
        "messages par minute",
        default=default_rate,
        help_text="Cadence d'envoi ; 0 : aussi vite que le serveur SMTP l'accepte.",
    )
    signatory = models.TextField("signataire", blank=True)
    signature = models.BinaryField("signature", null=True, blank=True)
    letter_date = models.DateField("date du courrier", null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    launched_at = models.DateTimeField("lancée le", null=True)
    prepared_at = models.DateTimeField("destinataires arrêtés le", null=True)
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField("terminée le", null=True)
    # The electoral-period check when it was launched, and the override of a « interdit ».
    compliance_verdict = models.CharField(max_length=12, blank=True)
    override_reason = models.TextField("motif du passage outre", blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Sending: one task at a time holds the lease (worker id and heartbeat); after an SMTP
    # outage the campaign waits until next_attempt_at.
    lease_owner = models.CharField(max_length=120, blank=True)
    lease_heartbeat = models.DateTimeField(null=True)
    enqueued_at = models.DateTimeField(null=True)
    next_attempt_at = models.DateTimeField(null=True)
    outages = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "campagne"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:campaign", args=[self.pk])

    @property
    def is_email(self) -> bool:
        return self.channel == self.Channel.EMAIL


class Recipient(models.Model):
    """One official in a launched campaign. The merge values are computed at launch, so the
    worker only fills the text; `status` moves from queued to sent exactly once."""

    class Route(models.TextChoices):
        """How the recipient is reached (`reach.Reacher`)."""

        PERSONAL = "email", "courriel personnel"
        MAIRIE = "mairie", "courriel à la mairie"
        LETTER = "letter", "courrier"
        NONE = "none", "injoignable"

    class Status(models.TextChoices):
        QUEUED = "queued", "en attente"
        SENT = "sent", "envoyé"
        FAILED = "failed", "échec"
        SKIPPED = "skipped", "non envoyé"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey(
        "officials.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    commune = models.ForeignKey(
        "territories.Commune", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    epci = models.ForeignKey(
        "territories.Epci", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField("nom", max_length=250)
    route = models.CharField("moyen", max_length=6, choices=Route.choices, blank=True)
    email = models.CharField("courriel", max_length=254, blank=True)
    address = models.TextField("adresse", blank=True)  # letters: the block, by lines
    values = models.JSONField("champs de fusion", default=dict)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    reason = models.TextField("motif", blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True)
    sent_at = models.DateTimeField(null=True)
    interaction = models.ForeignKey(
        "relations.Interaction", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "destinataire"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"], name="one_message_per_person")
        ]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return self.name


class OptOut(models.Model):
    """An address that asked to receive no more campaigns (every organisation's), lowercased.

    `person` is set only when the address was the person's own: that person then said stop and
    is reached by no address at all. An address shared by a mairie (`shared`) is blocked for
    every official reached through it, and held against none of them personally (see
    `campaigns/addresses.py`)."""

    email = models.CharField("courriel", max_length=254, unique=True)
    person = models.ForeignKey(
        "officials.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    campaign = models.ForeignKey(Campaign, null=True, on_delete=models.SET_NULL, related_name="+")
    recipient = models.ForeignKey(
        Recipient, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared = models.BooleanField("adresse d'une mairie", default=False)
    one_click = models.BooleanField(
        "par le lien en un clic du logiciel de messagerie", default=False
    )
    created_at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "désinscription"

    def __str__(self) -> str:
        return self.email


class InvalidAddress(models.Model):
    """An address a mail server refused for good (a hard bounce: at sending, or in a delivery
    report imported by `mandature import-bounces`), lowercased. While the mark is active
    (`cleared_at` empty) campaigns skip the address; staff who checked it lift the mark
    (« l'adresse a été vérifiée »), which is kept with who and when. At most one active mark
    per address."""

    class Source(models.TextChoices):
        SMTP = "smtp", "refus du serveur à l'envoi"
        REPORT = "report", "avis de non-remise reçu après l'envoi"

    email = models.CharField("courriel", max_length=254)
    code = models.CharField("code", max_length=20, blank=True)  # « 550 5.1.1 »
    reason = models.TextField("motif", blank=True)  # the server's words, as received
    source = models.CharField("origine", max_length=6, choices=Source.choices)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient = models.ForeignKey(
        Recipient, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("le", auto_now_add=True)
    cleared_at = models.DateTimeField("levée le", null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "adresse invalide"
        verbose_name_plural = "adresses invalides"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["email"],
                condition=models.Q(cleared_at__isnull=True),
                name="one_active_invalid_mark",
            )
        ]

    def __str__(self) -> str:
        return self.email
