"""Downloads as a spreadsheet opens them: CSV streamed (UTF-8 with BOM, « ; », formulas
neutralised), XLSX written a row at a time (text stays text, numbers and dates keep their type)."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from mandature.core.spreadsheet import export_response, xlsx_bytes


def test_the_xlsx_keeps_text_numbers_and_dates():
    header = ["nom", "nombre", "taux", "date", "le", "vide", "oui"]
    rows = [
        [
            '=HYPERLINK("http://exemple.test")',
            12,
            Decimal("1.5"),
            date(2026, 4, 17),
            datetime(2026, 4, 17, 8, 30, tzinfo=UTC),
            None,
            True,
        ],
        ["Saint-Étienne « Loire » <&>\x00\x1f\nsuite", -3, 0.25, "", "", "", False],
    ]
    book = load_workbook(io.BytesIO(xlsx_bytes(header, rows, "Réponses d'une enquête trop longue")))
    sheet = book.active
    assert sheet.title == "Réponses d'une enquête trop lon"  # 31 characters at most
    assert [c.value for c in sheet[1]] == header
    first = [c.value for c in sheet[2]]
    assert sheet["A2"].data_type == "s"  # no formula
    assert first == [
        '=HYPERLINK("http://exemple.test")',
        12,
        1.5,
        datetime(2026, 4, 17),
        datetime(2026, 4, 17, 10, 30),
        None,
        True,
    ]
    # characters XML cannot hold are dropped (they made openpyxl fail: a 500)
    assert [c.value for c in sheet[3]][:3] == ["Saint-Étienne « Loire » <&>\nsuite", -3, 0.25]


def test_csv_is_streamed_with_bom_and_formulas_neutralised():
    rows = ([f"=cmd|{n}", n, "Lille; Nord"] for n in range(1200))  # read once, never listed
    response = export_response(["nom", "n", "ville"], rows, "csv", "essai")
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="essai.csv"'
    chunks = list(response.streaming_content)
    assert len(chunks) > 2  # sent while written
    text = b"".join(chunks).decode("utf-8")
    lines = text.split("\n")
    assert lines[0] == "\ufeffnom;n;ville"
    assert lines[1] == '\'=cmd|0;0;"Lille; Nord"' and len(lines) == 1202


def test_xlsx_is_sent_from_a_temporary_file():
    response = export_response(["a"], ([n] for n in range(10)), "xlsx", "essai", "Feuille")
    assert response.streaming and response["Content-Disposition"].endswith('"essai.xlsx"')
    assert int(response["Content-Length"]) > 0
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.title == "Feuille" and sheet.max_row == 11
