"""Login (/connexion/), the two-factor step, logout, invitations, the account page, users."""

import json
import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_tasks_db.models import DBTaskResult

from mandature.api.models import ApiToken
from mandature.core.french import typography
from mandature.core.links import safe_next
from mandature.core.models import AuditLog, audit
from mandature.core.ratelimit import rate_limited
from mandature.core.text import strip_controls
from mandature.core.workers import failure_reason
from mandature.movement.access import organisation_of, profile_of, require, role_of
from mandature.movement.accounts import (
    confirmed_device,
    invite,
    invited_user,
    pending_device,
    qr_svg,
    secret_text,
    send_invitation,
)
from mandature.movement.auth import (
    address_locks,
    address_of,
    record_failure,
    record_refusal,
    record_success,
    start_attempt,
    unlock,
)
from mandature.movement.enums import Role
from mandature.movement.forms import (
    CodeForm,
    InviteForm,
    LoginForm,
    SetPasswordForm,
    UserEditForm,
)
from mandature.movement.models import Profile
from mandature.relations.models import SyncRun, WatchSettings
from mandature.web.listing import export_list

PENDING_SECONDS = 300  # between the password and the code


class ResetConfirm(PasswordResetConfirmView):
    """Choosing a new password through the emailed link also lifts a lock-out."""

    def form_valid(self, form):
        response = super().form_valid(form)
        unlock(form.user)
        audit("mot de passe réinitialisé", "web", form.user)
        return response


RATE_UNITS = {
    "s": "seconde",
    "sec": "seconde",
    "m": "minute",
    "min": "minute",
    "h": "heure",
    "hour": "heure",
    "d": "jour",
    "day": "jour",
}


def rate_in_words(rate: str) -> str:
    """« 600/min » → « 600 requêtes par minute »."""
    count, _, unit = rate.partition("/")
    return f"{count} requêtes par {RATE_UNITS.get(unit, unit)}" if count.isdigit() else rate


def _next(request, default: str = "web:my-territory") -> str:
    return safe_next(request, default)


def _refused_message() -> str:
    """The one answer to a refused login, whatever the reason (unknown account, wrong password,
    locked out): nothing tells whether the account exists."""
    return typography(
        "Adresse électronique ou mot de passe incorrect. Après "
        f"{settings.LOGIN_MAX_FAILURES} essais infructueux, la connexion est suspendue "
        f"{settings.LOGIN_LOCK_MINUTES} minutes : réessayez plus tard ou choisissez un nouveau "
        "mot de passe (« Mot de passe oublié ? »)."
    )


def _locked_message(until) -> str:
    """After the password (the person knows it): the code step may say until when."""
    local = timezone.localtime(until)
    return typography(
        "Trop d'essais infructueux : la connexion à ce compte depuis cette adresse est suspendue "
        f"jusqu'à {local.hour} h {local:%M}. Réessayez plus tard ou choisissez un nouveau mot de "
        "passe (« Mot de passe oublié ? »)."
    )


def _complete_login(request, user, device=None):
    login(request, user, backend="mandature.movement.auth.EmailBackend")
    if device is not None:
        otp_login(request, device)
    record_success(user, address_of(request))
    audit("connexion", "web", user, two_factor=device is not None, address=address_of(request))


@login_not_required
@rate_limited("login")
def login_view(request):
    if request.user.is_authenticated:
        return redirect(_next(request))
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
        )
        if user is None:
            error = _refused_message()
        else:
            device = confirmed_device(user)
            if device is None:
                _complete_login(request, user)
                return redirect(_next(request))
            request.session["pending_login"] = {"user": user.pk, "at": time.time()}
            return redirect(f"{reverse('web:login-code')}?{urlencode({'next': _next(request)})}")
    return render(
        request, "web/accounts/login.html", {"form": form, "error": error, "next": _next(request)}
    )


@login_not_required
@rate_limited("login")
def login_code(request):
    pending = request.session.get("pending_login")
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop("pending_login", None)
        messages.info(request, "Reconnectez-vous : le délai pour saisir le code est dépassé.")
        return redirect("web:login")
    user = get_object_or_404(get_user_model(), pk=pending["user"], is_active=True)
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        # the same lock-out as the password: each code counts, the last one allowed locks
        attempt = start_attempt(user, address_of(request))
        device = confirmed_device(user)
        if attempt.refused_until is not None:
            record_refusal(user.email, attempt.address, attempt.reason, user)
        elif device and device.verify_token(form.cleaned_data["code"]):
            request.session.pop("pending_login", None)
            _complete_login(request, user, device)
            return redirect(_next(request))
        else:
            record_failure(attempt, reason="code")
        until = attempt.until
        error = _locked_message(until) if until else "Code incorrect ou expiré."
        if until:
            request.session.pop("pending_login", None)
    return render(
        request,
        "web/accounts/login_code.html",
        {"form": form, "error": error, "next": _next(request)},
    )


@require_POST
@login_not_required
def logout_view(request):
    if request.user.is_authenticated:
        audit("déconnexion", "web", request.user)
    logout(request)
    messages.info(request, "Vous êtes déconnecté(e).")
    return redirect("web:login")


def two_factor(request):
    """Set up TOTP (QR code, then a first code), or enter a code to verify this session."""
    user = request.user
    device = confirmed_device(user)
    setting_up = device is None or request.GET.get("nouveau") == "1" and request.user.is_verified()
    if setting_up:
        device = pending_device(user)
    form = CodeForm(request.POST or None)
    error = ""
    attempt = None
    if request.method == "POST" and form.is_valid():
        attempt = start_attempt(user, address_of(request))
    if attempt and attempt.refused_until is not None:
        error = _locked_message(attempt.refused_until)
    elif attempt:
        if device.verify_token(form.cleaned_data["code"]):
            if setting_up:
                user.totpdevice_set.filter(confirmed=True).exclude(pk=device.pk).delete()
                device.confirmed = True
                device.save()
                audit("double authentification activée", "web", user)
                messages.success(request, "La double authentification est activée.")
            otp_login(request, device)
            record_success(user, attempt.address)
            return redirect(_next(request, "web:account"))
        record_failure(attempt, reason="code")
        error = (
            _locked_message(attempt.until)
            if attempt.last
            else "Code incorrect ou expiré : vérifiez l'heure de votre téléphone."
        )
    context = {
        "form": form,
        "error": error,
        "setting_up": setting_up,
        "required": role_of(user) == Role.ADMIN,
        "next": _next(request, "web:account"),
    }
    if setting_up:
        context.update(qr=qr_svg(device), secret=secret_text(device))
    return render(request, "web/accounts/two_factor.html", context)


@login_not_required
@rate_limited("login")
def invitation(request, token: str):
    user = invited_user(token)
    if user is None:
        return render(request, "web/accounts/invitation_invalid.html", status=404)
    form = SetPasswordForm(
        user,
        request.POST or None,
        initial={"first_name": user.first_name, "last_name": user.last_name},
    )
    if request.method == "POST" and form.is_valid():
        user.first_name = form.cleaned_data["first_name"]
        user.last_name = form.cleaned_data["last_name"]
        user.set_password(form.cleaned_data["password1"])
        user.save()
        audit("invitation acceptée", "web", user)
        _complete_login(request, user)
        messages.success(request, "Bienvenue dans Mandature : votre compte est prêt.")
        return redirect("web:my-territory")
    return render(request, "web/accounts/invitation.html", {"form": form, "invited": user})


def account(request):
    profile = profile_of(request.user)
    new_token = None
    if request.method == "POST" and request.POST.get("action") == "token":
        name = " ".join(strip_controls(request.POST.get("name", "")).split())[:100]
        if not name:
            messages.error(request, "Donnez un nom au jeton : à quoi servira-t-il ?")
        else:
            record, new_token = ApiToken.issue(request.user, name)
            audit("jeton d'API créé", "web", request.user, token=record.hint, name=name)
    elif request.method == "POST" and request.POST.get("action") == "digest":
        wanted = request.POST.get("digest") == "on"
        WatchSettings.objects.update_or_create(user=request.user, defaults={"digest": wanted})
        messages.success(
            request,
            "Vous recevrez le résumé des changements d'élus de votre territoire."
            if wanted
            else "Vous ne recevrez plus le résumé des changements d'élus par courriel.",
        )
        return redirect("web:account")
    elif request.method == "POST" and request.POST.get("action") == "revoke":
        token_id = request.POST.get("token", "")
        token = request.user.api_tokens.filter(pk=int(token_id) if token_id.isdigit() else 0)
        record = token.filter(revoked_at=None).first()
        if record is not None and token.filter(revoked_at=None).update(revoked_at=timezone.now()):
            audit("jeton d'API révoqué", "web", request.user, token=record.hint, name=record.name)
            messages.success(
                request, f"Jeton « {record.name} » révoqué : il ne donne plus accès à l'API."
            )
        return redirect("web:account")
    return render(
        request,
        "web/accounts/account.html",
        {
            "profile": profile,
            "device": confirmed_device(request.user),
            "verified": request.user.is_verified(),
            "new_token": new_token,
            "tokens": request.user.api_tokens.all()[:50],
            "token_days": settings.API_TOKEN_DAYS,
            "rate": rate_in_words(settings.API_RATE_LIMIT),
            "digest": not WatchSettings.objects.filter(user=request.user, digest=False).exists(),
        },
    )


@require("invite")
def users(request):
    profiles = _managed_profiles(request).order_by("organisation__name", "user__last_name")
    exported = export_list(
        request,
        "utilisateurs",
        ["nom", "prénom", "courriel", "organisation", "rôle", "actif", "dernière connexion"],
        lambda: [
            [
                p.user.last_name,
                p.user.first_name,
                p.user.email,
                p.organisation.name,
                p.get_role_display(),
                "oui" if p.user.is_active else "non",
                timezone.localtime(p.user.last_login).strftime("%d/%m/%Y %H:%M")
                if p.user.last_login
                else "",
            ]
            for p in profiles.select_related("user", "organisation")
        ],
        personal=True,
    )
    if exported:
        return exported
    return render(request, "web/accounts/users.html", {"profiles": profiles})


@require("invite")
def invite_user(request):
    form = InviteForm(
        request.POST or None,
        inviter_role=role_of(request.user),
        inviter_organisation=organisation_of(request.user),
    )
    if request.method == "POST" and form.is_valid():
        user = invite(request.user, form.cleaned_data)
        messages.success(request, f"Invitation envoyée à {user.email}.")
        return redirect("web:users")
    return render(request, "web/accounts/invite.html", {"form": form})


def _managed_profiles(request):
    profiles = Profile.objects.select_related("user", "organisation")
    if role_of(request.user) != Role.ADMIN:
        profiles = profiles.filter(organisation=organisation_of(request.user)).exclude(
            role=Role.ADMIN
        )
    return profiles


@require("invite")
def user_edit(request, pk: int):
    """Role, territory and activity of a user; resending the invitation; unlocking."""
    profile = get_object_or_404(_managed_profiles(request), pk=pk)
    form = UserEditForm(
        request.POST or None,
        initial=UserEditForm.initial_of(profile),
        inviter_role=role_of(request.user),
        inviter_organisation=organisation_of(request.user),
    )
    if request.method == "POST" and "renvoyer" in request.POST:
        if not profile.user.has_usable_password():
            send_invitation(profile.user, request.user)
            audit("invitation renvoyée", "web", request.user, account=profile.user_id)
            messages.success(request, f"Invitation renvoyée à {profile.user.email}.")
        return redirect("web:user-edit", pk=profile.pk)
    if request.method == "POST" and form.is_valid():
        if profile.user == request.user and not form.cleaned_data["active"]:
            form.add_error("active", "Vous ne pouvez pas désactiver votre propre compte.")
        else:
            data = form.cleaned_data
            profile.organisation, profile.role = data["organisation"], data["role"]
            profile.save()
            if data["unlock"]:
                unlock(profile.user)
            for name, codes in data["narrowed"].items():
                getattr(profile, name).set(codes)
            user = profile.user
            user.is_active = data["active"]
            user.is_staff = user.is_superuser = data["role"] == Role.ADMIN
            user.save()
            audit(
                "utilisateur modifié",
                "web",
                request.user,
                account=user.pk,
                role=data["role"],
                active=data["active"],
            )
            messages.success(request, "Utilisateur enregistré.")
            return redirect("web:users")
    return render(
        request,
        "web/accounts/user_edit.html",
        {"form": form, "profile": profile, "address_locks": address_locks(profile.user)},
    )


@require("audit")
def audit_log(request):
    entries = AuditLog.objects.select_related("user")
    action = request.GET.get("action", "")
    if action:
        entries = entries.filter(action=action)
    exported = export_list(
        request,
        "journal",
        ["le", "utilisateur", "par", "action", "détail"],
        lambda: [
            [
                timezone.localtime(e.at).strftime("%d/%m/%Y %H:%M:%S"),
                e.user.email if e.user else "",
                e.channel,
                e.action,
                json.dumps(e.detail, ensure_ascii=False),
            ]
            for e in entries[:100_000]
        ],
        personal=True,
    )
    if exported:
        return exported
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    actions = AuditLog.objects.order_by("action").values_list("action", flat=True).distinct()
    return render(
        request, "web/accounts/audit.html", {"page": page, "actions": actions, "action": action}
    )


TASK_LABELS = {
    "mandature.officials.tasks.import_upload": "import d'un fichier RNE",
    "mandature.briefs.tasks.build_briefs": "fiches en lot",
    "mandature.campaigns.tasks.send_campaign": "envoi d'une campagne",
    "mandature.campaigns.tasks.build_letters": "courriers d'une campagne",
    "mandature.events.tasks.send_event_mail": "courriel d'un événement",
    "mandature.relations.tasks.sync_officials": "synchronisation des élus",
}


@require("audit")
def task_failures(request):
    """For national administrators: the tasks that failed lately, with their error."""
    since = timezone.now() - timedelta(days=30)
    failed = DBTaskResult.objects.failed().filter(enqueued_at__gte=since).order_by("-finished_at")
    rows = [
        {
            "task": TASK_LABELS.get(r.task_path, r.task_path),
            "path": r.task_path,
            "enqueued_at": r.enqueued_at,
            "finished_at": r.finished_at,
            "error": failure_reason(r.exception_class_path),
            "traceback": r.traceback,
            "id": r.id,
        }
        for r in failed[:200]
    ]
    context = {
        "rows": rows,
        "count": failed.count(),
        "running": DBTaskResult.objects.running().count(),
        "waiting": DBTaskResult.objects.ready().count(),
        # the synchronisations of the officials (also run by the systemd timer, not as tasks)
        "syncs": SyncRun.objects.filter(started_at__gte=since)[:30],
    }
    return render(request, "web/accounts/task_failures.html", context)
