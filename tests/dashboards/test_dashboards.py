"""The map's data and the renewal dashboards, as their readers see them."""

import gzip
import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from mandature.dashboards import geometry
from mandature.officials.enums import ChangeType
from mandature.officials.services import cached_changes, default_comparison
from mandature.relations.models import Interaction
from tests.conftest import login

pytestmark = pytest.mark.django_db


def data(client, key):
    response = client.get(f"/carte/donnees.json?indicateur={key}")
    return response.status_code, json.loads(response.content)


def new_mayors(departement=None):
    changes = cached_changes(*default_comparison()).of_type(ChangeType.NEW_MAYOR)
    return [c for c in changes if departement is None or c.departement_code == departement]


def test_the_shapes_are_served_compressed_and_cover_the_communes(client):
    response = client.get("/carte/communes.topojson", HTTP_ACCEPT_ENCODING="gzip, br")
    assert response["Content-Encoding"] == "gzip" and len(response.content) < 2_000_000
    topology = json.loads(gzip.decompress(response.content))
    codes = {g["properties"]["code"] for g in topology["objects"]["communes"]["geometries"]}
    assert {"33063", "59350", "97411", "2A004"} <= codes and len(codes) > 34_800
    plain = client.get("/carte/communes.topojson", HTTP_ACCEPT_ENCODING="identity")
    assert "Content-Encoding" not in plain and json.loads(plain.content)["type"] == "Topology"
    again = client.get("/carte/communes.topojson", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_new_mayor_values_follow_the_change_detection(client):
    status, body = data(client, "nouveau-maire")
    values = body["valeurs"]
    assert status == 200 and len(values) == len(geometry.codes())
    position = {code: i for i, code in enumerate(geometry.codes())}
    first_time = [c for c in new_mayors() if c.type == ChangeType.FIRST_TIME_MAYOR]
    for change in first_time[:200]:
        assert values[position[change.seat.commune_id]] == "0"
    legend = {item["libelle"]: item["communes"] for item in body["legende"]}
    drawn = sum(1 for c in first_time if c.seat.commune_id in position)
    assert legend["premier mandat de maire"] == drawn
    assert "17/04/2026" in body["note"]


def test_housing_and_sru_indicators(client):
    _, rate = data(client, "taux-hlm")
    position = {code: i for i, code in enumerate(geometry.codes())}
    assert rate["valeurs"][position["59350"]] == "5"  # Lille: 25.5 % → « 25 % et plus »
    _, sru = data(client, "sru")
    assert sru["legende"][0]["libelle"].startswith("soumise à l'article 55, en déficit")
    assert sum(item["communes"] for item in sru["legende"]) > 34_000
    assert data(client, "inconnu")[0] == 400


def test_contacted_shows_the_users_territory_only(client, personas):
    lille_mayor = next(c for c in new_mayors("59") if c.seat.commune_id)  # any new mayor of Nord
    interaction = Interaction.objects.create(
        kind="meeting", date=date(2026, 6, 1), summary="Premier rendez-vous"
    )
    interaction.persons.add(lille_mayor.person)
    login(client, personas.regional)
    _, body = data(client, "contacte")
    position = {code: i for i, code in enumerate(geometry.codes())}
    assert body["valeurs"][position[lille_mayor.seat.commune_id]] == "0"
    assert body["valeurs"][position["33063"]] == "x"  # Bordeaux: outside Hauts-de-France
    assert body["legende"][0]["communes"] >= 1 and "Hauts-de-France" in body["territoire"]
    _, public = data(client, "nouveau-maire")
    assert public["valeurs"][position["33063"]] != "x"  # territorial facts: all of France


def test_the_dashboard_counts_each_action_once_per_new_mayor(client, personas):
    from mandature.campaigns.models import Campaign, Recipient
    from mandature.events.models import Event, Invitation, Registration, Session
    from mandature.surveys.models import Respondent, Survey

    nord = new_mayors("59")
    first, second, third = nord[0].person, nord[1].person, nord[2].person
    for day in (date(2026, 4, 2), date(2026, 5, 3)):  # twice: counted once
        meeting = Interaction.objects.create(kind="meeting", date=day, summary="Rencontre")
        meeting.persons.add(first)
    old = Interaction.objects.create(kind="call", date=date(2025, 12, 1), summary="Avant")
    old.persons.add(second)  # before the first round: not part of the renewal
    event = Event.objects.create(title="Petit-déjeuner des maires", kind="breakfast")
    start = timezone.now() + timedelta(days=3)
    session = Session.objects.create(
        event=event, title="Matin", starts_at=start, ends_at=start + timedelta(hours=2)
    )
    for person in (first, second):
        invitation = Invitation.objects.create(event=event, person=person, name=str(person))
        Registration.objects.create(
            invitation=invitation,
            session=session,
            status="confirmed",
            checked_in_at=timezone.now() if person == first else None,
        )
    survey = Survey.objects.filter(is_example=True).first()
    Respondent.objects.create(survey=survey, person=third, submitted_at=timezone.now())
    campaign = Campaign.objects.create(
        name="Fiches", channel="email", subject="Votre fiche", body="La fiche : {lien_fiche}"
    )
    Recipient.objects.create(campaign=campaign, person=third, status="sent", sent_at=timezone.now())

    login(client, personas.regional)
    page = client.get("/tableau-de-bord/32/").content.decode()
    assert "Hauts-de-France" in page
    rows = client.get("/tableau-de-bord/32/?format=csv").getvalue().decode("utf-8-sig").splitlines()
    header = rows[0].split(";")
    total = dict(zip(header, rows[1].split(";"), strict=True))
    region_new = len([c for c in new_mayors() if c.region_code == "32"])
    assert int(total["nouveaux maires"]) == region_new
    assert total["contactés (un échange)"] == "1"
    assert total["invités à un événement"] == "2"
    assert total["venus à un événement"] == "1"
    assert total["ont répondu à une enquête"] == "1"
    assert total["ont reçu la fiche de leur commune"] == "1"
    nord_row = next(
        dict(zip(header, r.split(";"), strict=True)) for r in rows[2:] if r.startswith("59;")
    )
    assert int(nord_row["nouveaux maires"]) == len(nord)
    assert nord_row["invités à un événement"] == "2"
    svg = client.get("/tableau-de-bord/32/?graphique=evolution")
    assert svg["Content-Type"].startswith("image/svg+xml")
    assert "attachment" in svg["Content-Disposition"] and b"<polyline" in svg.content
    # a regional user has no national dashboard: they land on their région's
    assert client.get("/tableau-de-bord/")["Location"] == "/tableau-de-bord/32/"
    assert client.get("/tableau-de-bord/93/").status_code == 404
