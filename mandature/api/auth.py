"""Who calls the API: a personal token (`Authorization: Bearer mdt_…`), or the browser session
of a logged-in user (the interactive docs). Either way the user's scope applies."""

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import SimpleRateThrottle

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
        from mandature.movement.access import role_of
        from mandature.movement.enums import Role

        user = super().authenticate(request, key)
        if user is not None and role_of(user) == Role.ADMIN and not user.is_verified():
            return None
        return user


class PerUserThrottle(SimpleRateThrottle):
    """API_RATE_LIMIT requests per user (all their tokens and their session), counted in the
    cache every process shares; over it: 429 with Retry-After."""

    scope = "api"
    cache = caches["shared"]

    def __init__(self):
        self.rate = settings.API_RATE_LIMIT
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def allow_request(self, request) -> bool:
        if self.rate != settings.API_RATE_LIMIT:  # changed since start (tests, a reload)
            self.rate = settings.API_RATE_LIMIT
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request):
        user = getattr(request, "auth", None) or request.user
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
