"""The territory loader: counts, idempotence, a newer millésime, bad files."""

import gzip
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from mandature.core.models import ImportRun
from mandature.territories.loader import load_territories
from mandature.territories.models import Commune, CommuneAlias, Departement, Epci, Region
from mandature.territories.search import search

GEO = settings.DATA_DIR / "geo"


def bundled(name):
    return json.loads(gzip.decompress((GEO / name).read_bytes()))


def test_counts_equal_the_bundled_files(db):
    communes = Counter(item["type"] for item in bundled("communes.json.gz"))
    assert Commune.objects.current().count() == communes["commune-actuelle"] == 34_969
    assert Epci.objects.filter(is_current=True).count() == len(bundled("epci.json.gz")) == 1_255
    assert Departement.objects.count() == len(bundled("departements.json.gz"))
    assert Region.objects.count() == len(bundled("regions.json.gz"))
    assert CommuneAlias.objects.filter(kind="deleguee").count() == communes["commune-deleguee"]
    assert CommuneAlias.objects.filter(kind="arrondissement").count() == 45


def test_commune_fields_come_from_the_files(db):
    ajaccio = Commune.objects.select_related("departement", "region", "epci").get(code="2A004")
    assert ajaccio.name == "Ajaccio"
    assert ajaccio.departement.code == "2A" and ajaccio.region.name == "Corse"
    assert ajaccio.epci is not None and ajaccio.population > 60_000
    assert "20000" in ajaccio.postal_code_list
    assert ajaccio.latitude == pytest.approx(41.9, abs=0.2)
    lyon = Epci.objects.get(siren="200046977")
    assert lyon.kind == "MET69" and lyon.communes.count() == 58


def test_second_load_of_the_same_files_changes_nothing(db):
    runs = ImportRun.objects.count()
    result = load_territories(GEO)
    assert result.skipped
    assert "déjà chargés" in result.summary()
    assert ImportRun.objects.count() == runs


def write_json_gz(path: Path, data) -> None:
    path.write_bytes(gzip.compress(json.dumps(data, ensure_ascii=False).encode()))


@pytest.fixture
def geo_copy(tmp_path):
    target = tmp_path / "geo"
    shutil.copytree(GEO, target)
    return target


def test_newer_millesime_merges_and_renames_without_breaking_links(db, geo_copy):
    communes = bundled("communes.json.gz")
    current = {c["code"]: c for c in communes if c["type"] == "commune-actuelle"}
    # Hypothetical merge: Sauverny (01397) joins Versonnex (01435) as a commune déléguée.
    absorbed, absorber = current["01397"], current["01435"]
    communes.remove(absorbed)
    absorber["anciensCodes"] = absorber.get("anciensCodes", []) + ["01397"]
    absorber["nom"] = "Versonnex-Sauverny"
    deleguee = {
        **{"code": "01397", "nom": absorbed["nom"], "type": "commune-deleguee"},
        **{"chefLieu": "01435", "departement": "01", "region": "84", "zone": "metro"},
    }
    write_json_gz(geo_copy / "communes.json.gz", [*communes, deleguee])
    epcis = bundled("epci.json.gz")
    for epci in epcis:
        epci["membres"] = [m for m in epci["membres"] if m["code"] != "01397"]
    write_json_gz(geo_copy / "epci.json.gz", epcis)

    result = load_territories(geo_copy)

    assert result.counts["communes_retired"] == 1 and result.counts["communes_updated"] >= 1
    old = Commune.objects.get(code="01397")
    assert not old.is_current and old.successor_id == "01435"
    assert Commune.objects.get(code="01435").name == "Versonnex-Sauverny"
    assert Commune.objects.current().count() == 34_968
    assert search("sauverny")[0].url == "/communes/01435/"
    assert Commune.objects.get(code="01435").epci_id == old.epci_id  # links kept on both


def test_reloading_the_older_millesime_restores_the_commune(db, geo_copy):
    Commune.objects.filter(code="01397").update(is_current=False, successor_id="01435")
    load_territories(GEO, force=True)
    restored = Commune.objects.get(code="01397")
    assert restored.is_current and restored.successor_id is None


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:5000])


def edit_commune(directory: Path, which: str, **changes) -> None:
    communes = bundled("communes.json.gz")
    edited = [{**c, **changes} if c["code"] == which else c for c in communes]
    write_json_gz(directory / "communes.json.gz", edited)


BAD_CASES = {
    "missing file": (
        lambda d: (d / "epci.json.gz").unlink(),
        "epci.json.gz: fichier introuvable",
    ),
    "truncated gzip": (
        lambda d: truncate(d / "communes.json.gz"),
        "communes.json.gz: fichier gzip tronqué ou corrompu",
    ),
    "empty gzip": (
        lambda d: (d / "regions.json.gz").write_bytes(b""),
        "regions.json.gz: fichier gzip vide",
    ),
    "not json": (
        lambda d: (d / "departements.json.gz").write_bytes(gzip.compress(b"<html>503</html>")),
        "departements.json.gz:1: JSON invalide",
    ),
    "bad commune code": (
        lambda d: edit_commune(d, "01001", code="1A001"),
        "communes.json.gz: enregistrement 1 (code 1A001) : champ « code » : "
        "valeur invalide « 1A001 »",
    ),
    "unknown département": (
        lambda d: edit_commune(d, "01002", departement="99"),
        "champ « departement » : département inconnu « 99 »",
    ),
}


@pytest.mark.parametrize("case", BAD_CASES, ids=list(BAD_CASES))
def test_bad_files_are_refused_and_change_nothing(db, geo_copy, case):
    corrupt, message = BAD_CASES[case]
    corrupt(geo_copy)
    before = (Commune.objects.count(), Epci.objects.count(), ImportRun.objects.count())
    with pytest.raises(CommandError) as error:
        call_command("load_territories", data_dir=geo_copy, force=True)
    assert message in str(error.value)
    assert error.value.returncode == 2
    assert (Commune.objects.count(), Epci.objects.count(), ImportRun.objects.count()) == before


def test_command_exits_non_zero_with_the_file_named(tmp_path, geo_copy):
    (geo_copy / "epci.json.gz").write_bytes(b"\x1f\x8b\x08garbage")
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MANDATURE_VAR_DIR": str(tmp_path),
    }
    run = [sys.executable, "-m", "mandature.cli"]
    subprocess.run([*run, "migrate", "-v0"], env=env | _base_env(), check=True)
    done = subprocess.run(
        [*run, "load-territories", "--data-dir", str(geo_copy)],
        env=env | _base_env(),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "epci.json.gz: fichier gzip tronqué ou corrompu" in done.stderr


def _base_env():
    import os

    return {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "MANDATURE_VAR_DIR"}}
