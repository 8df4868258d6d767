"""An XLSX file from rows, where text stays text (a value typed as « =… » is no formula)."""

import io


def xlsx_bytes(header: list[str], rows: list[list], title: str = "Données") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(header)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_response(header: list[str], rows: list[list], fmt: str, filename: str,
                    sheet: str = "Données"):  # fmt: skip
    """A download of the rows: CSV (« ; », UTF-8 with BOM, formulas neutralised) or XLSX."""
    import csv

    from django.http import HttpResponse

    from mandature.core.text import spreadsheet_safe

    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
        writer.writerow(header)
        writer.writerows([[spreadsheet_safe(value) for value in row] for row in rows])
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            xlsx_bytes(header, rows, sheet),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
