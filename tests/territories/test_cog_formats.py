"""The COG format classes one by one: what each refuses, and how the problem reads."""

import gzip
import json

import pytest

from mandature.core.ingest import FileProblems
from mandature.territories.sources.cog import (
    CentroidFile,
    CommuneFile,
    DepartementFile,
    EpciFile,
    RegionFile,
)

BORDEAUX = {
    "code": "33063",
    "nom": "Bordeaux",
    "type": "commune-actuelle",
    "departement": "33",
    "region": "75",
    "zone": "metro",
    "codesPostaux": ["33000", "33800"],
    "population": 261804,
}


def json_gz(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(gzip.compress(json.dumps(data).encode()))
    return path


def problems(fmt, tmp_path, name, data, **options) -> list[str]:
    path = json_gz(tmp_path, name, data)
    with pytest.raises(FileProblems) as caught:
        fmt.open(path, **options).read()
    return [line.replace(f"{path}", name) for line in caught.value.lines]


def test_a_region_with_a_bad_code_and_zone(tmp_path):
    data = [{"code": "7", "nom": "Nouvelle-Aquitaine", "zone": "mer"}]
    assert problems(RegionFile, tmp_path, "regions.json.gz", data) == [
        "regions.json.gz: enregistrement 1 (code 7) : champ « code » : valeur invalide « 7 »",
        "regions.json.gz: enregistrement 1 (code 7) : champ « zone » : zone inconnue 'mer'",
    ]


def test_a_departement_of_an_unknown_region(tmp_path):
    data = [{"code": "33", "nom": "Gironde", "region": "99", "zone": "metro"}]
    lines = problems(DepartementFile, tmp_path, "d.json.gz", data, regions=frozenset({"75"}))
    assert lines == [
        "d.json.gz: enregistrement 1 (code 33) : champ « region » : région inconnue « 99 »"
    ]


def test_communes_bad_postal_codes_population_and_type(tmp_path):
    data = [
        {**BORDEAUX, "codesPostaux": ["3300"], "population": -5},
        {"code": "33999", "nom": "X", "type": "hameau"},
        {"code": "33998", "nom": "Y", "type": "commune-deleguee", "chefLieu": "33997"},
    ]
    path = json_gz(tmp_path, "c.json.gz", data)
    reader = CommuneFile.open(path, departements=frozenset({"33"}), regions=frozenset({"75"}))
    communes, aliases = reader.split(reader.clean_all())
    assert [c.code for c in communes] == ["33063"] and aliases[0].commune == "33997"
    assert [line.replace(str(path), "c") for line in reader.problems.lines] == [
        "c: enregistrement 1 (code 33063) : champ « codesPostaux » : codes postaux invalides "
        "['3300']",
        "c: enregistrement 1 (code 33063) : champ « population » : entier positif attendu : -5",
        "c: enregistrement 2 (code 33999) : champ « type » : type inconnu 'hameau'",
        "c: enregistrement 3 (code 33998) : champ « chefLieu » : commune de rattachement "
        "inconnue « 33997 »",
    ]


def test_an_epci_without_known_members_and_duplicate_codes(tmp_path):
    data = [
        {"code": "243300316", "nom": "Bordeaux Métropole", "type": "METRO", "membres": []},
        {"code": "243300316", "nom": "Bis", "type": "CX", "membres": [{"code": "33063"}]},
    ]
    path = json_gz(tmp_path, "e.json.gz", data)
    reader = EpciFile.open(path, communes=frozenset({"33063"}))
    reader.check_unique([e.siren for e in reader.clean_all()])
    assert [line.replace(str(path), "e") for line in reader.problems.lines] == [
        "e: enregistrement 1 (code 243300316) : champ « membres » : aucune commune membre",
        "e: enregistrement 2 (code 243300316) : champ « type » : nature d'EPCI inconnue 'CX'",
        "e: enregistrement 2 (code 243300316) : champ « code » : code en double",
    ]


def test_centroids_need_their_columns_and_numbers(tmp_path):
    path = tmp_path / "centroids.csv"
    path.write_text("code_insee,lat,lon\n33063,44.8,-0.6\n")
    with pytest.raises(FileProblems) as caught:
        CentroidFile.open(path, communes=frozenset({"33063"}))
    assert caught.value.lines == [
        f"{path}:1: colonnes attendues ['code_insee', 'latitude', 'longitude'], "
        "trouvées ['code_insee', 'lat', 'lon']"
    ]
    path.write_text("code_insee,latitude,longitude\n33063,44.8,-0.6\n59350,nord,3.1\n99999,x,y\n")
    (reader,) = CentroidFile.open(path, communes=frozenset({"33063", "59350"}))
    with pytest.raises(FileProblems) as caught:
        reader.read()
    assert caught.value.lines == [
        f"{path}:3: colonne « latitude/longitude » : nombre attendu ('nord', '3.1')"
    ]


def test_the_article_of_a_name_is_read_and_an_unknown_one_refused(tmp_path):
    data = [
        {**BORDEAUX, "code": "76351", "nom": "Le Havre", "typeLiaison": 2},
        {**BORDEAUX, "typeLiaison": 12},
        {**BORDEAUX, "code": "33001", "nom": "Abzac", "typeLiaison": "1"},
    ]
    path = json_gz(tmp_path, "c.json.gz", data)
    reader = CommuneFile.open(path, departements=frozenset({"33"}), regions=frozenset({"75"}))
    communes, _aliases = reader.split(reader.clean_all())
    assert communes[0].liaison == 2
    assert [line.replace(str(path), "c") for line in reader.problems.lines] == [
        "c: enregistrement 2 (code 33063) : champ « typeLiaison » : type de liaison inconnu 12 "
        "(0 à 8)",
        "c: enregistrement 3 (code 33001) : champ « typeLiaison » : entier positif attendu : '1'",
    ]
