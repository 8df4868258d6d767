"""`mandature sync-annuaire` against a local server serving recorded exports of the API."""

import contextlib
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mandature.core.models import ImportRun
from mandature.directory.enums import DirectorySource, MairieKind
from mandature.directory.loader import load_bundled
from mandature.directory.models import MairieContact
from mandature.directory.services import correct, mairie_card, other_mairies
from mandature.directory.sources.annuaire import DEFAULT_URL
from tests.recorded_http import Answers, serving

pytestmark = pytest.mark.django_db
RECORDED = Path(__file__).parent / "recorded"


class Api(Answers):
    content_type = "application/json; charset=utf-8"

    def do_GET(self):
        name = self.path.strip("/").split("?")[0]
        if name == "panne":
            self.answer(503, b'{"error": "Service Unavailable"}')
        elif name == "lent":
            time.sleep(2)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.answer(200, b"[]")  # the client gave up waiting: that is the test
        elif name == "tronque":  # announces the whole export, sends half of it
            body = (RECORDED / "annuaire-mairies-2.json").read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
        elif name == "coupe":  # no Content-Length: the JSON itself ends too soon
            self.answer(200, (RECORDED / "annuaire-mairies-2.json").read_bytes()[:-200], False)
        elif name == "page":
            self.answer(200, b"<!doctype html><html>Maintenance</html>")
        else:
            self.answer(200, (RECORDED / name).read_bytes())


@pytest.fixture
def api():
    with serving(Api) as address:
        yield address


def sync(capsys, url, *options):
    call_command("sync_annuaire", "--url", url, *options)
    return capsys.readouterr().out


def test_the_real_address_is_the_default():
    assert DEFAULT_URL.startswith(
        "https://api-lannuaire.service-public.fr/api/explore/v2.1/catalog/datasets/"
        "api-lannuaire-administration/exports/json?"
    )
    assert "pivot+LIKE+%22mairie%22" in DEFAULT_URL


def test_a_first_sync_reads_mairies_deleguees_and_leaves_annexes(api, capsys):
    out = sync(capsys, f"{api}/annuaire-mairies-1.json")
    assert "Annuaire des mairies (API Annuaire de l'administration) : 5 mairies (5 ajoutées" in out
    ajaccio = mairie_card("2A004")
    assert ajaccio.postal_lines == [  # the postal address, not the building's
        "Mairie d'Ajaccio",
        "Avenue Antoine-Serafini",
        "BP 412",
        "20304 Ajaccio Cedex 1",
    ]
    assert ajaccio.contact.source == DirectorySource.ANNUAIRE_API
    assert mairie_card("59350").accessibility == "accessible sur demande préalable"
    assert [c.title for c in other_mairies("01130")] == ["Mairie déléguée d'Étrez"]
    marseille = other_mairies("13055")  # named after our territories, not the service
    assert [(c.title, c.email) for c in marseille] == [
        ("Mairie du 1er arrondissement de Marseille", "contact1-7@marseille.fr")
    ]
    assert not MairieContact.objects.filter(name__icontains="Caudéran").exists()


def test_new_changed_removed_and_malformed_records_and_a_correction_kept(api, capsys, personas):
    sync(capsys, f"{api}/annuaire-mairies-1.json")
    lille = MairieContact.objects.get(code="59350", kind=MairieKind.COMMUNE)
    correct(lille, "phone", "03 20 49 50 99", personas.regional)  # « le standard a changé »
    out = sync(capsys, f"{api}/annuaire-mairies-2.json")
    name = f"{api}/annuaire-mairies-2.json"
    assert f"{name}:6: column « pivot »: sans code INSEE de mairie : enregistrement écarté" in out
    assert (
        f"{name}:7: column « adresse_courriel »: adresse « courriermairie@saint-etienne » "
        "invalide : valeur écartée"
    ) in out
    assert f"{name}:8: column « pivot »: commune « 99999 » inconnue" in out
    assert f"{name}:9: column « pivot »: JSON illisible : enregistrement écarté" in out
    assert (
        "5 mairies (2 ajoutées, 1 modifiées, 2 retirées de l'annuaire), 2 courriels, "
        "5 téléphones, 1 correction(s) de collègues gardée(s) ; 4 remarque(s)"
    ) in out
    assert mairie_card("29019").email == "contact@mairie-brest.fr"  # new
    assert mairie_card("33063").phone == "05 56 10 20 31"  # changed, written alike
    assert mairie_card("59350").phone == "03 20 49 50 99"  # the colleague's, kept
    assert mairie_card("59350").values["phone"].from_colleague
    saint_etienne = mairie_card("42218")  # kept without its invalid email
    assert saint_etienne.email == "" and saint_etienne.phone == "04 77 48 77 48"
    etrez = MairieContact.objects.get(code="01154")
    assert not etrez.in_directory and etrez.phone == "04 74 30 82 39"  # marked, not deleted
    run = ImportRun.objects.filter(source="api-annuaire").first()
    assert "commune « 99999 » inconnue" in run.errors and run.counts["kept"] == 1


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("panne", "le serveur répond 503"),
        ("tronque", "réponse tronquée"),
        ("coupe", "JSON illisible ou tronqué"),
        ("page", "ceci est une page HTML, pas un export de l'API Annuaire"),
        ("lent", "téléchargement impossible"),
    ],
)
def test_a_failing_api_leaves_the_directory_unchanged(api, capsys, path, why):
    sync(capsys, f"{api}/annuaire-mairies-1.json")
    before = list(MairieContact.objects.order_by("pk").values())
    with pytest.raises(CommandError) as raised:
        sync(capsys, f"{api}/{path}", "--timeout", "0.5")
    assert raised.value.returncode == 2
    assert str(raised.value) == (
        "Annuaire des mairies : mise à jour impossible, l'annuaire enregistré n'a pas changé"
    )
    assert why in capsys.readouterr().err
    assert list(MairieContact.objects.order_by("pk").values()) == before


def test_an_export_far_smaller_than_the_directory_is_refused(api, capsys, sample):
    load_bundled(sample)  # 7 mairies known
    sync(capsys, f"{api}/annuaire-mairies-1.json")  # 5 of 7: more than half, 2 retired
    MairieContact.objects.bulk_create(
        MairieContact(
            code=f"9{i:04d}",
            kind="commune",
            commune_id="33063",
            name="x",
            source="api-annuaire",
            source_date="2026-12-07",
        )
        for i in range(10)
    )
    with pytest.raises(CommandError):
        sync(capsys, f"{api}/annuaire-mairies-1.json")
    assert "l'export ne compte que 5 mairies pour 15 connues" in capsys.readouterr().err
