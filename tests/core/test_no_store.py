"""Personal pages and exports are never kept by a browser's disk cache or a proxy
(`Cache-Control: no-store`): every logged-in page, every download, every public page reached by
a personal link. Static files keep their long cache; a view that chose its own cache keeps it."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mandature.events.models import Event, Invitation
from mandature.events.services import invitation_token
from mandature.officials.services import commune_team
from mandature.territories.models import Commune

pytestmark = pytest.mark.django_db


def assert_not_stored(response, url):
    assert response.status_code == 200, url
    assert response["Cache-Control"] == "no-store", url
    assert response["Pragma"] == "no-cache", url


def test_logged_in_pages_and_exports_are_not_stored(client):
    mayor = commune_team(Commune.objects.get(code="59350")).mayor.person
    for url in (
        "/carte/",
        "/regions/",
        "/regions/?format=csv",
        "/regions/?format=xlsx",
        f"/elus/{mayor.pk}/donnees.json",
        "/api/v1/regions",
    ):
        assert_not_stored(client.get(url), url)
    # the map's shapes are the same for everyone: the view's own cache stays
    assert client.get("/carte/communes.topojson")["Cache-Control"] == "private, max-age=86400"


def test_personal_links_are_not_stored(anonymous, personas):
    from mandature.movement.accounts import create_account
    from mandature.movement.accounts import invitation_token as account_token

    invited = create_account(
        "ines.invitee@arhlm-hdf.test",
        "Inès",
        "Invitée",
        personas.regional.profile.organisation,
        "charge",
    )
    start = timezone.now() + timedelta(days=10)
    event = Event.objects.create(title="Petit-déjeuner débat", kind="breakfast", address="Paris")
    event.sessions.create(title="Débat", starts_at=start, ends_at=start + timedelta(hours=2))
    guest = Invitation.objects.create(event=event, name="Élu", email="elu@mairie.test")
    for url in (
        f"/invitation/{account_token(invited)}/",
        reverse("web:rsvp", args=[invitation_token(guest)]),
    ):
        assert_not_stored(anonymous.get(url), url)


def test_static_files_keep_their_cache(settings):
    settings.WHITENOISE_USE_FINDERS = True  # read at the first request of a new client
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get("/static/ninja/swagger-ui-bundle.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
