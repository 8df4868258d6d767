"""Records shared by every import of official data."""

from django.conf import settings
from django.db import models


class ImportRun(models.Model):
    """One run of a loader: what was read, when, by whom, with what result."""

    class Status(models.TextChoices):
        RUNNING = "running", "en cours"
        SUCCESS = "success", "réussi"
        SKIPPED = "skipped", "déjà chargé"
        FAILED = "failed", "échec"

    source = models.CharField("source", max_length=100)
    file_name = models.CharField("fichier", max_length=500)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, db_index=True)
    status = models.CharField("statut", max_length=10, choices=Status.choices)
    started_at = models.DateTimeField("début", auto_now_add=True)
    finished_at = models.DateTimeField("fin", null=True, blank=True)
    counts = models.JSONField("comptes", default=dict, blank=True)
    errors = models.TextField("erreurs", blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "chargement de données"
        verbose_name_plural = "chargements de données"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.file_name} ({self.get_status_display()})"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class AuditLog(models.Model):
    """Every access to personal data exports (and, later, logins and views of personal data)."""

    at = models.DateTimeField("le", auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    channel = models.CharField("par", max_length=20)  # web, commande, api
    action = models.CharField("action", max_length=100)
    detail = models.JSONField("détail", default=dict, blank=True)

    class Meta:
        verbose_name = "journal d'accès"
        verbose_name_plural = "journal d'accès"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action}"


def audit(action: str, channel: str, user=None, **detail) -> None:
    AuditLog.objects.create(
        action=action,
        channel=channel,
        user=user if user and user.is_authenticated else None,
        detail=detail,
    )


class WorkerBeat(models.Model):
    """A task worker's heartbeat (every CAMPAIGN_POLL_SECONDS): /healthz and `mandature check`
    tell from it whether a worker is alive, on this machine or another."""

    name = models.CharField("travailleur", max_length=200, unique=True)  # host:pid
    seen_at = models.DateTimeField("vu le")

    class Meta:
        verbose_name = "battement d'un travailleur"

    def __str__(self) -> str:
        return self.name


class RateCounter(models.Model):
    """Requests counted for a rate limit (mandature.core.ratelimit): one row per key and
    period, incremented by a single atomic statement so that parallel requests, in any process,
    are all counted."""

    key = models.CharField("clé", max_length=200)
    period_start = models.BigIntegerField("début de la période")  # seconds since 1970
    hits = models.IntegerField("requêtes", default=0)
    expires = models.BigIntegerField("expire", db_index=True)  # seconds since 1970

    class Meta:
        verbose_name = "compteur de débit"
        constraints = [
            models.UniqueConstraint(fields=["key", "period_start"], name="rate_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} : {self.hits}"
