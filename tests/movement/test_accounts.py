"""Accounts: login by email, lock-out, two-factor, invitations, password reset, first admin."""

import re
from html import unescape

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from mandature.core.models import AuditLog
from mandature.movement.models import Organisation
from tests.conftest import PASSWORD, login

GENERIC = "Adresse électronique ou mot de passe incorrect."


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def wrong_code_for(device: TOTPDevice) -> str:
    """A code that is not the device's, with django-otp's own delay (not tested here) reset."""
    device.refresh_from_db()
    device.throttle_reset()
    return f"{(int(code_for(device)) + 500_000) % 1_000_000:06d}"


def test_login_by_email_whatever_the_case_and_logout(anonymous, personas):
    page = anonymous.get("/connexion/")
    assert "Adresse électronique" in page.content.decode()
    response = anonymous.post(
        "/connexion/", {"email": "Nina.National@FOPH.test", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/mon-territoire/"
    assert anonymous.get("/mon-territoire/").status_code == 200
    assert AuditLog.objects.filter(action="connexion", user=personas.national).exists()
    anonymous.post("/deconnexion/")
    assert anonymous.get("/mon-territoire/").status_code == 302


def test_wrong_password_and_invalid_email_get_french_messages(anonymous, personas):
    html = anonymous.post(
        "/connexion/", {"email": "nina.national@foph.test", "password": "faux"}
    ).content.decode()
    assert "Adresse électronique ou mot de passe incorrect." in html
    html = anonymous.post(
        "/connexion/", {"email": "pas-une-adresse", "password": "x"}
    ).content.decode()
    assert "Saisissez une adresse électronique valide" in html


def test_five_failures_lock_the_account_from_that_address_only(anonymous, personas):
    """A stranger cannot lock a colleague out from elsewhere: the lock holds for the account
    *and* the address the failures came from (settings.LOGIN_MAX_FAILURES)."""
    for _ in range(5):
        anonymous.post("/connexion/", {"email": "nina.national@foph.test", "password": "faux"})
    refused = anonymous.post(
        "/connexion/", {"email": "nina.national@foph.test", "password": PASSWORD}
    )
    assert refused.status_code == 200 and GENERIC in unescape(refused.content.decode())
    assert anonymous.get("/mon-territoire/").status_code == 302
    assert AuditLog.objects.filter(action="connexion suspendue").count() == 1
    elsewhere = Client(REMOTE_ADDR="192.0.2.7")
    response = elsewhere.post(
        "/connexion/", {"email": "nina.national@foph.test", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/mon-territoire/"
    still = anonymous.post(
        "/connexion/", {"email": "nina.national@foph.test", "password": PASSWORD}
    )
    assert still.status_code == 200  # a success elsewhere does not lift this address's lock
    # the administrator's « Débloquer » on /utilisateurs/<id>/ lifts every lock of the account
    admin = login(Client(), personas.admin)
    profile = personas.national.profile
    page = admin.get(f"/utilisateurs/{profile.pk}/").content.decode()
    assert "Connexion suspendue depuis 1 adresse" in unescape(page)
    admin.post(
        f"/utilisateurs/{profile.pk}/",
        {
            "organisation": profile.organisation_id,
            "role": profile.role,
            "active": "on",
            "unlock": "on",
        },
    )
    response = anonymous.post(
        "/connexion/", {"email": "nina.national@foph.test", "password": PASSWORD}
    )
    assert response.status_code == 302


def test_ipv6_addresses_of_one_network_share_their_attempts(personas):
    """A guesser holding a whole IPv6 /64 gets five attempts for it, not five per address;
    another network is not concerned."""
    credentials = {"email": "nina.national@foph.test", "password": "faux"}
    for host in range(1, 6):
        Client(REMOTE_ADDR=f"2001:db8:5:6::{host}").post("/connexion/", credentials)
    right = {**credentials, "password": PASSWORD}
    assert Client(REMOTE_ADDR="2001:db8:5:6::99").post("/connexion/", right).status_code == 200
    assert Client(REMOTE_ADDR="2001:db8:5:7::1").post("/connexion/", right).status_code == 302


def test_many_failures_from_many_addresses_lock_out_new_addresses_only(personas, settings):
    """Guessing from many addresses: past LOGIN_ACCOUNT_MAX_FAILURES failures in all, only the
    addresses the account has logged in from before still get in."""
    settings.LOGIN_ACCOUNT_MAX_FAILURES = 3
    office = Client(REMOTE_ADDR="198.51.100.1")
    credentials = {"email": "nina.national@foph.test", "password": PASSWORD}
    assert office.post("/connexion/", credentials).status_code == 302
    office.post("/deconnexion/")
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        Client(REMOTE_ADDR=address).post(
            "/connexion/", {"email": "nina.national@foph.test", "password": "faux"}
        )
    assert AuditLog.objects.filter(action="compte bloqué").count() == 1
    assert Client(REMOTE_ADDR="192.0.2.4").post("/connexion/", credentials).status_code == 200
    assert office.post("/connexion/", credentials).status_code == 302


def _page_without_tokens(response, typed: str) -> str:
    """The page, without what differs on every request (CSRF token) or echoes the input."""
    html = response.content.decode().replace(typed, "TYPED")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_unknown_wrong_password_and_locked_accounts_get_the_same_answer(anonymous, personas):
    for _ in range(5):
        anonymous.post("/connexion/", {"email": "nina.national@foph.test", "password": "faux"})
    locked = anonymous.post(
        "/connexion/", {"email": "nina.national@foph.test", "password": PASSWORD}
    )
    wrong = anonymous.post(
        "/connexion/", {"email": "remi.regional@arhlm-hdf.test", "password": "faux"}
    )
    unknown = anonymous.post(
        "/connexion/", {"email": "personne@nulle-part.test", "password": "faux"}
    )
    assert locked.status_code == wrong.status_code == unknown.status_code == 200
    pages = {
        _page_without_tokens(locked, "nina.national@foph.test"),
        _page_without_tokens(wrong, "remi.regional@arhlm-hdf.test"),
        _page_without_tokens(unknown, "personne@nulle-part.test"),
    }
    assert len(pages) == 1
    assert GENERIC in unescape(pages.pop())


def test_the_password_hasher_runs_for_unknown_and_locked_accounts_too(
    anonymous, personas, monkeypatch
):
    """The same work whatever the account (no timing to tell an existing account): each
    attempt hashes the password typed once."""
    from django.contrib.auth.hashers import MD5PasswordHasher

    calls = []
    encode = MD5PasswordHasher.encode

    def counted(self, password, salt):
        calls.append(password)
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counted)
    for _ in range(5):
        anonymous.post("/connexion/", {"email": "nina.national@foph.test", "password": "faux"})
    assert calls == ["faux"] * 5
    for email, password in (
        ("nina.national@foph.test", PASSWORD),  # locked from this address
        ("personne@nulle-part.test", "inconnu"),  # no such account
        ("remi.regional@arhlm-hdf.test", "faux"),  # wrong password
        ("remi.regional@arhlm-hdf.test", PASSWORD),  # right password
    ):
        calls.clear()
        anonymous.post("/connexion/", {"email": email, "password": password})
        assert calls == [password], email


def test_failed_logins_are_in_the_audit_log_with_the_address(anonymous, personas):
    typed = "  Personne@Nulle-Part.TEST "
    anonymous.post("/connexion/", {"email": typed, "password": "secret-essayé"})
    for _ in range(5):
        anonymous.post(
            "/connexion/",
            {"email": "nina.national@foph.test", "password": "faux"},
            REMOTE_ADDR="192.0.2.9",
        )
    anonymous.post(
        "/connexion/",
        {"email": "nina.national@foph.test", "password": PASSWORD},
        REMOTE_ADDR="192.0.2.9",
    )
    refused = AuditLog.objects.filter(action="connexion refusée").order_by("pk")
    details = [entry.detail for entry in refused]
    assert details[0] == {
        "email": "personne@nulle-part.test",
        "address": "127.0.0.1",
        "reason": "compte inconnu",
    }
    assert details[1] == {
        "email": "nina.national@foph.test",
        "account": personas.national.pk,
        "address": "192.0.2.9",
        "reason": "mot de passe",
    }
    assert details[-1]["reason"] == "connexion suspendue" and len(details) == 7
    lock = AuditLog.objects.get(action="connexion suspendue")
    assert lock.detail["address"] == "192.0.2.9"
    everything = str([e.detail for e in AuditLog.objects.all()])
    assert all(secret not in everything for secret in ("secret-essayé", PASSWORD, "faux"))
    long_typed = "a" * 300 + "@exemple.test"
    anonymous.post("/connexion/", {"email": long_typed, "password": "x"})
    refused = AuditLog.objects.filter(action="connexion refusée").order_by("pk")
    assert refused.count() == 8 and len(refused.last().detail["email"]) <= 254
    admin = login(Client(), personas.admin)
    journal = admin.get("/journal/", {"action": "connexion refusée"}).content.decode()
    assert "personne@nulle-part.test" in journal and "192.0.2.9" in journal


def test_national_administrator_must_set_up_two_factor(anonymous, personas):
    response = anonymous.post(
        "/connexion/", {"email": "alice.admin@union-habitat.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    blocked = anonymous.get("/elus/changements/")
    assert blocked.status_code == 302 and blocked["Location"].startswith(
        "/compte/double-authentification/"
    )
    setup = anonymous.get("/compte/double-authentification/").content.decode()
    assert "<svg" in setup and "Scannez ce code QR" in setup
    device = TOTPDevice.objects.get(user=personas.admin, confirmed=False)
    wrong = anonymous.post("/compte/double-authentification/", {"code": "000000"}).content.decode()
    assert "Code incorrect" in wrong
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # django-otp slows down guessing…
    device.throttle_reset()  # …for a second: the test does not wait
    anonymous.post("/compte/double-authentification/", {"code": code_for(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert anonymous.get("/elus/changements/").status_code == 200


def test_login_with_two_factor_asks_for_the_code(anonymous, personas):
    device = TOTPDevice.objects.create(user=personas.regional, name="tel", confirmed=True)
    response = anonymous.post(
        "/connexion/", {"email": "remi.regional@arhlm-hdf.test", "password": PASSWORD}
    )
    assert response["Location"].startswith("/connexion/code/")
    assert anonymous.get("/mon-territoire/").status_code == 302  # not logged in yet
    html = anonymous.post("/connexion/code/", {"code": "12345"}).content.decode()
    assert "Le code compte 6 chiffres." in html
    response = anonymous.post("/connexion/code/", {"code": code_for(device)})
    assert response.status_code == 302
    assert anonymous.get("/mon-territoire/").status_code == 200


def test_the_code_step_is_under_the_same_lock_out(anonymous, personas):
    device = TOTPDevice.objects.create(user=personas.regional, name="tel", confirmed=True)
    credentials = {"email": "remi.regional@arhlm-hdf.test", "password": PASSWORD}
    assert anonymous.post("/connexion/", credentials)["Location"].startswith("/connexion/code/")
    pages = []
    for _ in range(6):
        wrong = wrong_code_for(device)
        pages.append(unescape(anonymous.post("/connexion/code/", {"code": wrong}).content.decode()))
    assert all("Code incorrect ou expiré." in page for page in pages[:4])
    assert "Trop d'essais infructueux" in pages[4]
    failures = AuditLog.objects.filter(action="connexion refusée", detail__reason="code")
    assert failures.count() == 5  # the sixth code was not even looked at
    device.throttle_reset()
    anonymous.post("/connexion/code/", {"code": code_for(device)})
    assert anonymous.get("/mon-territoire/").status_code == 302  # the right code comes too late
    assert anonymous.post("/connexion/", credentials).status_code == 200  # so does the password
    assert AuditLog.objects.filter(action="connexion suspendue").count() == 1
    elsewhere = Client(REMOTE_ADDR="192.0.2.7")
    assert elsewhere.post("/connexion/", credentials)["Location"].startswith("/connexion/code/")


def test_the_two_factor_page_is_under_the_same_lock_out(anonymous, personas):
    """/compte/double-authentification/ (an administrator's session to verify, a device to set
    up) counts its codes with the login's: the sixth code is refused, even the right one."""
    anonymous.post("/connexion/", {"email": "alice.admin@union-habitat.test", "password": PASSWORD})
    anonymous.get("/compte/double-authentification/")
    device = TOTPDevice.objects.get(user=personas.admin, confirmed=False)
    pages = [
        unescape(
            anonymous.post(
                "/compte/double-authentification/", {"code": wrong_code_for(device)}
            ).content.decode()
        )
        for _ in range(5)
    ]
    assert "Code incorrect ou expiré" in pages[0] and "Trop d'essais infructueux" in pages[4]
    wrong_code_for(device)  # resets django-otp's delay
    refused = anonymous.post("/compte/double-authentification/", {"code": code_for(device)})
    assert "Trop d'essais infructueux" in unescape(refused.content.decode())
    device.refresh_from_db()
    assert not device.confirmed
    assert anonymous.get("/elus/changements/").status_code == 302
    assert AuditLog.objects.filter(action="connexion refusée", detail__reason="code").count() == 5


def test_attempts_in_flight_cannot_pass_the_limit(personas):
    """Each attempt is counted before its password or code is checked: of seven parallel
    requests from one address, five are looked at, the fifth locking the address."""
    from mandature.movement.auth import start_attempt

    attempts = [start_attempt(personas.national, "192.0.2.5") for _ in range(7)]
    assert [attempt.refused_until is None for attempt in attempts] == [True] * 5 + [False] * 2
    assert attempts[4].last and attempts[5].reason == "connexion suspendue"
    assert start_attempt(personas.national, "192.0.2.6").refused_until is None


def test_a_login_forgets_the_addresses_not_used_lately(anonymous, personas):
    from datetime import timedelta

    from django.utils import timezone

    from mandature.movement.models import LoginAddress

    now, user = timezone.now(), personas.national
    LoginAddress.objects.bulk_create(
        [
            LoginAddress(user=user, address="192.0.2.1", last_success_at=now - timedelta(days=91)),
            LoginAddress(user=user, address="192.0.2.2", failures=3),
            LoginAddress(user=user, address="192.0.2.3", locked_until=now + timedelta(minutes=5)),
            LoginAddress(user=user, address="192.0.2.4", last_success_at=now - timedelta(days=89)),
        ]
    )
    anonymous.post("/connexion/", {"email": user.email, "password": PASSWORD})
    kept = LoginAddress.objects.filter(user=user).order_by("address")
    assert list(kept.values_list("address", flat=True)) == ["127.0.0.1", "192.0.2.3", "192.0.2.4"]


def test_invitation_by_email_sets_the_password_once(client, personas):
    regional = Organisation.objects.get(kind="association", regions="32")
    login(client, personas.regional)
    refused = client.post(
        "/utilisateurs/inviter/",
        {
            "email": "x@y.fr",
            "first_name": "X",
            "last_name": "Y",
            "organisation": regional.pk,
            "role": "charge",
            "departements": "13",
        },
    )
    assert "Hors du territoire de l'organisation : département 13." in unescape(
        refused.content.decode()
    )
    response = client.post(
        "/utilisateurs/inviter/",
        {
            "email": "Paul.Nouveau@arhlm-hdf.test",
            "first_name": "Paul",
            "last_name": "Nouveau",
            "organisation": regional.pk,
            "role": "lecture",
            "departements": "59",
        },
    )
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert message.to == ["paul.nouveau@arhlm-hdf.test"] and "lecture seule" in message.body
    from mandature.movement.models import Profile

    invited = Profile.objects.get(user__email="paul.nouveau@arhlm-hdf.test")
    client.post(f"/utilisateurs/{invited.pk}/", {"renvoyer": "1"})
    assert len(mail.outbox) == 2 and mail.outbox[-1].to == ["paul.nouveau@arhlm-hdf.test"]
    link = re.search(r"http://testserver(/invitation/\S+/)", message.body).group(1)
    visitor = Client()
    page = visitor.get(link).content.decode()
    assert "Choisissez votre mot de passe" in page
    mismatch = visitor.post(
        link,
        {
            "first_name": "Paul",
            "last_name": "Nouveau",
            "password1": "Un-mot-de-passe-1",
            "password2": "autre",
        },
    )
    assert "Les deux mots de passe ne sont pas identiques." in mismatch.content.decode()
    visitor.post(
        link,
        {
            "first_name": "Paul",
            "last_name": "Nouveau",
            "password1": "Un-mot-de-passe-1",
            "password2": "Un-mot-de-passe-1",
        },
    )
    territory = visitor.get("/mon-territoire/").content.decode()
    assert "Nord (59)" in territory
    assert Client().get(link).status_code == 404  # single use


def test_password_reset_by_email_also_lifts_a_lock_out(anonymous, personas):
    for _ in range(5):
        anonymous.post("/connexion/", {"email": "lea.lecture@arhlm-hdf.test", "password": "faux"})
    anonymous.post("/mot-de-passe-oublie/", {"email": "lea.lecture@arhlm-hdf.test"})
    link = re.search(r"http://testserver(/mot-de-passe/\S+/)", mail.outbox[-1].body).group(1)
    form = anonymous.get(link, follow=True)
    url = form.redirect_chain[-1][0] if form.redirect_chain else link
    anonymous.post(
        url, {"new_password1": "Nouveau-secret-2026", "new_password2": "Nouveau-secret-2026"}
    )
    response = anonymous.post(
        "/connexion/", {"email": "lea.lecture@arhlm-hdf.test", "password": "Nouveau-secret-2026"}
    )
    assert response.status_code == 302 and response["Location"] == "/mon-territoire/"


def test_create_admin_command(db, monkeypatch, capsys):
    monkeypatch.setenv("MANDATURE_ADMIN_PASSWORD", "Premier-admin-2026")
    call_command("create_admin", email="chef@union-habitat.test", nom="Chef", prenom="Claire")
    client = Client()
    response = client.post(
        "/connexion/", {"email": "chef@union-habitat.test", "password": "Premier-admin-2026"}
    )
    assert response.status_code == 302
    assert client.get("/mon-territoire/")["Location"].startswith("/compte/double-authentification/")
    with pytest.raises(CommandError) as error:
        call_command("create_admin", email="chef@union-habitat.test")
    assert error.value.returncode == 2 and "existe déjà" in str(error.value)


def test_create_admin_without_a_terminal_says_how_to_give_the_password(db, monkeypatch):
    import getpass

    def no_terminal(prompt=""):
        raise EOFError

    monkeypatch.delenv("MANDATURE_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr(getpass, "getpass", no_terminal)
    with pytest.raises(CommandError) as error:
        call_command("create_admin", email="chef@union-habitat.test")
    assert error.value.returncode == 2 and "MANDATURE_ADMIN_PASSWORD" in str(error.value)


def test_audit_log_is_for_national_administrators(client, personas):
    assert client.get("/journal/").status_code == 403
    login(client, personas.admin)
    assert "Journal d'accès" in client.get("/journal/").content.decode()


def test_invitation_and_reminder_go_through_a_real_smtp_server(client, personas, smtp_sink):
    from datetime import date, timedelta

    from mandature.relations.models import FollowUp
    from mandature.relations.reminders import send_reminders

    federation = Organisation.objects.get(kind="federation", short_name="FOPH")
    login(client, personas.admin)
    client.post(
        "/utilisateurs/inviter/",
        {
            "email": "iris.invitee@foph.test",
            "first_name": "Iris",
            "last_name": "Invitée",
            "organisation": federation.pk,
            "role": "charge",
        },
    )
    message = smtp_sink.messages[-1]
    assert message["To"] == "iris.invitee@foph.test"
    assert message["Subject"] == "Votre accès à Mandature"
    body = message.get_content()
    assert "chargé de mission pour Fédération des Offices publics de l'habitat" in body
    link = re.search(r"http://testserver(/invitation/\S+/)", body).group(1)
    assert "Choisissez votre mot de passe" in Client().get(link).content.decode()
    FollowUp.objects.create(
        title="Appeler le maire",
        due_date=date.today() - timedelta(days=1),
        assignee=personas.national,
    )
    assert send_reminders() == (1, 1)
    reminder = smtp_sink.messages[-1]
    assert reminder["To"] == "nina.national@foph.test"
    assert "Appeler le maire" in reminder.get_content()


def test_a_user_s_role_and_territory_change_and_a_leaver_is_deactivated(client, personas):
    login(client, personas.regional)
    reader = personas.reader.profile
    page = client.get(f"/utilisateurs/{reader.pk}/").content.decode()
    assert 'value="lecture" selected' in page or "lecture seule" in page
    assert client.get(f"/utilisateurs/{personas.organism.profile.pk}/").status_code == 404
    outside = client.post(
        f"/utilisateurs/{reader.pk}/",
        {
            "organisation": reader.organisation_id,
            "role": "charge",
            "departements": "33",
            "active": "on",
        },
    )
    assert "Hors du territoire de l'organisation" in unescape(outside.content.decode())
    client.post(
        f"/utilisateurs/{reader.pk}/",
        {
            "organisation": reader.organisation_id,
            "role": "charge",
            "departements": "62",
            "active": "on",
        },
    )
    reader.refresh_from_db()
    assert reader.role == "charge" and list(reader.departements.values_list("pk", flat=True)) == [
        "62"
    ]
    leaver = Client()
    login(leaver, personas.reader)
    assert "Pas-de-Calais (62)" in leaver.get("/mon-territoire/").content.decode()
    client.post(
        f"/utilisateurs/{reader.pk}/", {"organisation": reader.organisation_id, "role": "charge"}
    )
    response = Client().post(
        "/connexion/", {"email": "lea.lecture@arhlm-hdf.test", "password": PASSWORD}
    )
    assert "Adresse électronique ou mot de passe incorrect." in unescape(response.content.decode())
    assert AuditLog.objects.filter(action="utilisateur modifié").count() == 2
    assert AuditLog.objects.filter(
        action="connexion refusée", detail__reason="compte désactivé"
    ).exists()
