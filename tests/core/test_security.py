"""Security as a visitor sees it: headers on every page, rate limits that trip on the pages
anyone can post to, links that expire, uploads of the wrong type refused."""

import pytest
from django.core.cache import caches

from mandature.surveys.models import Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_limits(settings):
    caches["shared"].clear()
    settings.RATE_LIMITS = {"login": "3/min", "public": "3/min"}
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
    other = anonymous.post("/connexion/", {"username": "x@y.fr", "password": "faux"},
                           REMOTE_ADDR="192.0.2.7")  # fmt: skip
    assert other.status_code == 200  # another address is not blocked
    reset = [anonymous.post("/mot-de-passe-oublie/", {"email": "x@y.fr"}).status_code
             for _ in range(4)]  # fmt: skip
    assert reset[-1] == 429


def test_public_survey_links_are_rate_limited(anonymous, low_limits):
    survey = Survey.objects.filter(is_example=True).first()
    survey.public_link, survey.status = True, "open"
    survey.save()
    statuses = [anonymous.get(f"/enquete/public/{survey.public_key}/").status_code
                for _ in range(4)]  # fmt: skip
    assert statuses[3] == 429 and statuses[0] in (200, 302)
