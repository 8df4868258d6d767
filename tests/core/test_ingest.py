"""The ingest framework: reading sources, tables, a declarative format, diff then write."""

import gzip
import zipfile

import pytest

from mandature.core.ingest import FileProblems, Member, engine, read_source
from mandature.core.ingest.formats import Column, Format
from mandature.core.ingest.sync import Stored, diff, write
from mandature.core.ingest.table import Table
from mandature.core.models import ImportRun
from tests.recorded_http import Answers, serving


class Budget(Format):
    """A two-column format for these tests: a commune code and a whole number."""

    what = "un fichier de budgets"
    columns = (
        Column("code", ("code commune", "code insee"), "Code commune", required=True),
        Column("amount", ("montant",), "Montant", required=True),
    )

    def clean(self, line, values):
        code, amount = self.cell(values, "code"), self.cell(values, "amount")
        if not amount.isdigit():
            self.problem(line, "amount", f"nombre entier attendu, « {amount} » trouvé")
            return None
        return code, int(amount)


def read(tmp_path, content: bytes, name="budgets.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return [reader.read() for reader in Budget.open(path)]


def problems_of(tmp_path, content: bytes, name="budgets.csv") -> list[str]:
    with pytest.raises(FileProblems) as caught:
        read(tmp_path, content, name)
    return caught.value.lines


def test_reads_utf8_with_bom_semicolons_and_crlf(tmp_path):
    content = "\ufeffCode INSEE;Montant\r\n33063;12\r\n59350;7\r\n".encode()
    assert read(tmp_path, content) == [[("33063", 12), ("59350", 7)]]


def test_reads_windows_1252_tabs_and_a_report_title(tmp_path):
    content = "Titre du rapport\nCode commune\tMontant\tCommentaire\n01001\t3\tAbergement\xe9\n"
    assert read(tmp_path, content.encode("cp1252")) == [[("01001", 3)]]


def test_reads_gzip_and_each_member_of_a_zip(tmp_path):
    assert read(tmp_path, gzip.compress(b"code insee,montant\n33063,1\n"), "b.csv.gz") == [
        [("33063", 1)]
    ]
    archive = tmp_path / "b.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.csv", "code insee;montant\n33063;1\n")
        z.writestr("b.csv", "code insee;montant\n59350;2\n")
    readers = Budget.open(archive)
    assert [r.name for r in readers] == [f"{archive}!a.csv", f"{archive}!b.csv"]
    assert [r.read() for r in readers] == [[("33063", 1)], [("59350", 2)]]


def test_every_problem_names_file_line_and_column(tmp_path):
    lines = problems_of(tmp_path, b"code insee;montant\n33063;douze\n59350\n01001;4\n")
    name = tmp_path / "budgets.csv"
    assert lines == [
        f"{name}:2: column « montant »: nombre entier attendu, « douze » trouvé",
        f"{name}:3: column « - »: 1 champs au lieu de 2 (ligne tronquée ou mauvais séparateur)",
    ]


def test_missing_column_lists_what_is_expected_and_found(tmp_path):
    (line,) = problems_of(tmp_path, b"code insee;total\n33063;1\n")
    assert line.endswith(
        ":1: column « Montant »: colonne manquante ; attendues au moins : « Code commune », "
        "« Montant » ; trouvées : « code insee », « total »"
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", ":1: column « - »: fichier vide"),
        (b"<html><body>404</body></html>\n", "ceci est une page HTML, pas un fichier de budgets"),
        ("code;montant\n".encode("utf-16"), "encodage illisible (UTF-16 ou binaire)"),
        (b"code insee;montant\n", ":2: column « - »: aucune ligne de données"),
        (b"code insee;montant\n33063;1\n\x9d;2\n", ":3: column « - »: octet 0x9D illisible"),
        (b"\x1f\x8b\x08\x00garbage", ":0: column « - »: fichier gzip tronqué ou corrompu"),
    ],
)
def test_malformed_files_are_refused_with_the_line(tmp_path, content, expected):
    name = "b.csv.gz" if content.startswith(b"\x1f\x8b") else "budgets.csv"
    lines = problems_of(tmp_path, content, name)
    assert expected in lines[0], lines


def test_a_quote_never_closed_is_named_at_its_line(tmp_path):
    big = b"x" * (bulk_limit() + 10)
    lines = problems_of(tmp_path, b'code insee;montant\n33063;1\n59350;"' + big + b"\n")
    assert ":3: column « - »: champ de plus de" in lines[0]


def bulk_limit() -> int:
    from mandature.core.ingest.table import FIELD_LIMIT

    return FIELD_LIMIT


def test_the_table_keeps_line_numbers_when_lines_are_skipped():
    table = Table.parse(Member("t.csv", b"a;b\n1;2\n3;4\n5;6\n"), "un tableau")
    assert list(table.records(skip=lambda index: index == 1)) == [(2, ["1", "2"]), (4, ["5", "6"])]
    assert table.delimiter == ";" and table.ends_with_newline


@pytest.mark.parametrize(
    "content",
    [
        "a;b;c\n1;2;3\n\n  \n4;;6\n7; 8 ;9\r\n;;\n",  # plain: cut at the delimiter
        'a;b;c\n1;"2;x";3\n\n4;;6\n',  # a quote: read by the csv module
    ],
)
def test_a_plain_table_reads_as_the_csv_module_reads_it(content):
    """Tables without quotes are cut at the delimiter without the csv module (faster): the
    same records, line numbers and blank lines left out as with it."""
    import csv

    table = Table.parse(Member("t.csv", content.encode()), "un tableau")
    expected = [
        (table.line_of(index), values)
        for index, text in enumerate(table.lines)
        for values in csv.reader([text], delimiter=";")
        if values and (len(values) > 1 or values[0].strip())
    ]
    assert list(table.records()) == expected
    assert table._plain() is ('"' not in content)


class Recorded(Answers):
    def do_GET(self):
        if self.path == "/ok.csv":
            self.answer(200, b"code insee;montant\n33063;5\n")
        elif self.path == "/short.csv":  # announces more than it sends
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"code insee;montant\n")
        else:
            self.answer(503, b"indisponible")


@pytest.fixture
def server():
    with serving(Recorded) as address:
        yield address


def test_a_download_is_read_like_a_file(server):
    assert [r.read() for r in Budget.open(f"{server}/ok.csv")] == [[("33063", 5)]]


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/down.csv", "le serveur répond 503"), ("/short.csv", "réponse tronquée")],
)
def test_a_failed_download_is_one_problem(server, path, expected):
    with pytest.raises(FileProblems) as caught:
        read_source(f"{server}{path}")
    assert caught.value.lines[0].startswith(f"{server}{path}:0: column « - »: {expected}")


def test_diff_keeps_what_a_person_edited():
    stored = {
        "33063": Stored(1, {"phone": "05 00", "email": "a@b.fr"}, frozenset({"phone"})),
        "59350": Stored(2, {"phone": "03 00", "email": ""}),
        "01001": Stored(3, {"phone": "04 00", "email": ""}),
    }
    incoming = {
        "33063": {"phone": "05 99", "email": "a@b.fr"},
        "59350": {"phone": "03 11", "email": ""},
        "75056": {"phone": "01 00", "email": ""},
    }
    result = diff(stored, incoming)
    assert result.created == [("75056", {"phone": "01 00", "email": ""})]
    assert result.changed == [(2, {"phone": "03 11"})]
    assert result.removed == [("01001", 3)]
    assert result.kept == [("33063", "phone")]
    assert result.counts() == {
        "created": 1,
        "updated": 1,
        "removed": 1,
        "kept": 1,
        "unchanged": 1,
    }
    assert diff(stored, incoming, remove=False).removed == []


@pytest.mark.django_db
@pytest.mark.parametrize("fast", [False, True])
def test_write_creates_changes_and_removes_on_this_engine(monkeypatch, fast):
    if fast:  # the engine's fast path (COPY or multi-row INSERT) for a large first load
        monkeypatch.setattr(engine, "FAST_INSERT_ABOVE", 0)
    old = ImportRun.objects.create(source="s", file_name="old", sha256="1", status="success")
    kept = ImportRun.objects.create(source="s", file_name="kept", sha256="2", status="success")
    stored = {run.file_name: Stored(run.pk, {"sha256": run.sha256}) for run in (old, kept)}
    incoming = {"kept": {"sha256": "22"}, "new": {"sha256": "3"}}
    counts = write(ImportRun, diff(stored, incoming), ["file_name"], extra={"source": "t"})
    assert counts["created"] == counts["updated"] == counts["removed"] == 1
    mine = ImportRun.objects.filter(file_name__in=["old", "kept", "new"])
    rows = dict(mine.values_list("file_name", "sha256"))
    assert rows == {"kept": "22", "new": "3"}
    new = ImportRun.objects.get(file_name="new")
    assert new.source == "t" and new.counts == {} and new.started_at is not None
