"""Accounts: invitations (signed, expiring, single-use links), two-factor devices, the first
national administrator."""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from mandature.core.models import audit

from .enums import OrganisationKind, Role
from .models import Organisation, Profile

INVITATION_SALT = "mandature.invitation"


def _fingerprint(user) -> str:
    # The stored password hash changes when the invitation is accepted: the link is single-use.
    return user.password[-16:]


def invitation_token(user) -> str:
    return signing.dumps({"u": user.pk, "h": _fingerprint(user)}, salt=INVITATION_SALT)


def invited_user(token: str):
    """The user of a valid invitation link; None if the link is wrong, used or expired."""
    try:
        data = signing.loads(
            token, salt=INVITATION_SALT, max_age=settings.INVITATION_DAYS * 24 * 3600
        )
    except signing.BadSignature:  # includes SignatureExpired
        return None
    user = get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or _fingerprint(user) != data.get("h") or user.has_usable_password():
        return None
    return user


def create_account(
    email: str,
    first_name: str,
    last_name: str,
    organisation: Organisation,
    role: str,
    narrowed: dict | None = None,
    invited_by=None,
    password: str | None = None,
):
    User = get_user_model()
    with transaction.atomic():
        user = User(
            username=email.lower(),
            email=email.lower(),
            first_name=first_name,
            last_name=last_name,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        profile = Profile.objects.create(
            user=user,
            organisation=organisation,
            role=role,
            invited_by=invited_by,
            invited_at=timezone.now() if invited_by else None,
        )
        for name, codes in (narrowed or {}).items():
            getattr(profile, name).set(codes)
    return user


def invite(inviter, data: dict):
    user = create_account(
        data["email"],
        data["first_name"],
        data["last_name"],
        data["organisation"],
        data["role"],
        data.get("narrowed"),
        invited_by=inviter,
    )
    send_invitation(user, inviter)
    audit("invitation", "web", inviter, invited=user.pk, role=data["role"])
    return user


def send_invitation(user, inviter=None) -> None:
    link = settings.SITE_URL + reverse("web:invitation", args=[invitation_token(user)])
    context = {
        "user": user,
        "inviter": inviter,
        "link": link,
        "days": settings.INVITATION_DAYS,
        "profile": user.profile,
    }
    send_mail(
        "Votre accès à Mandature",
        render_to_string("web/accounts/invitation_email.txt", context),
        None,
        [user.email],
    )


# --- two-factor ---------------------------------------------------------------------------
def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user) -> TOTPDevice:
    """The device being set up (not yet confirmed by a first code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Application", confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=5, title="QR code TOTP")


def secret_text(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def union() -> Organisation:
    return Organisation.objects.get(kind=OrganisationKind.UNION)
