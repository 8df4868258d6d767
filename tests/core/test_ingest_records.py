"""The ingest framework's additions for the official formats: JSON records, a format's own
wording of two refusals, problems already written out, retiring by a function of the key."""

import gzip
import json
import zipfile

import pytest

from mandature.core.ingest import FileProblems, Member
from mandature.core.ingest.formats import Column, Format
from mandature.core.ingest.records import RecordFormat, read_json
from mandature.core.ingest.sync import Diff, write
from mandature.territories.models import Epci


class Mayors(RecordFormat):
    """A minimal records format: a code and a whole number."""

    columns = (Column("code", ("code",), required=True), Column("seats", ("sieges",)))

    def clean(self, index, item):
        return self.text(index, item, "code"), self.count(index, item, "seats")


def json_file(tmp_path, data, name="mairies.json.gz"):
    path = tmp_path / name
    raw = json.dumps(data).encode()
    path.write_bytes(gzip.compress(raw) if name.endswith(".gz") else raw)
    return path


def test_records_are_read_from_a_gzip(tmp_path):
    path = json_file(tmp_path, [{"code": "33063", "sieges": 65}, {"code": "59350"}])
    assert Mayors.open(path).read() == [("33063", 65), ("59350", None)]


def test_record_problems_name_the_file_the_record_and_the_key(tmp_path):
    path = json_file(tmp_path, [{"code": "33063", "sieges": -1}, {"sieges": 3}])
    with pytest.raises(FileProblems) as caught:
        Mayors.open(path).read()
    assert caught.value.lines == [
        f"{path}: enregistrement 1 : champ « sieges » : entier positif attendu : -1",
        f"{path}: enregistrement 2 : champ « code » : valeur manquante",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'[{"code": "33063"},', ":1: JSON invalide, colonne 20 : Expecting value"),
        (b'{"code": "33063"}', ": une liste d'objets JSON est attendue"),
        (b"[]", ": le fichier ne contient aucun enregistrement"),
        (b'[{"nom": "B\xe8gles"}]', ": encodage illisible, UTF-8 attendu"),
    ],
)
def test_malformed_json_files_are_refused_naming_the_file(tmp_path, content, expected):
    path = tmp_path / "mairies.json"
    path.write_bytes(content)
    with pytest.raises(FileProblems) as caught:
        Mayors.open(path)
    assert caught.value.lines[0].startswith(f"{path}{expected}")


def test_a_json_zip_must_hold_one_file_and_a_bad_gzip_names_the_file(tmp_path):
    archive = tmp_path / "deux.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.json", "[]")
        z.writestr("b.json", "[]")
    with pytest.raises(FileProblems, match=r"deux.zip: archive zip de 2 fichiers, un seul"):
        read_json(archive)
    broken = tmp_path / "b.json.gz"
    broken.write_bytes(b"\x1f\x8b\x08garbage")
    with pytest.raises(FileProblems, match=r"b.json.gz: fichier gzip tronqué ou corrompu$"):
        read_json(broken)


class OldWords(Format):
    what = "un fichier ancien"
    html_refusal = "page HTML, pas un fichier ancien"
    utf16_refusal = "encodage UTF-16 non pris en charge"
    columns = (Column("code", ("code",), required=True),)

    def clean(self, line, values):
        return self.cell(values, "code")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"<html>404</html>\n", "t.csv:1: column « - »: page HTML, pas un fichier ancien"),
        ("code\n1\n".encode("utf-16"), "t.csv:1: column « - »: encodage UTF-16 non pris en"),
        ("code\n1\n".encode("utf-16-le"), "t.csv:1: column « - »: encodage UTF-16 non pris en"),
    ],
)
def test_a_format_may_keep_its_own_wording_of_two_refusals(raw, expected):
    with pytest.raises(FileProblems) as caught:
        OldWords.of(Member("t.csv", raw))
    assert caught.value.lines[0].startswith(expected)


def test_a_stray_nul_is_dropped_not_taken_for_utf16():
    assert OldWords.of(Member("t.csv", b"code\n33\x0063\n")).read() == ["3363"]


def test_retire_may_depend_on_the_key(db):
    Epci.objects.bulk_create(
        [Epci(siren=s, name=s, kind="CC") for s in ("900000001", "900000002", "900000003")]
    )
    pks = {e.siren: e.pk for e in Epci.objects.filter(siren__startswith="90000000")}
    removed = [(siren, pk) for siren, pk in pks.items() if siren != "900000003"]
    write(
        Epci,
        Diff(removed=removed),
        ["siren"],
        retire=lambda siren: {"is_current": False, "name": f"ex-{siren}"},
    )
    found = dict(Epci.objects.filter(pk__in=pks.values()).values_list("siren", "name"))
    assert found == {
        "900000001": "ex-900000001",
        "900000002": "ex-900000002",
        "900000003": "900000003",
    }
    assert Epci.objects.filter(pk__in=pks.values(), is_current=False).count() == 2
