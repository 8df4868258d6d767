"""Personal API tokens: each carries its user's role and territorial scope (scope_of(user)).

Only a SHA-256 of the token is stored; the token itself is shown once, when it is created."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

PREFIX = "mdt_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("nom", max_length=100, help_text="À quoi sert-il ? « Outil de l'OPH »")
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField("début du jeton", max_length=12)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    expires_at = models.DateTimeField("expire le")
    last_used_at = models.DateTimeField("dernier usage", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, user, name: str, days: int | None = None) -> tuple["ApiToken", str]:
        """A new token for the user: (the record, the token to show once)."""
        days = days or settings.API_TOKEN_DAYS
        token = PREFIX + secrets.token_urlsafe(32)
        record = cls.objects.create(
            user=user,
            name=name,
            key_hash=digest(token),
            hint=token[: len(PREFIX) + 6],
            expires_at=timezone.now() + timezone.timedelta(days=days),
        )
        return record, token

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
