"""Login by email and password, with lock-outs that tell nobody whether an account exists.

The rules (docs/deployment.md, « Connexion : blocage et journal »):
- each attempt on an account, password or two-factor code, is counted *before* it is checked,
  per account and client address: the LOGIN_MAX_FAILURES-th attempt in a row is the last one
  that address gets for LOGIN_LOCK_MINUTES (parallel requests cannot get more through); a
  success from that address starts the count again, other addresses are not concerned, so a
  stranger cannot lock a colleague out from elsewhere;
- LOGIN_ACCOUNT_MAX_FAILURES failures in all (any address, since the last success) lock the
  account for LOGIN_LOCK_MINUTES to the addresses it has not logged in from lately: guessing
  from many addresses stops, the owner at their usual address still gets in;
- an unknown account, a wrong password and a refused attempt get the same page and the same
  work (the password typed is hashed once in every case), and all three go to the audit log
  with the address and the email typed, never the password.
"""

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from mandature.core.models import audit
from mandature.core.ratelimit import client_address

from .access import profile_of
from .models import LoginAddress, Profile

KNOWN_ADDRESS_DAYS = 90  # an address the account logged in from this recently is its owner's
EMAIL_MAX = 254  # the longest valid address (RFC 5321): enough to investigate, no more stored


def find_user(email: str):
    User = get_user_model()
    return User.objects.filter(email__iexact=(email or "").strip()).order_by("pk").first()


def typed_email(text: str | None) -> str:
    """The email as typed, fit for the audit log: printable, trimmed, lower case, bounded."""
    printable = "".join(ch for ch in (text or "") if ch.isprintable())
    return printable.strip().lower()[:EMAIL_MAX]


def address_of(request) -> str:
    """The address attempts are counted by. An IPv6 address counts by its /64: one home or
    phone gets a whole /64 and may take any address in it, so a guesser would otherwise get
    five attempts per address of its own network."""
    if request is None:
        return ""
    address = client_address(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:45]
    if ip.version == 6 and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def record_refusal(email: str, address: str, reason: str, user=None) -> None:
    """A refused login in the audit log: who was tried, from where, why (never the password)."""
    detail = {"email": typed_email(email)}
    if user is not None:
        detail["account"] = user.pk
    audit("connexion refusée", "web", None, **detail, address=address, reason=reason)


@dataclass
class Attempt:
    """One attempt on an account from an address, counted before the secret is checked."""

    user: object
    address: str
    refused_until: datetime | None = None  # refused without a look at the secret
    reason: str = ""  # why it was refused, for the audit log
    last: bool = False  # the last one allowed: if it fails, the address is locked out

    @property
    def until(self) -> datetime | None:
        """Until when this address is locked out of the account (if the attempt fails)."""
        if self.refused_until is not None:
            return self.refused_until
        if self.last:
            return LoginAddress.objects.get(user=self.user, address=self.address).locked_until
        return None


def start_attempt(user, address: str) -> Attempt:
    """Count one attempt on the account from the address, or refuse it (locked out).

    The count goes up in one UPDATE that skips a locked row, so that of many parallel
    requests no more than LOGIN_MAX_FAILURES get through; the last one allowed locks the
    address at once (a success lifts it: `passed`, `record_success`)."""
    now = timezone.now()
    with transaction.atomic():
        row, _ = LoginAddress.objects.get_or_create(user=user, address=address)
        profile = profile_of(user)
        known = row.last_success_at and row.last_success_at > now - timedelta(
            days=KNOWN_ADDRESS_DAYS
        )
        if profile and profile.locked_until and profile.locked_until > now and not known:
            return Attempt(user, address, profile.locked_until, reason="compte bloqué")
        rows = LoginAddress.objects.filter(pk=row.pk).exclude(locked_until__gt=now)
        if not rows.update(failures=F("failures") + 1):
            row.refresh_from_db(fields=["locked_until"])
            return Attempt(user, address, row.locked_until, reason="connexion suspendue")
        row.refresh_from_db(fields=["failures"])
        if row.failures < settings.LOGIN_MAX_FAILURES:
            return Attempt(user, address)
        row.failures = 0
        row.locked_until = now + timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
        row.save(update_fields=["failures", "locked_until"])
        return Attempt(user, address, last=True)


def passed(attempt: Attempt) -> None:
    """The password was right but a code is still to come: that attempt does not count (the
    codes do), and if it was the last one allowed, the lock it set is lifted."""
    rows = LoginAddress.objects.filter(user=attempt.user, address=attempt.address)
    if attempt.last:
        rows.update(failures=settings.LOGIN_MAX_FAILURES - 1, locked_until=None)
    else:
        rows.filter(failures__gt=0).update(failures=F("failures") - 1)


def record_failure(attempt: Attempt, reason: str = "mot de passe", email: str = "") -> None:
    """A wrong password or code: in the audit log, and one more failure for the account
    (past LOGIN_ACCOUNT_MAX_FAILURES, locked to new addresses)."""
    user, address = attempt.user, attempt.address
    record_refusal(email or user.email, address, reason, user)
    if attempt.last:
        audit(
            "connexion suspendue",
            "web",
            None,
            account=user.pk,
            address=address,
            until=timezone.localtime(attempt.until).isoformat(timespec="minutes"),
        )
    profiles = Profile.objects.filter(user=user)
    profiles.update(failed_logins=F("failed_logins") + 1)
    locked = profiles.filter(failed_logins__gte=settings.LOGIN_ACCOUNT_MAX_FAILURES).update(
        failed_logins=0,
        locked_until=timezone.now() + timedelta(minutes=settings.LOGIN_LOCK_MINUTES),
    )
    if locked:
        audit("compte bloqué", "web", None, account=user.pk, address=address)


def record_success(user, address: str) -> None:
    """A login from the address: its count starts again and it becomes a known address. The
    failures from elsewhere no longer count against the account (locks stay until they end),
    and addresses not used for a login in KNOWN_ADDRESS_DAYS are forgotten."""
    now = timezone.now()
    Profile.objects.filter(user=user).exclude(failed_logins=0, locked_until=None).update(
        failed_logins=0, locked_until=None
    )
    LoginAddress.objects.update_or_create(
        user=user,
        address=address,
        defaults={"failures": 0, "locked_until": None, "last_success_at": now},
    )
    forgotten = Q(last_success_at=None) | Q(last_success_at__lt=now - timedelta(KNOWN_ADDRESS_DAYS))
    LoginAddress.objects.filter(forgotten, user=user).exclude(locked_until__gt=now).delete()


def unlock(user) -> None:
    """Every lock and count against the account: the administrator's « Débloquer »
    (/utilisateurs/<id>/), a new password chosen through the emailed link."""
    Profile.objects.filter(user=user).update(failed_logins=0, locked_until=None)
    LoginAddress.objects.filter(user=user).update(failures=0, locked_until=None)


def address_locks(user) -> list[LoginAddress]:
    """The addresses locked out of the account right now."""
    return list(
        LoginAddress.objects.filter(user=user, locked_until__gt=timezone.now()).order_by(
            "-locked_until"
        )
    )


class EmailBackend(ModelBackend):
    """`authenticate(request, email=…, password=…)`. A locked-out attempt is refused even with
    the right password, with the same answer as an unknown account or a wrong password."""

    def authenticate(self, request, email=None, password=None, username=None, **kwargs):
        typed = email or username
        if typed is None or password is None:
            return None
        address = address_of(request)
        user = find_user(typed)
        if user is None:
            make_password(password)  # the same work as for an account that exists
            record_refusal(typed, address, "compte inconnu")
            return None
        attempt = start_attempt(user, address)
        if attempt.refused_until is not None:
            make_password(password)  # the same work as for a password checked
            record_refusal(typed, address, attempt.reason, user)
            return None
        reason = "mot de passe"
        if user.check_password(password):
            if self.user_can_authenticate(user):
                passed(attempt)
                return user
            reason = "compte désactivé"
        record_failure(attempt, reason, typed)
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
