"""Housing data: DGCL import at today's geography, malformed files, SRU estimates and inventory."""

import gzip
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from mandature.housing.importer import import_dgcl, import_sru
from mandature.housing.models import HousingYear, KeyFigure, SruInventory
from mandature.housing.services import aggregate, commune_profile
from mandature.housing.sources.dgcl import HousingFileError
from mandature.territories.models import Commune
from tests.bombs import gzip_bomb

HOUSING = settings.DATA_DIR / "housing"
HEADER = (
    "Informations générales - Code INSEE de la commune,Informations générales - Nom de la "
    "commune,Informations générales - Population INSEE de l'année N,Dotation de solidarité "
    "urbaine - Nombre de logements TH de la commune,Dotation de solidarité urbaine - Nombre de "
    "logements sociaux de la commune,Dotation de solidarité urbaine - Nombre de bénéficiaires "
    "des aides au logement de la commune,Dotation de solidarité urbaine - Population QPV"
)


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def state():
    return (
        HousingYear.objects.count(),
        SruInventory.objects.count(),
        sorted(HousingYear.objects.filter(commune_id="75056").values_list("year", "social_units")),
    )


def test_bundled_years_are_loaded_with_the_published_figures(db):
    paris = HousingYear.objects.get(commune_id="75056", year=2022)
    assert (paris.housing_units, paris.social_units, paris.qpv_population) == (
        1207489,
        253077,
        143719,
    )
    assert set(HousingYear.objects.values_list("year", flat=True).distinct()) == {2020, 2021, 2022}


def test_communes_merged_since_are_added_up_into_today_s_commune(db):
    """Saint-Denis and Pierrefitte-sur-Seine became one commune in 2025: 21,076 + 4,047."""
    saint_denis = HousingYear.objects.get(commune_id="93066", year=2022)
    assert saint_denis.social_units == 21076 + 4047
    assert saint_denis.housing_units == 45639 + 11193
    assert "93059" in saint_denis.merged_codes
    assert not HousingYear.objects.filter(commune_id="93059").exists()


def test_reimport_of_the_same_file_changes_nothing(db):
    before = state()
    result = import_dgcl(HOUSING / "dgcl_criteres_repartition_communes_2022.csv.gz")
    assert result.skipped and "déjà importé" in result.summary()
    assert state() == before


def test_a_new_year_in_the_same_layout_is_imported_and_a_corrected_one_replaces_it(db, tmp_path):
    path = write(
        tmp_path,
        "criteres_repartition_2023.csv",
        f"{HEADER}\n75056,PARIS,2100000,1210000,260000,,150000\n01001,X,800,350,23,20,0\n",
    )
    result = import_dgcl(path)
    assert result.year == 2023 and result.counts["created"] == 2
    paris = HousingYear.objects.get(commune_id="75056", year=2023)
    assert paris.benefit_recipients is None and paris.social_units == 260000
    corrected = write(
        tmp_path,
        "criteres_repartition_2023.csv",
        f"{HEADER}\n75056,PARIS,2100000,1210000,261000,330000,150000\n",
    )
    result = import_dgcl(corrected)
    assert result.counts == {"communes": 1, "created": 0, "updated": 1, "deleted": 1, "merged": 0}
    assert HousingYear.objects.get(commune_id="75056", year=2023).social_units == 261000


MALFORMED = {
    "vide.csv": ("", ":1: column « - »: fichier vide"),
    "page.csv": (
        "<!DOCTYPE html><html><body>Erreur 404</body></html>\n",
        ":1: column « - »: page HTML",
    ),
    "sans-colonne-2023.csv": (
        "Code INSEE de la commune,Nombre de logements TH de la commune\n75056,1\n",
        ":1: column « Nombre de logements sociaux de la commune »: colonne manquante",
    ),
    "texte-2023.csv": (
        f"{HEADER}\n75056,PARIS,2100000,beaucoup,260000,1,1\n",
        ":2: column « Dotation de solidarité urbaine - Nombre de logements TH de la commune »: "
        "nombre entier positif attendu, « beaucoup » trouvé",
    ),
    "inconnue-2023.csv": (
        f"{HEADER}\n75056,PARIS,2100000,1,1,1,1\n99999,NULLE PART,1,1,1,1,1\n",
        ":3: column « Informations générales - Code INSEE de la commune »: commune « 99999 » "
        "inconnue",
    ),
    "double-2023.csv": (
        f"{HEADER}\n75056,PARIS,2100000,1,1,1,1\n75056,PARIS,2100000,1,1,1,1\n",
        ":3: column « Informations générales - Code INSEE de la commune »: commune 75056 déjà lue "
        "ligne 2",
    ),
    "tronquee-2023.csv": (
        f"{HEADER}\n75056,PARIS,2100000\n",
        ":2: column « - »: 3 champs au lieu de 7",
    ),
    "sans-annee.csv": (f"{HEADER}\n75056,PARIS,1,1,1,1,1\n", ":0: column « - »: année introuvable"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_files_are_refused_with_file_line_and_column(db, tmp_path, name):
    text, expected = MALFORMED[name]
    path = write(tmp_path, name, text)
    before = state()
    with pytest.raises(HousingFileError) as error:
        import_dgcl(path)
    assert f"{path}{expected}" in str(error.value)
    assert state() == before


def test_utf16_and_empty_gzip_are_refused(db, tmp_path):
    utf16 = write(tmp_path, "utf16-2023.csv", f"{HEADER}\n75056,P,1,1,1,1,1\n", "utf-16")
    with pytest.raises(HousingFileError, match=r"utf16-2023.csv:1: column « - »: encodage UTF-16"):
        import_dgcl(utf16)
    empty = tmp_path / "vide-2023.csv.gz"
    empty.write_bytes(b"")
    with pytest.raises(HousingFileError, match=r"vide-2023.csv.gz:0: column « - »: .*0 octet"):
        import_dgcl(empty)


def test_command_prints_errors_on_stderr_and_exits_2(db, tmp_path, capsys):
    path = write(tmp_path, "texte-2023.csv", MALFORMED["texte-2023.csv"][0])
    with pytest.raises(CommandError) as error:
        call_command("import_housing", str(path))
    assert error.value.returncode == 2 and "la base n'a pas changé" in str(error.value)
    stderr = capsys.readouterr().err
    assert f"{path}:2: column « Dotation de solidarité urbaine - Nombre de logements TH" in stderr


def test_rates_and_aggregates(db):
    profile = commune_profile(Commune.objects.get(code="75056"))
    assert profile.latest.rate == Decimal("21.0")  # 253,077 / 1,207,489
    labels = [f.label for f in profile.comparison]
    assert labels == ["Paris", "Métropole du Grand Paris", "Paris", "Île-de-France", "France"]
    france = aggregate(2022, "France")
    assert france.communes > 34_000 and 15 < france.rate < 17


def test_sru_estimates_in_plain_french(db):
    saint_denis = commune_profile(Commune.objects.get(code="93066")).sru
    assert saint_denis.subject and not saint_denis.official
    assert "atteint le taux légal" in saint_denis.summary
    neuilly = commune_profile(Commune.objects.get(code="92051")).sru
    assert neuilly.subject and neuilly.deficit > 5000
    assert "logements sociaux manquants" in neuilly.summary
    village = commune_profile(Commune.objects.get(code="01001")).sru
    assert village.subject is False and "sous le seuil de 3\u202f500" in village.summary
    saint_martin = commune_profile(Commune.objects.get(code="97801"))
    assert saint_martin.latest is None and saint_martin.missing
    assert "collectivités d'outre-mer" in saint_martin.sru.summary


def test_sru_inventory_overrides_the_estimate(db, tmp_path):
    path = write(
        tmp_path,
        "inventaire-sru.csv",
        "Code INSEE;Commune;Résidences principales;Logements sociaux;Taux légal;Carencée\n"
        "92051;Neuilly-sur-Seine;29 000;2 000;25;oui\n",
    )
    result = import_sru(path, year=2024)
    assert result.counts["created"] == 1
    sru = commune_profile(Commune.objects.get(code="92051")).sru
    assert sru.official and sru.year == 2024 and sru.carence
    assert sru.rate == Decimal("6.9") and sru.deficit == 5250
    assert "Selon l'inventaire SRU au 1er janvier 2024" in sru.summary
    assert "arrêté de carence" in sru.summary


def test_sru_inventory_errors_name_line_and_column(db, tmp_path):
    path = write(
        tmp_path, "inventaire-sru.csv", "Code INSEE;Taux de logements sociaux\n92051;douze\n"
    )
    with pytest.raises(
        HousingFileError,
        match=r"inventaire-sru.csv:2: column « Taux de logements sociaux »: nombre attendu",
    ):
        import_sru(path, year=2024)
    assert not SruInventory.objects.exists()


def test_key_figures_are_seeded_with_year_and_source(db):
    waiting = KeyFigure.objects.get(label__contains="attente")
    assert waiting.value == Decimal("2.87") and waiting.as_of == "fin juin 2025"
    assert KeyFigure.objects.filter(year=2018, source__contains="2020").count() == 7


def test_gzip_of_a_bundled_file_reads_like_the_file(tmp_path, db):
    plain = tmp_path / "criteres_2022.csv"
    plain.write_bytes(
        gzip.decompress((HOUSING / "dgcl_criteres_repartition_communes_2022.csv.gz").read_bytes())
    )
    from mandature.housing.sources.dgcl import read_dgcl

    assert len(read_dgcl(plain).rows) == 35041


def test_epci_departement_and_region_pages_show_their_social_housing(client, db):
    text = client.get("/departements/33/").content.decode().replace("\u202f", " ")
    assert "Logement social" in text
    assert "108 781" in text and "13,0\u00a0%" in text  # Gironde 2022: sum of its communes
    assert ">2022<" in text and "Sommes des 534 communes actuelles" in text
    assert "Logement social" in client.get("/epci/200054781/").content.decode()
    assert "Logement social" in client.get("/regions/84/").content.decode()


def test_undecodable_bytes_are_named_by_line_in_both_imports(db, tmp_path):
    dgcl = tmp_path / "mal-code-2023.csv"
    dgcl.write_bytes(
        f"{HEADER}\n75056,PARIS,1,1,1,1,1\n".encode() + b"13055,MARS\x9dEILLE,1,1,1,1,1\n"
    )
    with pytest.raises(HousingFileError, match=r"mal-code-2023.csv:3: column « - »: octet 0x9D"):
        import_dgcl(dgcl)
    sru = tmp_path / "inventaire-sru.csv"
    sru.write_bytes(b"Code INSEE;Commune;Taux de logements sociaux\n92051;Neuilly\x81;6,9\n")
    with pytest.raises(HousingFileError, match=r"inventaire-sru.csv:2: column « - »: octet 0x81"):
        import_sru(sru, year=2024)
    assert not SruInventory.objects.exists()


@pytest.mark.parametrize("command", ["import_housing", "import_sru"])
def test_a_compressed_bomb_exits_2_naming_the_file(db, tmp_path, capsys, command):
    path = gzip_bomb(tmp_path / "bombe-2023.csv.gz")
    before = state()
    with pytest.raises(CommandError) as error:
        call_command(command, str(path), year=2023)
    assert error.value.returncode == 2
    err = capsys.readouterr().err
    assert f"{path}:0: column « - »: fichier décompressé trop grand (plus de 99 Mo)" in err
    assert state() == before


def test_a_quote_never_closed_is_named_by_its_line(db, tmp_path):
    text = 'Code INSEE;Commune;Taux de logements sociaux\n92051;"Neuilly;6,9\n' + "x;" * 70_000
    with pytest.raises(
        HousingFileError, match=r"inventaire-sru.csv:2: column « - »: champ de plus"
    ):
        import_sru(write(tmp_path, "inventaire-sru.csv", text), year=2024)
