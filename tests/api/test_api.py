"""The REST API as a partner's tool sees it: tokens, scope, filters, pagination, errors, the
audit log, rate limiting, the schema and its documentation."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from mandature.api.models import ApiToken
from mandature.core.models import AuditLog
from mandature.officials.enums import ChangeType
from mandature.officials.services import cached_changes, default_comparison
from mandature.territories.models import Commune
from tests.api.helpers import populate, token_for
from tests.conftest import login

pytestmark = pytest.mark.django_db


def call(client, url, token):
    response = client.get(url, headers={"Authorization": f"Bearer {token}"})
    return response.status_code, json.loads(response.content)


@pytest.fixture
def data(personas):
    return populate(personas)


def test_a_token_is_needed_and_a_revoked_or_expired_one_is_refused(anonymous, personas):
    assert call(anonymous, "/api/v1/communes", "")[0] == 401
    assert call(anonymous, "/api/v1/communes", "mdt_not-a-real-token")[0] == 401
    record, token = ApiToken.issue(personas.regional, "outil")
    assert call(anonymous, "/api/v1/regions", token)[0] == 200
    assert ApiToken.objects.get(pk=record.pk).last_used_at is not None
    ApiToken.objects.filter(pk=record.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert call(anonymous, "/api/v1/regions", token)[0] == 401
    ApiToken.objects.filter(pk=record.pk).update(
        expires_at=timezone.now() + timedelta(days=1), revoked_at=timezone.now()
    )
    status, body = call(anonymous, "/api/v1/regions", token)
    assert status == 401 and body["detail"]


def test_tokens_are_made_shown_once_and_revoked_from_the_account_page(client, anonymous, personas):
    login(client, personas.regional)
    page = client.post("/compte/", {"action": "token", "name": "Outil de l'OPH"}).content.decode()
    token = page.split('<code id="new-token">')[1].split("</code>")[0]
    assert token.startswith("mdt_")
    record = ApiToken.objects.get(user=personas.regional)
    assert record.key_hash != token and token not in record.hint  # only a hash is kept
    assert token not in client.get("/compte/").content.decode()  # shown once
    assert call(anonymous, "/api/v1/regions", token)[0] == 200
    page = client.get("/compte/").content.decode()
    assert 'data-confirm="Révoquer le jeton « Outil de l&#x27;OPH » ?' in page
    done = client.post("/compte/", {"action": "revoke", "token": str(record.pk)}, follow=True)
    assert "Jeton « Outil de l&#x27;OPH » révoqué" in done.content.decode()
    assert AuditLog.objects.filter(action="jeton d'API révoqué", user=personas.regional).exists()
    assert call(anonymous, "/api/v1/regions", token)[0] == 401
    assert call(client, "/api/v1/regions", "")[0] == 200  # the session of a logged-in user
    assert client.post("/compte/", {"action": "revoke", "token": "x'1"}).status_code == 302


def test_the_token_carries_the_scope_of_its_user(anonymous, personas, data):
    token = token_for(personas.regional)  # Hauts-de-France
    status, body = call(anonymous, "/api/v1/regions", token)
    assert [r["code"] for r in body["items"]] == ["32"]
    assert call(anonymous, "/api/v1/communes/59350", token)[1]["name"] == "Lille"
    status, body = call(anonymous, "/api/v1/communes/13055", token)  # Marseille: out of scope
    assert status == 404 and "hors de votre territoire" in body["detail"]
    assert call(anonymous, "/api/v1/communes?departement=13", token)[1]["count"] == 0
    nord = Commune.objects.current().filter(departement="59").count()
    assert call(anonymous, "/api/v1/communes?departement=59", token)[1]["count"] == nord > 600
    status, body = call(anonymous, "/api/v1/interactions", token)
    assert [i["summary"] for i in body["items"]] == ["Rencontre à Lille"]
    assert call(anonymous, f"/api/v1/interactions/{data['there'].pk}", token)[0] == 404
    assert call(anonymous, f"/api/v1/officials/{data['other'].pk}", token)[0] == 404
    national = token_for(personas.national)
    assert call(anonymous, f"/api/v1/interactions/{data['there'].pk}", national)[0] == 200


def test_lists_page_and_filter(anonymous, personas):
    token = token_for(personas.national)
    status, body = call(anonymous, "/api/v1/communes?departement=33&limit=5&offset=5", token)
    gironde = Commune.objects.current().filter(departement="33").count()
    assert status == 200 and len(body["items"]) == 5 and body["count"] == gironde > 500
    codes = [c["code"] for c in body["items"]]
    assert codes == sorted(codes) and all(code.startswith("33") for code in codes)
    body = call(anonymous, "/api/v1/communes?nom=Bordeaux&departement=33", token)[1]
    assert [c["code"] for c in body["items"]] == ["33063"]
    body = call(anonymous, "/api/v1/communes?offset=1000000", token)[1]
    assert body["items"] == [] and body["count"] > 34000
    body = call(anonymous, "/api/v1/officials?commune=33063", token)[1]
    assert body["count"] == 1 and body["items"][0]["seat"]["function_code"] == "maire"
    official = body["items"][0]["official"]
    assert official["age_band"].endswith("ans") and "birth_date" not in json.dumps(body)


def test_changes_match_the_change_detection(anonymous, personas):
    token = token_for(personas.national)
    status, body = call(anonymous, "/api/v1/changes?type=first-time-mayor&departement=33", token)
    expected = [
        c
        for c in cached_changes(*default_comparison()).changes
        if c.type == ChangeType.FIRST_TIME_MAYOR and c.departement_code == "33"
    ]
    assert status == 200 and body["count"] == len(expected) > 50
    assert (
        body["before"]["data_date"] == "2022-01-27" and body["after"]["data_date"] == "2026-04-17"
    )
    assert {item["commune"] for item in body["items"]} <= {c.seat.commune_id for c in expected}
    assert call(anonymous, "/api/v1/changes?from=2020-01-01&to=2020-02-01", token)[0] == 404


def test_housing_profile_gives_the_figures_and_the_sru_estimate(anonymous, personas):
    token = token_for(personas.national)
    body = call(anonymous, "/api/v1/housing/59350", token)[1]
    years = {y["year"]: y for y in body["years"]}
    latest = years[2022]
    assert latest["social_rate"] == round(100 * latest["social_units"] / latest["housing_units"], 1)
    assert body["sru"]["official"] is False and "estim" in body["method"].lower()
    listed = call(anonymous, "/api/v1/housing?departement=59&limit=3", token)[1]
    assert len(listed["items"]) == 3
    assert listed["count"] == Commune.objects.current().filter(departement="59").count()


def test_personal_data_needs_the_export_right_and_is_logged(anonymous, personas, data):
    reader = token_for(personas.reader)
    status, body = call(anonymous, "/api/v1/contacts", reader)
    assert status == 403 and "données personnelles" in body["detail"]
    token = token_for(personas.regional)
    body = call(anonymous, "/api/v1/contacts", token)[1]
    assert [c["email"] for c in body["items"]] == ["cabinet@lille.test"]
    entry = AuditLog.objects.filter(action="api:contacts").latest("at")
    assert entry.user == personas.regional and entry.channel == "api"
    event = data["event"]
    status, body = call(anonymous, f"/api/v1/events/{event.pk}/registrations", token)
    assert status == 200 and body["items"][0]["official"]["id"] == data["mayor"].pk
    assert AuditLog.objects.filter(action="api:registrations", user=personas.regional).exists()
    organism = token_for(personas.organism)  # another organisation's event
    assert call(anonymous, f"/api/v1/events/{event.pk}", organism)[0] == 404


def test_invalid_parameters_get_422_and_unknown_objects_404(anonymous, personas):
    token = token_for(personas.national)
    for url in (
        "/api/v1/communes?departement=XYZ",
        "/api/v1/communes?limit=0",
        "/api/v1/communes?limit=501",
        "/api/v1/officials/abc",
        "/api/v1/officials?kind=maire",
        "/api/v1/changes?from=2026-13-01",
        "/api/v1/interactions?since=hier",
        "/api/v1/communes?nom=%00",
        "/api/v1/officials?date=0",
        "/api/v1/communes?nom=",
    ):
        status, body = call(anonymous, url, token)
        assert status == 422, url
        assert body["detail"][0]["loc"], url
    for url in (
        "/api/v1/communes/99999",
        "/api/v1/officials/2147483647",
        "/api/v1/events/1234567",
        "/api/v1/epci/000000000",
    ):
        status, body = call(anonymous, url, token)
        assert status == 404 and body["detail"], url


def test_rate_limit_answers_429_in_french_with_retry_after(anonymous, personas, settings):
    settings.API_RATE_LIMIT = "3/min"
    token = token_for(personas.national)
    statuses = [call(anonymous, "/api/v1/regions", token)[0] for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = anonymous.get("/api/v1/regions", headers={"Authorization": f"Bearer {token}"})
    wait = int(response.headers["Retry-After"])
    assert 0 < wait <= 60
    assert json.loads(response.content) == {
        "detail": f"Trop de requêtes\u00a0: réessayez dans {wait}\u00a0seconde{'s' if wait > 1 else ''}."
    }
    other = token_for(personas.regional)  # the limit is per user
    assert call(anonymous, "/api/v1/regions", other)[0] == 200


def test_schema_and_interactive_docs(anonymous):
    schema = json.loads(anonymous.get("/api/v1/openapi.json").content)
    paths = schema["paths"]
    for path in (
        "/api/v1/communes",
        "/api/v1/officials",
        "/api/v1/changes",
        "/api/v1/housing/{code}",
        "/api/v1/contacts",
        "/api/v1/interactions",
        "/api/v1/events/{event_id}/registrations",
    ):
        assert path in paths
    assert set(paths["/api/v1/communes"]["get"]["responses"]) >= {"200", "401", "404", "422", "429"}
    docs = anonymous.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert "/api/v1/openapi.json" in docs


def test_errors_speak_french(anonymous, personas):
    status, body = call(anonymous, "/api/v1/communes", "")
    assert status == 401 and body["detail"].startswith("Authentification nécessaire")
    token = token_for(personas.national)
    status, body = call(anonymous, "/api/v1/communes?limit=0", token)
    assert status == 422
    assert body["detail"] == [
        {"loc": ["query", "limit"], "msg": "doit être au moins 1", "type": "greater_than_equal"}
    ]
    status, body = call(anonymous, "/api/v1/officials?date=0", token)
    assert body["detail"][0]["msg"] == "date attendue au format AAAA-MM-JJ"
    status, body = call(anonymous, "/api/v1/officials/abc", token)
    assert body["detail"][0]["msg"] == "nombre entier attendu"
    response = anonymous.post("/api/v1/communes", headers={"Authorization": f"Bearer {token}"})
    body = json.loads(response.content)
    assert response.status_code == 405 and response["Allow"] == "GET"
    assert body["detail"] == "Méthode POST non permise à cette adresse ; permise(s) : GET."
