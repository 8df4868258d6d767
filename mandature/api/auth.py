"""Who calls the API: a personal token (`Authorization: Bearer mdt_…`), or the browser session
of a logged-in user (the interactive docs). Either way the user's scope applies."""

import threading

from django.conf import settings
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import BaseThrottle

from mandature.core.ratelimit import client_address, hit
from mandature.movement.access import role_of
from mandature.movement.enums import Role

from .models import ApiToken, digest


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        if not token.startswith("mdt_") or len(token) > 100:
            return None
        record = (
            ApiToken.objects.select_related("user", "user__profile")
            .filter(key_hash=digest(token), revoked_at=None, expires_at__gt=timezone.now())
            .first()
        )
        if record is None or not record.user.is_active:
            return None
        now = timezone.now()
        if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        request.user = record.user
        request.api_token = record
        return record.user


class Session(SessionAuth):
    """The session of a logged-in user (national administrators: once their code is entered)."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None and role_of(user) == Role.ADMIN and not user.is_verified():
            return None
        return user


class PerUserThrottle(BaseThrottle):
    """API_RATE_LIMIT requests per user (all their tokens and their session), counted by the
    same atomic counter as the pages' limits (mandature.core.ratelimit); over it: 429 with
    Retry-After and a French answer."""

    def __init__(self):
        self._wait = threading.local()  # one throttle object serves every thread

    def allow_request(self, request) -> bool:
        user = getattr(request, "auth", None) or request.user
        if user is not None and user.is_authenticated:
            ident = f"user:{user.pk}"
        else:
            ident = f"address:{client_address(request)}"
        self._wait.seconds = hit(f"api:{ident}", settings.API_RATE_LIMIT)
        return not self._wait.seconds

    def wait(self) -> float | None:
        return getattr(self._wait, "seconds", 0) or None
