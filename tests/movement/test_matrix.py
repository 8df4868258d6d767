"""Role × resource matrix: each persona sees its own territory and nothing else (404 outside),
may do what its role allows (403 otherwise), and the anonymous visitor sees nothing (login)."""

import csv
import io
import json
from dataclasses import dataclass
from datetime import date

import pytest

from mandature.officials.services import commune_team
from mandature.relations.models import Interaction
from mandature.territories.models import Commune
from tests.conftest import login

# Lille (Hauts-de-France, the regional persona), Marseille (Bouches-du-Rhône, the organism
# persona), Bordeaux (Nouvelle-Aquitaine: nobody's but the national personas').
PLACES = {"hdf": "59350", "paca": "13055", "elsewhere": "33063"}
# persona → the place it may see (None: all of France)
HOME = {"admin": None, "national": None, "regional": "hdf", "reader": "hdf", "organism": "paca"}
# resources that need a role beyond reading (403 for the others)
NEEDS = {"export": {"admin", "national", "regional", "organism"}}


@dataclass
class Place:
    commune: Commune
    mayor: object
    interaction: Interaction


@pytest.fixture
def places(db, personas):
    result = {}
    for key, code in PLACES.items():
        commune = Commune.objects.select_related("epci").get(code=code)
        mayor = commune_team(commune).mayor.person
        interaction = Interaction.objects.create(
            kind="meeting",
            date=date(2026, 5, 4),
            commune=commune,
            epci=commune.epci,
            summary=f"Rencontre à {commune.name}",
        )
        interaction.persons.add(mayor)
        result[key] = Place(commune, mayor, interaction)
    return result


def resources(place: Place) -> dict[str, tuple[str, str]]:
    """name → (url, kind): kind "read" or the action needed."""
    c = place.commune
    return {
        "commune": (f"/communes/{c.code}/", "read"),
        "epci": (f"/epci/{c.epci_id}/", "read"),
        "departement": (f"/departements/{c.departement_id}/", "read"),
        "region": (f"/regions/{c.region_id}/", "read"),
        "brief": (f"/communes/{c.code}/fiche", "read"),
        "brief-pdf": (f"/communes/{c.code}/fiche.pdf", "read"),
        "person": (f"/elus/{place.mayor.pk}/", "read"),
        "interaction": (f"/echanges/{place.interaction.pk}/", "read"),
        "person-json": (f"/elus/{place.mayor.pk}/donnees.json", "export"),
        "person-pdf": (f"/elus/{place.mayor.pk}/donnees.pdf", "export"),
    }


PERSONAS = ["admin", "national", "regional", "reader", "organism"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_pages_and_exports_stay_inside_the_scope(client, personas, places, persona):
    login(client, getattr(personas, persona))
    failures = []
    for key, place in places.items():
        inside = HOME[persona] is None or HOME[persona] == key
        for name, (url, need) in resources(place).items():
            allowed = need == "read" or persona in NEEDS[need]
            expected = 200 if inside and allowed else 404 if not inside else 403
            if not inside and not allowed:
                expected = {403, 404}  # either refusal leaks nothing
            status = client.get(url).status_code
            if status != expected and not (isinstance(expected, set) and status in expected):
                failures.append(f"{persona} {key} {name} {url}: {status}, attendu {expected}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_searches_and_exports_hold_nothing_from_outside(client, personas, places, persona):
    login(client, getattr(personas, persona))
    home = HOME[persona]
    outside = [p for k, p in places.items() if home is not None and k != home]
    inside = [p for k, p in places.items() if home is None or k == home]
    pages = {
        "changes": client.get("/elus/changements/?type=new-mayor").content.decode(),
        "regions": client.get("/regions/").content.decode(),
        "departements": client.get("/departements/").content.decode(),
        "my-territory": client.get("/mon-territoire/").content.decode(),
    }
    for place in outside:
        name = place.mayor.last_name
        assert (
            f"/elus/{place.mayor.pk}/"
            not in client.get(f"/elus/recherche/?q={name}").content.decode()
        )
        found = client.get(f"/recherche?q={place.commune.name}").content.decode()
        assert f"/communes/{place.commune.code}/" not in found
        assert f"/regions/{place.commune.region_id}/" not in pages["regions"]
        assert f"/departements/{place.commune.departement_id}/" not in pages["departements"]
        for page in pages.values():
            assert f"/elus/{place.mayor.pk}/" not in page
    for place in inside:
        found = client.get(f"/recherche?q={place.commune.name}").content.decode()
        assert f"/communes/{place.commune.code}/" in found
        assert f"/regions/{place.commune.region_id}/" in pages["regions"]
        results = client.get(
            f"/elus/recherche/?q={place.mayor.last_name} {place.mayor.first_name}"
        ).content.decode()
        assert f"/elus/{place.mayor.pk}/" in results
    export = client.get("/elus/changements/export.csv?type=new-mayor")
    if persona == "reader":
        assert export.status_code == 403
        return
    rows = list(csv.DictReader(io.StringIO(export.getvalue().decode("utf-8-sig")), delimiter=";"))
    assert rows, "the export lists the new mayors of the territory"
    departements = {row["departement"] for row in rows}
    for place in outside:
        assert place.commune.departement_id not in departements
    for place in inside:
        assert place.commune.departement_id in departements
    data = client.get(f"/elus/{inside[0].mayor.pk}/donnees.json")
    assert json.loads(data.content)["person"]["id"] == inside[0].mayor.pk


@pytest.mark.parametrize("persona", PERSONAS)
def test_national_pages_are_for_national_users(client, personas, persona):
    """Import reports and identity doubts name people of every territory."""
    login(client, getattr(personas, persona))
    national = HOME[persona] is None
    snapshots = client.get("/elus/instantanes/").status_code
    assert snapshots == (200 if national else 403)
    identities = client.get("/elus/identites/").status_code
    assert identities == (200 if persona == "admin" else 403)


def test_anonymous_visitor_sees_only_the_login_and_the_notice(anonymous, places):
    for place in places.values():
        for name, (url, _need) in resources(place).items():
            response = anonymous.get(url)
            assert response.status_code == 302, name
            assert response["Location"].startswith("/connexion/?next=")
    for url in [
        "/",
        "/mon-territoire/",
        "/elus/recherche/?q=a",
        "/suivis/",
        "/organisations/",
        "/elus/changements/export.csv",
        "/journal/",
        "/fiches/",
    ]:
        assert anonymous.get(url).status_code == 302, url
    assert anonymous.get("/connexion/").status_code == 200
    assert "Base légale" in anonymous.get("/donnees-personnelles/").content.decode()
