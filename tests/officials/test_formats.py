"""One malformed file per RNE format class: the header of a real bundled file of that kind, a
few of its rows, one thing broken; refused with `FILE:LINE: column « NAME »: what`."""

import csv
import io
from datetime import date

import pytest
from django.conf import settings

from mandature.core.ingest import FileProblems, read_source
from mandature.core.ingest.table import Table
from mandature.officials.sources.rne import RneFormat, parse_text

RNE = settings.DATA_DIR / "rne"
REFERENCE = date(2026, 11, 24)
EPCI_HISTORY = "history/RNE_export_EPCI_20200211.txt.gz"
ENDS = (
    "Date de fin du mandat",
    "Motif de fin de mandat",
    "Date de fin de la fonction",
    "Motif de fin de fonction",
)


def sample(name: str, rows: int = 3) -> tuple[list[str], list[list[str]], str, bool]:
    """The header, the first rows, the delimiter and the title line of a bundled file."""
    (member,) = read_source(RNE / name)
    text, _encoding = member.decode()
    table = Table.from_text(name, text, "utf-8", RneFormat.what)
    data = list(csv.reader(table.lines[:rows], delimiter=table.delimiter))
    return table.header, data, table.delimiter, table.header_line == 2


def text_of(header, rows, delimiter, title) -> str:
    out = io.StringIO()
    if title:
        out.write("Titre du rapport\n")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def broken(name: str, change: str, column: str, value: str = "", drop=()) -> tuple[str, bool]:
    """A bundled file's sample with `column` set to `value` on the first row (`set`) or
    removed (`drop`), and the columns of `drop` removed too."""
    header, rows, delimiter, title = sample(name)
    removed = {header.index(c) for c in drop}
    if change == "drop":
        removed.add(header.index(column))
    else:
        rows[0][header.index(column)] = value
    keep = [i for i in range(len(header)) if i not in removed]
    header = [header[i] for i in keep]
    rows = [[row[i] for i in keep] for row in rows]
    return text_of(header, rows, delimiter, title), title


CASES = {
    "Maires": (
        "elus-maires-mai_2026-04.csv.gz",
        ("set", "Code de la commune", "ABC"),
        2,
        "« Code de la commune »: code de commune invalide « ABC »",
    ),
    "ConseillersMunicipaux": (
        "elus-conseillers-municipaux-cm_partial-dep32-dep44_2024-10.csv.gz",
        ("drop", "Date de début de la fonction"),
        1,
        "« Date de début de la fonction »: colonne manquante pour un fichier « conseillers "
        "municipaux »",
    ),
    "Epci": (
        EPCI_HISTORY,
        ("set", "N° SIREN", "12"),
        2,
        "« N° SIREN »: SIREN invalide « 12 »",
    ),
    "Departementaux": (
        "2026-04/elus-conseillers-departementaux-cd.csv.gz",
        ("drop", "Libellé de la fonction"),
        1,
        "« Libellé de la fonction »: colonne manquante pour un fichier « conseillers "
        "départementaux »",
    ),
    "Regionaux": (
        "2026-04/elus-conseillers-regionaux-cr.csv.gz",
        ("drop", "Date de début de la fonction"),
        1,
        "« Date de début de la fonction »: colonne manquante pour un fichier « conseillers "
        "régionaux »",
    ),
    "Arrondissements": (
        "2026-04/elus-conseillers-arrondissements-ca.csv.gz",
        ("set", "Code de la commune", ""),
        2,
        "« Code de la commune »: code de commune manquant",
    ),
    "Deputes": (
        "2026-04/elus-deputes-dep.csv.gz",
        ("drop", "Code de la collectivité à statut particulier"),
        1,
        "« Code de la collectivité à statut particulier »: colonne manquante pour un fichier "
        "« députés »",
    ),
    "Senateurs": (
        "2026-04/elus-senateurs-sen.csv.gz",
        ("set", "Code sexe", "X"),
        2,
        "« Code sexe »: sexe « X » : M ou F attendu",
    ),
    "Europeens": (
        "2026-04/elus-representants-parlement-europeen-rpe.csv.gz",
        ("set", "Date de naissance", "31/02/1971"),
        2,
        "« Date de naissance »: date impossible « 31/02/1971 »",
    ),
    "Assemblees": (
        "2026-04/elus-membres-dune-assemblee-ma.csv.gz",
        ("drop", "Libellé de la fonction"),
        1,
        "« Libellé de la fonction »: colonne manquante pour un fichier « membres des "
        "assemblées des collectivités à statut particulier »",
    ),
    "Consulaires": (
        "2026-04/elus-conseillers-des-francais-de-letranger-cons.csv.gz",
        ("set", "Date de début de la fonction", "hier"),
        2,
        "« Date de début de la fonction »: date illisible « hier » (JJ/MM/AAAA attendu)",
    ),
    "Afe": (
        "2026-04/elus-assemblee-des-francais-de-letranger-afe.csv.gz",
        ("set", "Date de début du mandat", "01/01/2099"),
        2,
        "« Date de début du mandat »: date dans le futur « 01/01/2099 »",
    ),
    "OldReportMaires": (
        "9-rne-maires_2020-01-15.txt.gz",
        ("set", "Date de naissance", "4/13/1951"),
        3,
        "« Date de naissance »: date impossible « 4/13/1951 »",
    ),
    "HistoryExportEpci": (
        EPCI_HISTORY,
        ("drop", "Code sexe"),
        2,
        "« Code sexe »: colonne manquante pour un fichier « conseillers communautaires »",
    ),
}


def case_text(name: str) -> str:
    source, change, _line, _message = CASES[name]
    if name == "Epci":  # the current layout of the EPCI file: no title, no end columns
        text, _title = broken(source, *change, drop=ENDS)
        return text.split("\n", 1)[1]
    return broken(source, *change)[0]


@pytest.mark.parametrize("name", CASES)
def test_each_format_class_refuses_a_malformed_file_naming_line_and_column(name):
    _source, _change, line, message = CASES[name]
    text = case_text(name)
    table = Table.from_text("f.csv", text, "utf-8", RneFormat.what)
    with pytest.raises(FileProblems) as caught:
        reader = RneFormat.of_table(table, REFERENCE, None)
        assert type(reader).__name__ == name
        reader.read()
    expected = f"f.csv:{line}: column {message}"
    assert any(problem.startswith(expected) for problem in caught.value.lines), caught.value.lines


@pytest.mark.parametrize("name", CASES)
def test_each_format_class_reads_its_sample_unbroken(name):
    source = CASES[name][0]
    header, rows, delimiter, title = sample(source)
    if name == "Epci":
        ends = {header.index(c) for c in ENDS}
        keep = [i for i in range(len(header)) if i not in ends]
        header, rows = [header[i] for i in keep], [[r[i] for i in keep] for r in rows]
        title = False
    text = text_of(header, rows, delimiter, title)
    table = Table.from_text("f.csv", text, "utf-8", RneFormat.what)
    reader = RneFormat.of_table(table, REFERENCE, None)
    assert type(reader).__name__ == name
    assert len(reader.read().rows) == 3


def test_a_history_export_sets_bad_rows_aside_and_reads_the_next_ones():
    """A row without mandate start, with other problems too, is set aside with all its
    problems in the report; the row after it is read."""
    header, rows, delimiter, title = sample(EPCI_HISTORY, rows=4)
    rows[1][header.index("Code sexe")] = "X"
    rows[1][header.index("Date de début du mandat")] = ""
    parsed = parse_text("h.txt", text_of(header, rows, delimiter, title), "utf-8", REFERENCE)
    assert [row.line for row in parsed.rows] == [3, 5, 6]
    assert [(w[0], w[1], w[3]) for w in parsed.warnings] == [
        (4, "Date de début du mandat", True),
        (4, "Code sexe", True),
    ]
    assert parsed.warnings[1][2] == "sexe « X » : M ou F attendu : ligne écartée"
