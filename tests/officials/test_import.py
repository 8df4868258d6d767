"""import-rne: atomic, idempotent, historical snapshots, enrichment kept, malformed files refused."""

import gzip
import io
import os
import signal
import subprocess
import sys
import zipfile
from datetime import date

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from mandature.officials.changes import snapshot_at
from mandature.officials.enums import SnapshotKind
from mandature.officials.importer import import_rne
from mandature.officials.models import Mandate, Person, Snapshot, SnapshotEntry
from mandature.officials.services import commune_team
from tests.bombs import gzip_bomb, zip_bomb
from tests.officials.files import CM_HEADER, HEADER

RNE = settings.DATA_DIR / "rne"
ROW_1 = "01;Ain;;;01001;L'Abergement-Clémenciat;EVALET TAPONAT;Line;F;22/07/1967;38;Ingénieur;15/03/2026;23/03/2026"
ROW_2 = "01;Ain;;;01002;L'Abergement-De-Varey;COUROUBLE;François;M;21/02/1958;31;Libéral;15/03/2026;20/03/2026"


def counts():
    return (
        Person.objects.count(),
        Mandate.objects.count(),
        Snapshot.objects.count(),
        SnapshotEntry.objects.count(),
    )


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_reimporting_a_file_says_so_and_changes_nothing(db):
    before = counts()
    (result,) = import_rne(RNE / "elus-maires-mai_2026-04.csv.gz")
    assert result.already and "déjà importé" in result.summary()
    assert counts() == before


def test_data_date_is_shown(db, capsys):
    assert Snapshot.objects.get(file_name="elus-maires-mai_2026-04.csv.gz").data_date == date(
        2026, 4, 17
    )


def test_older_file_becomes_a_historical_snapshot(db):
    """9-rne-maires_2022-03-27 was published in 2022 but its data stops in November 2020
    (Michèle Rubirola, mayor of Marseille); rne-maires_2022-02 shows Benoît Payan."""
    (result,) = import_rne(RNE / "9-rne-maires_2022-03-27.csv.gz")
    assert result.snapshot.data_date == date(2020, 11, 24)
    assert result.superseded_by is not None and "historique" in result.summary()
    assert snapshot_at(SnapshotKind.MAIRES, date(2026, 11, 24)).data_date == date(2026, 4, 17)

    def mayor_of_marseille(on):
        snapshot = snapshot_at(SnapshotKind.MAIRES, on)
        return SnapshotEntry.objects.get(snapshot=snapshot, commune_id="13055").person.last_name

    assert mayor_of_marseille(date(2021, 6, 1)) == "RUBIROLA"
    assert mayor_of_marseille(date(2022, 2, 15)) == "PAYAN"


def test_commune_absent_from_the_latest_file_keeps_its_last_known_mayor(db):
    laval = commune_team_of("53130")  # Mayenne was not reported in April 2026
    assert laval.mayor is not None and not laval.reported
    assert laval.mayor.snapshot.data_date == date(2022, 1, 27)


def commune_team_of(code):
    from mandature.territories.models import Commune

    return commune_team(Commune.objects.get(code=code))


def test_enrichment_survives_a_later_import(db, tmp_path):
    from mandature.relations.models import Contact, Note

    person = Person.objects.get(last_name="EVALET TAPONAT", first_name="Line")
    Contact.objects.create(
        person=person,
        email="maire@abergement.fr",
        salutation="Madame la Maire",
        postal_address="Mairie, 01400 L'Abergement-Clémenciat",
    )
    Note.objects.create(person=person, text="Rencontrée au congrès")
    later = write(
        tmp_path, "maires.csv", f"{HEADER}\n{ROW_1}\n{ROW_2.replace('COUROUBLE', 'NOUVEAU')}\n"
    )
    import_rne(later, data_date=date(2026, 6, 1))
    card = Contact.objects.get(person=person)
    assert card.email == "maire@abergement.fr" and card.salutation == "Madame la Maire"
    assert card.postal_address.startswith("Mairie")
    assert Note.objects.get(person=person).text == "Rencontrée au congrès"


def test_departures_only_inside_a_partial_file(db, tmp_path):
    partial = write(tmp_path, "partiel.csv", f"{HEADER}\n{ROW_1}\n")
    import_rne(partial, data_date=date(2026, 6, 1))
    from mandature.officials.changes import compute_changes

    changes = compute_changes(
        snapshot_at("maires", date(2026, 5, 1)), snapshot_at("maires", date(2026, 6, 1))
    )
    assert changes.compared == 1 and changes.changes == []
    assert changes.not_yet_reported > 30_000


def test_unplaced_rows_stop_the_import_unless_skipped(db, tmp_path):
    path = write(
        tmp_path, "inconnue.csv", f"{HEADER}\n{ROW_1}\n{ROW_2.replace('01002', '99999')}\n"
    )
    before = counts()
    with pytest.raises(CommandError):
        call_command("import_rne", str(path), date=date(2026, 6, 1))
    assert counts() == before
    (result,) = import_rne(path, data_date=date(2026, 6, 1), skip_unplaced=True)
    assert result.snapshot.rejected_count == 1 and result.snapshot.entry_count == 1
    assert result.snapshot.report["remarks"][0][:2] == [3, "Code de la commune"]


def test_zip_with_windows_1252_and_tabs(db, tmp_path):
    text = (
        "Titre du rapport\r\nCode du département (Maire)\tLibellé de département (Maires)\t"
        "Code Insee de la commune\tLibellé de la commune\tNom de l'élu\tPrénom de l'élu\tCode sexe\t"
        "Date de naissance\tCode profession\tLibellé de la profession\tDate de début du mandat\t"
        "Date de début de la fonction\r\nZA\tGUADELOUPE\t101\tLes Abymes\tÉLU\tHélène\tF\t4/3/1971\t"
        "61\tRetraités\t23/3/2014\t23/3/2014\r\n"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("9-rne-maires.txt", text.encode("cp1252"))
    path = tmp_path / "maires.zip"
    path.write_bytes(buffer.getvalue())
    (result,) = import_rne(path)
    entry = result.snapshot.entries.get()
    assert entry.commune_id == "97101" and entry.person.first_name == "Hélène"
    assert result.snapshot.encoding == "windows-1252" and result.snapshot.layout == "ancien"


MALFORMED = {
    "empty.csv": (b"", 1, "fichier vide"),
    "error-page.csv": (
        b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>\n",
        1,
        "page HTML",
    ),
    "missing-column.csv": (
        HEADER.replace(";Code sexe", "") + "\n",
        1,
        "« Code sexe »: colonne manquante",
    ),
    "renamed-column.csv": (
        HEADER.replace("Date de naissance", "Naissance") + "\n",
        1,
        "« Naissance »: colonne inconnue",
    ),
    "extra-column.csv": (HEADER + ";Commentaire\n", 1, "« Commentaire »: colonne inconnue"),
    "wrong-separator.csv": (
        HEADER.replace(";", "|") + "\n" + ROW_1.replace(";", "|") + "\n",
        1,
        "disposition inconnue",
    ),
    "utf16.csv": ((HEADER + "\n" + ROW_1 + "\n").encode("utf-16"), 1, "UTF-16"),
    "impossible-date.csv": (
        f"{HEADER}\n{ROW_1.replace('22/07/1967', '31/02/1967')}\n",
        2,
        "« Date de naissance »: date impossible",
    ),
    "unknown-commune.csv": (
        f"{HEADER}\n{ROW_1.replace('01001', '99999')}\n",
        2,
        "« Code de la commune »: commune « 99999 » inconnue",
    ),
    "duplicated-rows.csv": (
        f"{HEADER}\n{ROW_1}\n{ROW_1}\n",
        3,
        "ligne en double (identique à la ligne 2)",
    ),
    "truncated-last-line.csv": (f"{HEADER}\n{ROW_1}\n{ROW_2[:60]}", 3, "champs au lieu de 14"),
    "two-kinds-mixed.csv": (
        f"{HEADER}\n{ROW_1}\n"
        + HEADER.replace(
            "Date de début de la fonction", "Libellé de la fonction;Date de début de la fonction"
        )
        + "\n",
        3,
        "deux fichiers mélangés",
    ),
    "bad-sex.csv": (f"{HEADER}\n{ROW_1.replace(';F;', ';X;')}\n", 2, "« Code sexe »: sexe « X »"),
    "undecodable-byte.csv": (
        f"{HEADER}\n{ROW_1}\n".encode("cp1252")
        + ROW_2.encode("cp1252").replace(b"COUR", b"COUR\x9d")
        + b"\n",
        3,
        "octet 0x9D illisible, ni UTF-8 ni Windows-1252",
    ),
    "quote-never-closed.csv": (
        f"{HEADER}\n{ROW_1}\n01;Ain;;;01002;\"L'Abergement\n" + f"{ROW_2}\n" * 1500,
        3,
        "champ de plus de 131\u202f072 caractères (un guillemet ouvert et jamais fermé ?)",
    ),
    "one-endless-line.csv": ("0" * 200_000, 1, "champ de plus de 131\u202f072 caractères"),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_files_are_refused_with_file_line_and_column(db, tmp_path, capsys, name):
    content, line, message = MALFORMED[name]
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    before = counts()
    with pytest.raises(CommandError) as error:
        call_command("import_rne", str(path))
    assert error.value.returncode == 2
    stderr = capsys.readouterr().err
    assert f"{path}:{line}: column « " in stderr, stderr
    assert message in stderr, stderr
    assert counts() == before


@pytest.mark.parametrize("kind", ["gzip", "zip"])
def test_a_compressed_bomb_is_refused_before_it_fills_the_memory(db, tmp_path, capsys, kind):
    """1 Gio of zeros in a 1 Mo gzip, 3 × 400 Mo in a 1.2 Mo zip: refused after reading at most
    100 times the file's size (peak memory measured by hand: docs/deployment.md)."""
    if kind == "gzip":
        path = gzip_bomb(tmp_path / "bombe.csv.gz")
    else:
        path = zip_bomb(tmp_path / "bombe.zip")
    before = counts()
    with pytest.raises(CommandError) as error:
        call_command("import_rne", str(path))
    assert error.value.returncode == 2
    assert (
        f"{path}:0: column « - »: fichier décompressé trop grand (plus de "
        in capsys.readouterr().err
    )
    assert counts() == before


def test_zero_byte_gz_is_refused(db, tmp_path, capsys):
    path = tmp_path / "maires.csv.gz"
    path.write_bytes(b"")
    with pytest.raises(CommandError):
        call_command("import_rne", str(path))
    assert f"{path}:0: column « - »: fichier gzip vide" in capsys.readouterr().err


def test_errors_are_capped_at_twenty_with_a_count(db, tmp_path, capsys):
    rows = "\n".join(ROW_1.replace("01001", f"99{i:03d}") for i in range(30))
    path = write(tmp_path, "many.csv", f"{HEADER}\n{rows}\n")
    with pytest.raises(CommandError):
        call_command("import_rne", str(path))
    err = capsys.readouterr().err
    assert err.count(": column « ") == 20 and "et 11 autre(s) erreur(s)" in err


def test_killed_import_leaves_the_database_as_before(tmp_path):
    """SIGKILL in the middle of an import: nothing of it remains."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kill.sqlite3'}",
        "MANDATURE_VAR_DIR": str(tmp_path),
    }
    cli = [sys.executable, "-m", "mandature.cli"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*cli, "load-territories"], env=env, check=True, capture_output=True)
    process = subprocess.Popen(
        [*cli, "import-rne", "--progress", str(RNE / "rne-maires_2022-02.csv.gz")],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in process.stderr:
        if "étape : mandats" in line:  # persons are written, mandates not yet
            process.send_signal(signal.SIGKILL)
            break
    process.wait()
    assert process.returncode == -signal.SIGKILL
    check = "from mandature.officials.models import *; print(Person.objects.count(), Snapshot.objects.count())"
    done = subprocess.run(
        [*cli, "shell", "-c", check], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split()[-2:] == ["0", "0"]


def test_gzip_of_the_same_content_is_already_imported(db, tmp_path):
    raw = gzip.decompress((RNE / "elus-maires-mai_2026-04.csv.gz").read_bytes())
    path = tmp_path / "copie.csv"
    path.write_bytes(raw)
    (result,) = import_rne(path)
    assert result.already


def entries_by_line(snapshot):
    return {
        e.line: (
            e.mandate_id,
            e.person_id,
            e.commune_id,
            e.function,
            e.function_code,
            e.function_rank,
            e.function_start,
            e.line_hash,
        )
        for e in SnapshotEntry.objects.filter(snapshot=snapshot)
    }


def test_reimport_reuses_identical_lines_and_gives_what_a_full_read_gives(
    db, tmp_path, monkeypatch
):
    """A new national file where a few lines changed: the identical lines keep what the last
    import made of them; the result is the same as reading every line again."""
    from django.db import transaction

    from mandature.officials.importer import Reuse

    lines = gzip.decompress((RNE / "elus-maires-mai_2026-04.csv.gz").read_bytes()).decode()
    lines = lines.splitlines()
    lines[10] = lines[10].replace(";15/03/2026;", ";16/03/2026;", 1)  # another mandate start
    fields = lines[20].split(";")
    fields[6], fields[7], fields[9] = "NOUVELLE", "Maire", "01/02/1980"  # somebody else
    lines[20] = ";".join(fields)
    del lines[30]  # a commune not reported any more
    lines.insert(40, lines[40])  # a duplicated line: both are read, and the file is refused
    path = write(tmp_path, "maires-juin.csv", "\n".join(lines) + "\n")
    with pytest.raises(Exception, match="ligne en double"):
        import_rne(path, data_date=date(2026, 6, 1))
    del lines[40]
    path = write(tmp_path, "maires-juin.csv", "\n".join(lines) + "\n")

    class Rollback(Exception):
        pass

    def import_and_describe():
        (result,) = import_rne(path, data_date=date(2026, 6, 1))
        s = result.snapshot
        return (
            (
                s.row_count,
                s.entry_count,
                s.new_person_count,
                s.covered_communes,
                s.covered_departements,
                s.rejected_count,
            ),
            entries_by_line(s),
            s.report["reused_lines"],
        )

    before = counts()
    try:
        with transaction.atomic():
            reused_summary, reused_entries, reused = import_and_describe()
            raise Rollback
    except Rollback:
        pass
    assert counts() == before
    monkeypatch.setattr(Reuse, "lookup", lambda self, rne: {})
    full_summary, full_entries, none = import_and_describe()
    assert none == 0 and reused > 30_000  # all but the changed lines were reused
    assert reused_summary == full_summary
    assert reused_entries == full_entries
    assert full_summary[2] == 1  # NOUVELLE Maire is a new person


CM_ROWS = [
    "01;Ain;;;01001;L'Abergement-Clémenciat;VERNAY;Odile;F;03/05/1961;;;15/03/2026;;;FR",
    "01;Ain;;;01001;L'Abergement-Clémenciat;BOUVARD;Rémi;M;11/09/1972;;;15/03/2026;"
    "1er adjoint au Maire;23/03/2026;FR",
    "01;Ain;;;01002;L'Abergement-De-Varey;PERRET;Anne;F;30/01/1980;;;15/03/2026;;;FR",
]
WRITTEN = ("officials_person", "officials_mandate", "officials_snapshotentry")


def table_indexes():
    """Each written table's indexes and unique constraints, as Django sees them."""
    from django.db import connection

    with connection.cursor() as cursor:
        return {
            table: sorted(
                (name, tuple(c["columns"]), c["unique"])
                for name, c in connection.introspection.get_constraints(cursor, table).items()
                if (c["index"] or c["unique"]) and not c["primary_key"]
            )
            for table in WRITTEN
        }


@pytest.fixture
def big_import(monkeypatch):
    """Every import taken for a first national one: the tables' indexes are dropped during
    the writes and built again after. Returns the tables whose indexes were dropped."""
    from mandature.core.ingest import engine as bulk

    rebuilt = []
    secondary = bulk._secondary_indexes

    def spy(table):
        rebuilt.append(table)
        return secondary(table)

    monkeypatch.setattr(bulk, "REBUILD_ABOVE", 1)
    monkeypatch.setattr(bulk, "_row_count", lambda table: 0)
    monkeypatch.setattr(bulk, "_secondary_indexes", spy)
    return rebuilt


@pytest.fixture
def cm_file(tmp_path):
    """Three municipal councillors of two communes, in the current layout."""
    return write(
        tmp_path, "elus-conseillers-municipaux-cm.csv", "\n".join([CM_HEADER, *CM_ROWS, ""])
    )


def test_a_first_national_import_builds_its_indexes_again_after_the_writes(db, cm_file, big_import):
    before = table_indexes()
    (result,) = import_rne(cm_file, data_date=date(2026, 4, 24))
    assert sorted(big_import) == sorted(WRITTEN)
    assert table_indexes() == before
    assert result.snapshot.entry_count == 3 and result.snapshot.new_person_count == 3
    adjoint = SnapshotEntry.objects.get(snapshot=result.snapshot, function_code="adjoint")
    assert (adjoint.person.last_name, adjoint.function_rank) == ("BOUVARD", 1)
    # the name search goes through the rebuilt index
    assert Person.objects.filter(match_key__startswith="vernay|odile|").count() == 1


def test_a_first_national_import_that_fails_leaves_tables_and_indexes_as_before(
    db, cm_file, big_import, monkeypatch
):
    from mandature.officials.writer import SnapshotWriter

    write_entries = SnapshotWriter._write_entries

    def fails_after_writing(self, *args):
        write_entries(self, *args)
        raise RuntimeError("disque plein")

    monkeypatch.setattr(SnapshotWriter, "_write_entries", fails_after_writing)
    before, indexes = counts(), table_indexes()
    with pytest.raises(RuntimeError, match="disque plein"):
        import_rne(cm_file, data_date=date(2026, 4, 24))
    assert sorted(big_import) == sorted(WRITTEN)
    assert counts() == before and table_indexes() == indexes


def test_a_later_import_keeps_the_indexes(db, cm_file, big_import, monkeypatch):
    """The next file of a kind (fewer new rows than twice what the tables hold) writes with the
    indexes in place: readers are never blocked by it."""
    from mandature.core.ingest import engine as bulk

    monkeypatch.setattr(bulk, "_row_count", lambda table: 2)  # 3 rows: fewer than twice 2
    (result,) = import_rne(cm_file, data_date=date(2026, 4, 24))
    assert big_import == [] and result.snapshot.entry_count == 3
