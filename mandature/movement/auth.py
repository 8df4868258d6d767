"""Login by email and password, with lock-out after repeated failures."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.utils import timezone

from mandature.core.models import audit

from .access import profile_of


def find_user(email: str):
    User = get_user_model()
    return User.objects.filter(email__iexact=(email or "").strip()).order_by("pk").first()


def locked_until(user):
    profile = profile_of(user)
    if profile and profile.locked_until and profile.locked_until > timezone.now():
        return profile.locked_until
    return None


def record_failure(user, request=None, reason: str = "mot de passe") -> None:
    """One more failure; the account locks after LOGIN_MAX_FAILURES in a row."""
    profile = profile_of(user)
    audit("connexion refusée", "web", None, user_id=user.pk, reason=reason)
    if profile is None:
        return
    profile.failed_logins += 1
    if profile.failed_logins >= settings.LOGIN_MAX_FAILURES:
        profile.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
        profile.failed_logins = 0
        audit("compte bloqué", "web", None, user_id=user.pk)
    profile.save(update_fields=["failed_logins", "locked_until"])


def record_success(user) -> None:
    profile = profile_of(user)
    if profile and (profile.failed_logins or profile.locked_until):
        profile.failed_logins = 0
        profile.locked_until = None
        profile.save(update_fields=["failed_logins", "locked_until"])


class EmailBackend(ModelBackend):
    """`authenticate(request, email=…, password=…)`. A locked account is refused even with the
    right password; `request.login_locked_until` then says until when."""

    def authenticate(self, request, email=None, password=None, username=None, **kwargs):
        user = find_user(email or username)
        if user is None:
            get_user_model()().set_password(password)  # same time whether the user exists or not
            return None
        until = locked_until(user)
        if until is not None:
            if request is not None:
                request.login_locked_until = until
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        record_failure(user, request)
        until = locked_until(user)
        if until is not None and request is not None:
            request.login_locked_until = until
        return None

    def get_user(self, user_id):
        """The logged-in user of each request, with profile and organisation in one query
        (every page needs the three)."""
        user = (
            get_user_model()
            ._default_manager.select_related("profile__organisation")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
