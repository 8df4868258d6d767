"""The DGCL and SRU format classes alone (no database): columns found by their label, and
what each refuses, by file, line and column."""

import pytest

from mandature.core.ingest import FileProblems, Member
from mandature.housing.sources.dgcl import DgclFormat
from mandature.housing.sources.sru import SruFormat


def dgcl(text: str, name="criteres-2024.csv", year=None):
    return DgclFormat.of(Member(name, text.encode()), year=year).parsed()


def refusal(fmt, text: str, name: str, **options) -> list[str]:
    with pytest.raises(FileProblems) as caught:
        fmt.of(Member(name, text.encode()), **options).parsed()
    return caught.value.lines


def test_dgcl_columns_are_found_by_the_label_after_the_last_dash_whatever_the_section():
    parsed = dgcl(
        "Titre du rapport\n"
        "Informations générales - Code INSEE de la commune;DSU et cohésion sociale - Nombre de "
        "logements TH de la commune;DSU - Nombre de logements sociaux de la commune\n"
        "1001;350;n.d.\n"
    )
    assert parsed.year == 2024
    assert [(r.line, r.code, r.values) for r in parsed.rows] == [
        (3, "01001", {"housing_units": 350, "social_units": None})
    ]
    assert parsed.columns["code"] == "Informations générales - Code INSEE de la commune"


def test_dgcl_refuses_a_bad_code_and_a_year_out_of_range():
    header = "Code INSEE de la commune;Nombre de logements TH de la commune;Nombre de logements "
    header += "sociaux de la commune"
    lines = refusal(DgclFormat, f"{header}\n7505;1;1\nABCDE;1;1\n", "c-2024.csv")
    assert lines == [
        "c-2024.csv:3: column « Code INSEE de la commune »: code INSEE invalide « ABCDE »"
    ]
    lines = refusal(DgclFormat, f"{header}\n75056;1;1\n", "c.csv", year=1999)
    assert lines == [
        "c.csv:0: column « - »: année introuvable dans le nom du fichier : --year AAAA"
    ]


def test_sru_refuses_a_file_without_the_code_nor_the_figures():
    lines = refusal(SruFormat, "Commune;Taux légal\nParis;25\n", "sru-2024.csv")
    found = "trouvées : « Commune », « Taux légal »"
    assert lines == [
        f"sru-2024.csv:1: column « code INSEE de la commune »: colonne manquante ; {found}",
        "sru-2024.csv:1: column « taux de logements sociaux, ou logements sociaux et résidences "
        f"principales »: colonne manquante ; {found}",
    ]


def test_sru_rows_of_empty_cells_are_skipped_and_a_rate_over_100_refused():
    text = "Code INSEE;Taux de logements sociaux;Année\n92051;6,9;2024\n;;\n92050;120;2024\n"
    lines = refusal(SruFormat, text, "sru.csv")
    assert lines == ["sru.csv:4: column « Taux de logements sociaux »: taux de 120 %"]
