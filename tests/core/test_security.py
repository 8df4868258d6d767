"""Security as a visitor sees it: headers on every page, rate limits that trip on the pages
anyone can post to, links that expire, uploads of the wrong type refused."""

from types import SimpleNamespace

import pytest
from django.core.cache import caches

from mandature.surveys.models import Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_limits(settings, monkeypatch):
    caches["shared"].clear()
    settings.RATE_LIMITS = {"login": "3/min", "public": "3/min"}
    # the counters are per minute: a test that crossed a minute's end would start afresh
    clock = SimpleNamespace(time=lambda: 1_800_000_030.0)  # the middle of a minute
    monkeypatch.setattr("mandature.core.ratelimit.time", clock)
    yield
    caches["shared"].clear()


def test_every_page_has_the_security_headers(client, anonymous):
    for response in (client.get("/carte/"), anonymous.get("/connexion/")):
        policy = response["Content-Security-Policy"]
        assert "script-src 'self';" in policy + ";"
        assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        assert "unsafe-eval" not in policy and "frame-ancestors 'none'" in policy
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert "camera=(self)" in response["Permissions-Policy"]
    page = client.get("/carte/").content.decode()
    assert "<script>" not in page and " onclick=" not in page and " onsubmit=" not in page


def test_login_is_rate_limited_per_address(anonymous, low_limits):
    statuses = [
        anonymous.post("/connexion/", {"username": "x@y.fr", "password": "faux"}).status_code
        for _ in range(4)
    ]
    assert statuses[:3] == [200, 200, 200] and statuses[3] == 429
    blocked = anonymous.post("/connexion/", {"username": "x@y.fr", "password": "faux"})
    assert int(blocked["Retry-After"]) > 0
    assert "Trop de demandes" in blocked.content.decode()
    other = anonymous.post(
        "/connexion/", {"username": "x@y.fr", "password": "faux"}, REMOTE_ADDR="192.0.2.7"
    )
    assert other.status_code == 200  # another address is not blocked
    reset = [
        anonymous.post("/mot-de-passe-oublie/", {"email": "x@y.fr"}).status_code for _ in range(4)
    ]
    assert reset[-1] == 429


def test_public_survey_links_are_rate_limited(anonymous, low_limits):
    survey = Survey.objects.filter(is_example=True).first()
    survey.public_link, survey.status = True, "open"
    survey.save()
    statuses = [
        anonymous.get(f"/enquete/public/{survey.public_key}/").status_code for _ in range(4)
    ]
    assert statuses[3] == 429 and statuses[0] in (200, 302)


def test_signed_links_expire(anonymous, personas, settings):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from mandature.movement.accounts import create_account, invitation_token

    invited = create_account(
        "ines.invitee@arhlm-hdf.test",
        "Inès",
        "Invitée",
        personas.regional.profile.organisation,
        "charge",
    )
    link = f"/invitation/{invitation_token(invited)}/"
    assert anonymous.get(link).status_code == 200
    settings.INVITATION_DAYS = -1  # as if the days had passed
    expired = anonymous.get(link)
    assert expired.status_code == 404 and "il a expiré" in expired.content.decode()

    user = personas.regional
    reset = (
        f"/mot-de-passe/{urlsafe_base64_encode(force_bytes(user.pk))}/"
        f"{default_token_generator.make_token(user)}/"
    )
    assert anonymous.get(reset).status_code == 302  # valid: on to the new password's form
    settings.PASSWORD_RESET_TIMEOUT = -1
    page = anonymous.get(reset, follow=True).content.decode()
    assert "Ce lien n&#x27;est plus valable" in page or "Ce lien n'est plus valable" in page
    # the events' and publications' personal links: tests/events (test_tampered_and_expired_
    # links_get_a_clear_page), tests/publications (test_the_link_expires); API tokens:
    # tests/api (test_a_token_is_needed_and_a_revoked_or_expired_one_is_refused)


def test_merge_fields_and_templates_cannot_run_code():
    from mandature.campaigns.compose import check, markdown_html
    from mandature.core.french import merge

    values = {"nom": "Martin", "commune": "Lille"}
    text, unknown = merge(
        "{nom} {nom.__class__} {nom[0]} {nom!r} {nom:>20} {__import__} {0}", values
    )
    assert text.startswith("Martin {nom.__class__} {nom[0]}")  # left visible, never evaluated
    assert set(unknown) == {"nom.__class__", "nom[0]", "nom", "__import__", "0"}
    problems = check("Objet", "Bonjour {prenom.__init__.__globals__}", email=True)
    assert problems == ["Champ de fusion inconnu dans le texte : {prenom.__init__.__globals__}."]
    # Django's template language is not evaluated in an editable text, and HTML is escaped
    html = markdown_html("{{ settings.SECRET_KEY }} {% debug %} <script>alert(1)</script>")
    assert "{{ settings.SECRET_KEY }}" in html and "{% debug %}" in html
    assert "<script>" not in html


def test_forms_refuse_a_post_without_the_csrf_token(personas):
    from django.test import Client

    from tests.conftest import PASSWORD, login

    browser = Client(enforce_csrf_checks=True)
    assert (
        browser.post(
            "/connexion/", {"email": personas.national.email, "password": PASSWORD}
        ).status_code
        == 403
    )
    login(browser, personas.national)
    assert browser.post("/suivis/", {"title": "x"}).status_code == 403
    assert browser.post("/deconnexion/").status_code == 403


def test_uploads_of_the_wrong_type_or_size_are_refused(client, personas, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from mandature.officials.models import RneUpload
    from mandature.publications.models import Publication
    from tests.conftest import login

    brochure = Publication.objects.get(title__startswith="Hlm : les 12 questions")
    before = brochure.versions.count()
    login(client, personas.admin)  # the movement's publications: national administrators
    for name, content, message in (
        ("brochure.exe", b"MZ\x90\x00", "Type de fichier refusé (.exe)"),
        ("brochure.pdf", b"<html><script>", "n'est pas celui d'un fichier PDF"),
    ):
        page = client.post(
            f"/publications/{brochure.pk}/",
            {
                "label": "essai",
                "published_on": "2026-10-01",
                "file": SimpleUploadedFile(name, content),
            },
        ).content.decode()
        assert message in page.replace("&#x27;", "'")
    assert brochure.versions.count() == before
    page = client.post("/elus/import/", {"file": SimpleUploadedFile("photo.png", b"\x89PNG")})
    assert "Type de fichier refusé" in page.content.decode()
    settings.RNE_UPLOAD_MAX_BYTES = 10
    page = client.post("/elus/import/", {"file": SimpleUploadedFile("maires.csv", b"x" * 50)})
    assert page.status_code in (200, 413) and not RneUpload.objects.exists()


def test_session_and_csrf_cookies_are_not_readable_by_scripts(anonymous, personas):
    from tests.conftest import PASSWORD

    response = anonymous.post(
        "/connexion/", {"email": personas.national.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"


ELSEWHERE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "javascript:alert(1)",
    "http://testserver.evil.example/",
    " //evil.example/",
]


def test_next_leads_only_to_pages_of_this_site(anonymous, personas):
    from datetime import date

    from django.test import Client

    from mandature.relations.models import FollowUp
    from tests.conftest import PASSWORD, login

    credentials = {"email": personas.national.email, "password": PASSWORD}
    for target in ELSEWHERE:
        page = anonymous.get("/connexion/", {"next": target}).content.decode()
        assert "evil" not in page and "javascript" not in page, target
        browser = Client()
        response = browser.post("/connexion/", {**credentials, "next": target})
        assert response["Location"] == "/mon-territoire/", target
        assert browser.get("/connexion/", {"next": target})["Location"] == "/mon-territoire/"
    response = Client().post("/connexion/", {**credentials, "next": "/elus/?q=Lille&page=2"})
    assert response["Location"] == "/elus/?q=Lille&page=2"

    follow_up = FollowUp.objects.create(
        title="Appeler le maire", due_date=date.today(), assignee=personas.national
    )
    browser = login(Client(), personas.national)
    for target in ELSEWHERE:
        response = browser.post(f"/suivis/{follow_up.pk}/fait/", {"next": target})
        assert response.status_code == 302 and response["Location"] == "/suivis/", target
    response = browser.post(f"/suivis/{follow_up.pk}/fait/", {"next": "/elus/?q=Lille"})
    assert response["Location"] == "/elus/?q=Lille"


def test_next_survives_the_two_factor_step(anonymous, personas):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.conftest import PASSWORD

    device = TOTPDevice.objects.create(user=personas.regional, name="tel", confirmed=True)
    response = anonymous.post(
        "/connexion/",
        {"email": personas.regional.email, "password": PASSWORD, "next": "/elus/?q=Lille&page=2"},
    )
    assert response["Location"] == "/connexion/code/?next=%2Felus%2F%3Fq%3DLille%26page%3D2"
    page = anonymous.get(response["Location"]).content.decode()
    assert 'value="/elus/?q=Lille&amp;page=2"' in page
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    done = anonymous.post("/connexion/code/", {"code": code, "next": "//evil.example/"})
    assert done["Location"] == "/mon-territoire/"


def test_safe_next_helper_behind_https(rf, settings):
    from mandature.core.links import safe_next

    settings.ALLOWED_HOSTS = ["mandature.example"]
    secure = rf.get(
        "/", {"next": "http://mandature.example/elus/"}, secure=True, HTTP_HOST="mandature.example"
    )
    assert safe_next(secure, "web:follow-ups") == "/suivis/"  # no step down to http
    same = rf.get(
        "/", {"next": "https://mandature.example/elus/"}, secure=True, HTTP_HOST="mandature.example"
    )
    assert safe_next(same, "web:follow-ups") == "https://mandature.example/elus/"
    assert safe_next(rf.post("/", {"next": "/elus/\n"}), "/suivis/") == "/suivis/"
