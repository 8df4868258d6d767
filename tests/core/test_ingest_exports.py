"""core.ingest additions of issue 24: JSON records (an API's export) and quoted fields that hold
line breaks."""

import pytest

from mandature.core.ingest import FileProblems, Member
from mandature.core.ingest.formats import Column, Format
from mandature.core.ingest.records import ExportFormat
from mandature.core.ingest.table import Table


class Names(ExportFormat):
    what = "un export de noms"

    def clean(self, number, record):
        if not record.get("nom"):
            self.remark(number, "nom", "nom absent : enregistrement écarté", skipped=True)
            return None
        return record["nom"]


def read(body: bytes):
    return Names.of(Member("export.json", body))


def test_records_are_read_and_a_bad_one_is_a_remark():
    reader = read(b'[{"nom": "Lille"}, {"code": "1"}, 3, {"nom": "Brest"}]')
    assert reader.read() == ["Lille", "Brest"]
    assert reader.problems.remarks == [
        (2, "nom", "nom absent : enregistrement écarté", True),
        (3, "-", "enregistrement qui n'est pas un objet JSON", True),
    ]


def test_a_records_answer_reads_its_results():
    assert read(b'{"total_count": 1, "results": [{"nom": "Lille"}]}').read() == ["Lille"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            b'[{"nom": "Lille"}, {"nom": "Br',
            "export.json:1: column « - »: JSON illisible ou tronqué",
        ),
        (b"<html>Maintenance</html>", "ceci est une page HTML, pas un export de noms"),
        (b'{"nom": "Lille"}', "une liste d'enregistrements attendue"),
        (b"", "fichier vide"),
    ],
)
def test_an_unreadable_export_is_one_problem(body, expected):
    with pytest.raises(FileProblems, match=expected):
        read(body)


def test_an_empty_list_is_a_problem():
    with pytest.raises(FileProblems, match="aucun enregistrement"):
        read(b"[]").read()


class Addresses(Format):
    what = "un fichier d'adresses"
    default_delimiter = ","
    multiline = True
    columns = (Column("code", ("code",), required=True), Column("address", ("adresse",)))

    def clean(self, line, values):
        return line, self.cell(values, "code"), self.cell(values, "address")


def test_a_quoted_field_keeps_its_line_breaks_and_lines_are_counted():
    member = Member("a.csv", b'code,adresse\n33063,"Place Pey-Berland\n33000 Bordeaux"\n59350,x\n')
    assert Addresses.of(member).read() == [
        (3, "33063", "Place Pey-Berland\n33000 Bordeaux"),
        (4, "59350", "x"),
    ]
    assert Table.parse(member, "un tableau", ",").multiline is False  # opt-in, per format
