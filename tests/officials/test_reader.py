"""The RNE reader: layouts, encodings, codes and dates, on the real bundled files and on edge cases."""

from datetime import date

import pytest
from django.conf import settings

from mandature.core.ingest import Member
from mandature.officials.enums import FunctionCode, SnapshotKind
from mandature.officials.sources.rne import (
    DateParser,
    RneFileError,
    commune_code,
    function_code,
    parse_text,
    read_rne,
)
from tests.officials.files import HEADER

RNE = settings.DATA_DIR / "rne"

REAL_FILES = {
    "9-rne-maires_2020-01-15.txt.gz": (SnapshotKind.MAIRES, "ancien", "windows-1252", 34_906),
    "rne-maires_2022-02.csv.gz": (SnapshotKind.MAIRES, "actuel", "windows-1252", 34_921),
    "elus-maires-mai_2026-04.csv.gz": (SnapshotKind.MAIRES, "actuel", "utf-8", 32_475),
    "elus-conseillers-municipaux-cm_partial-dep32-dep44_2024-10.csv.gz": (
        SnapshotKind.CM,
        "actuel",
        "utf-8",
        9_752,
    ),
    "2026-04/elus-conseillers-departementaux-cd.csv.gz": (
        SnapshotKind.CD,
        "actuel",
        "utf-8",
        4_038,
    ),
    "2026-04/elus-conseillers-regionaux-cr.csv.gz": (SnapshotKind.CR, "actuel", "utf-8", 1_745),
    "2026-04/elus-conseillers-arrondissements-ca.csv.gz": (
        SnapshotKind.CA,
        "actuel",
        "utf-8",
        1_027,
    ),
    "2026-04/elus-deputes-dep.csv.gz": (SnapshotKind.DEP, "actuel", "utf-8", 577),
    "2026-04/elus-senateurs-sen.csv.gz": (SnapshotKind.SEN, "actuel", "utf-8", 348),
    "2026-04/elus-representants-parlement-europeen-rpe.csv.gz": (
        SnapshotKind.RPE,
        "actuel",
        "utf-8",
        81,
    ),
    "2026-04/elus-membres-dune-assemblee-ma.csv.gz": (SnapshotKind.MA, "actuel", "utf-8", 588),
    "2026-04/elus-conseillers-des-francais-de-letranger-cons.csv.gz": (
        SnapshotKind.CONS,
        "actuel",
        "utf-8",
        441,
    ),
    "2026-04/elus-assemblee-des-francais-de-letranger-afe.csv.gz": (
        SnapshotKind.AFE,
        "actuel",
        "utf-8",
        89,
    ),
    "history/RNE_export_EPCI_20200211.txt.gz": (
        SnapshotKind.EPCI,
        "historique",
        "windows-1252",
        None,
    ),
}


@pytest.mark.parametrize("name", REAL_FILES)
def test_every_bundled_layout_is_recognised(name):
    kind, layout, encoding, rows = REAL_FILES[name]
    (parsed,) = read_rne(RNE / name, reference=date(2026, 11, 24))
    assert (parsed.kind, parsed.layout, parsed.encoding) == (kind, layout, encoding)
    if rows is not None:
        assert len(parsed.rows) == rows


def test_old_layout_codes_and_dates():
    (parsed,) = read_rne(RNE / "9-rne-maires_2020-01-15.txt.gz")
    by_code = {row.commune: row for row in parsed.rows}
    assert "97101" in by_code and "2A004" in by_code and "01001" in by_code
    abergement = by_code["01001"]
    assert abergement.birth == date(1951, 3, 4) and abergement.mandate_start == date(2014, 3, 23)
    assert abergement.function_code == FunctionCode.MAIRE
    assert parsed.latest_date == date(2019, 9, 23)  # the file name says 2020-01-15


def test_data_date_is_the_latest_date_in_the_file_not_its_name():
    (parsed,) = read_rne(RNE / "9-rne-maires_2022-03-27.csv.gz")
    assert parsed.latest_date == date(2020, 11, 24)


@pytest.mark.parametrize(
    ("dept", "commune", "expected"),
    [
        ("01", "001", "01001"),
        ("2A", "004", "2A004"),
        ("ZA", "101", "97101"),
        ("ZD", "411", "97411"),
        ("ZM", "503", "97603"),
        ("ZM", "608", "97608"),
        ("ZP", "019", "98719"),
        ("ZN", "801", "98801"),
        ("ZS", "501", "97501"),
        ("", "1001", "01001"),
        ("", "2B033", "2B033"),
        ("", "97101", "97101"),
    ],
)
def test_commune_codes(dept, commune, expected):
    assert commune_code(dept, commune) == expected


@pytest.mark.parametrize(
    ("text", "birth", "expected"),
    [
        ("4/3/1951", True, date(1951, 3, 4)),
        ("04/03/1951", True, date(1951, 3, 4)),
        ("25/11/62", True, date(1962, 11, 25)),
        ("18/04/00", True, date(2000, 4, 18)),
        ("20/08/06", True, date(2006, 8, 20)),
        ("17/09/75", True, date(1975, 9, 17)),
        ("22/03/26", False, date(2026, 3, 22)),
        ("08/07/24", False, date(2024, 7, 8)),
        ("2026-03-15", False, date(2026, 3, 15)),
    ],
)
def test_dates_and_the_century_of_two_digit_years(text, birth, expected):
    assert DateParser(date(2026, 11, 24)).parse(text, birth=birth) == expected


@pytest.mark.parametrize("text", ["31/02/2020", "2020-13-01", "15/03/2031", "hier", "1/1/1"])
def test_impossible_or_unreadable_dates(text):
    assert isinstance(DateParser(date(2026, 11, 24)).parse(text, birth=False), str)


@pytest.mark.parametrize(
    ("label", "code", "rank"),
    [
        ("Maire", FunctionCode.MAIRE, None),
        ("2ème adjoint au Maire", FunctionCode.ADJOINT, 2),
        ("1er adjoint au maire", FunctionCode.ADJOINT, 1),
        ("Maire délégué", FunctionCode.MAIRE_DELEGUE, None),
        ("Président du conseil communautaire", FunctionCode.PRESIDENT, None),
        ("3ème vice-président", FunctionCode.VICE_PRESIDENT, 3),
        ("", FunctionCode.NONE, None),
    ],
)
def test_functions(label, code, rank):
    assert function_code(label) == (code, rank)


def test_bom_crlf_and_quotes_are_accepted():
    text = (
        "\ufeff"
        + HEADER
        + '\r\n01;Ain;;;01001;"L\'Abergement";"DUPONT";"Marie";F;01/02/1970;;;15/03/2026;20/03/2026\r\n'
    )
    parsed = parse_text("f.csv", text, "utf-8", date(2026, 11, 24))
    assert parsed.kind == SnapshotKind.MAIRES and parsed.rows[0].last_name == "DUPONT"


def test_control_characters_are_dropped_and_unknown_bytes_named_by_line():
    def decode(name, raw):
        return Member(name, raw).decode()

    assert decode("f.csv", b"a" * 1000 + b"\x00b\x1bc\r\n") == ("a" * 1000 + "bc\r\n", "utf-8")
    assert decode("f.csv", b"\xc3\xa9\n\xc2\x85x") == ("é\nx", "utf-8")  # U+0085 in UTF-8
    with pytest.raises(RneFileError) as error:
        decode("f.csv", b"Nom\nDUPONT\nDUR\x81AND\n\xe9t\xe9\nMA\x9dRTIN\n")
    assert error.value.lines == [
        "f.csv:3: column « - »: octet 0x81 illisible, ni UTF-8 ni Windows-1252 (enregistrez le "
        "fichier en UTF-8)",
        "f.csv:5: column « - »: octet 0x9D illisible, ni UTF-8 ni Windows-1252 (enregistrez le "
        "fichier en UTF-8)",
    ]
