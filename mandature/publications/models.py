"""The movement's documents and media (brochure, guide, film…), their versions, and to whom each
was given: sent by post, handed over at an event, downloaded through a personal link. Every
distribution is also an interaction on the official's timeline."""

from django.conf import settings
from django.db import models
from django.urls import reverse


class Publication(models.Model):
    class Kind(models.TextChoices):
        BROCHURE = "brochure", "brochure"
        GUIDE = "guide", "guide pratique"
        FILM = "film", "film"
        NOTE = "note", "note"
        OTHER = "other", "autre"

    title = models.CharField("titre", max_length=250)
    kind = models.CharField("nature", max_length=10, choices=Kind.choices)
    audience = models.CharField(
        "public visé", max_length=200, help_text="« Maires et adjoints au logement »"
    )
    description = models.TextField("présentation", blank=True)
    organisation = models.ForeignKey(
        "movement.Organisation",
        verbose_name="éditeur",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "publication"
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("web:publication", args=[self.pk])

    @property
    def current(self) -> "Version | None":
        return self.versions.order_by("-published_on", "-pk").first()


class Version(models.Model):
    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="versions")
    label = models.CharField("version", max_length=60, help_text="« édition 2026 »")
    published_on = models.DateField("date de parution")
    file = models.FileField("fichier", upload_to="publications/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    url = models.URLField("ou adresse en ligne (vidéo…)", blank=True)
    notes = models.TextField("changements", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "version"
        ordering = ["-published_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.publication} ({self.label})"


class Distribution(models.Model):
    class Channel(models.TextChoices):
        POST = "post", "envoyée par courrier"
        EVENT = "event", "remise lors d'un événement"
        MEETING = "meeting", "remise en rendez-vous"
        DOWNLOAD = "download", "téléchargée par un lien personnel"

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="distributions")
    person = models.ForeignKey(
        "officials.Person", on_delete=models.CASCADE, related_name="publications_received"
    )
    channel = models.CharField("comment", max_length=10, choices=Channel.choices)
    date = models.DateField("date")
    event = models.ForeignKey(
        "events.Event",
        verbose_name="événement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    downloads = models.PositiveIntegerField("téléchargements", default=0)
    organisation = models.ForeignKey(
        "movement.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    interaction = models.ForeignKey(
        "relations.Interaction", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "diffusion"
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "person", "channel"],
                condition=models.Q(channel="download"),
                name="one_download_record_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} → {self.person} ({self.get_channel_display()})"
