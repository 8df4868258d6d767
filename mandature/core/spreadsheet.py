"""Downloads of rows as CSV or XLSX, for lists of national size (every mayor of France) within
the web server's timeout and in constant memory.

- CSV (« ; », UTF-8 with BOM, formulas neutralised) is streamed: written a few hundred rows at
  a time while it is sent.
- XLSX is written by XlsxWriter in its constant-memory mode (each row flushed to disk as it is
  written) into a temporary file, and sent from it. Text stays text (a value typed as « =… » is
  no formula), numbers are numbers, dates are dates (in Paris time: Excel knows no time zone).
"""

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from decimal import Decimal

import xlsxwriter

from .text import spreadsheet_safe

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
CSV_ROWS_PER_CHUNK = 500

# Characters XML 1.0 cannot hold: a cell holding one makes a file Excel refuses to open.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
SHEET_NAME_MAX = 31  # Excel's limit
# Excel's forbidden characters in a sheet name
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def _writer(sheet, formats):
    """The function writing one value in a cell, by its Python type."""

    def write(row: int, col: int, value) -> None:
        if value is None or value == "":
            return
        if isinstance(value, str):
            sheet.write_string(row, col, _NOT_XML.sub("", value))
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value)
        elif isinstance(value, int | float | Decimal):
            if isinstance(value, float) and (
                value != value or value in (float("inf"), -float("inf"))
            ):
                sheet.write_string(row, col, str(value))
            else:
                sheet.write_number(row, col, float(value) if isinstance(value, Decimal) else value)
        elif isinstance(value, datetime):
            if value.tzinfo is not None:
                from django.utils import timezone

                value = timezone.localtime(value).replace(tzinfo=None)
            sheet.write_datetime(row, col, value, formats["datetime"])
        elif isinstance(value, date):
            sheet.write_datetime(row, col, value, formats["date"])
        elif isinstance(value, time):
            sheet.write_string(row, col, value.isoformat())
        else:
            sheet.write_string(row, col, _NOT_XML.sub("", str(value)))

    return write


def write_xlsx(out, header: list[str], rows: Iterable[Iterable], title: str = "Données") -> int:
    """Writes the XLSX file into `out` (a binary file), a row at a time; returns the number of
    rows (without the header)."""
    book = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    name = _NOT_IN_SHEET_NAME.sub(" ", title)[:SHEET_NAME_MAX].strip(" '") or "Données"
    sheet = book.add_worksheet(name)
    formats = {
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd h:mm:ss"}),
    }
    write = _writer(sheet, formats)
    count = 0
    for number, row in enumerate(_with_header(header, rows)):
        for col, value in enumerate(row):
            write(number, col, value)
        count = number
    book.close()
    return count


def _with_header(header: list[str], rows: Iterable[Iterable]) -> Iterator:
    yield header
    yield from rows


def xlsx_bytes(header: list[str], rows: Iterable[Iterable], title: str = "Données") -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, header, rows, title)
    return buffer.getvalue()


def csv_chunks(
    header: list[str], rows: Iterable[Iterable], *, line_end: str = "\n"
) -> Iterator[bytes]:
    """The CSV file, a few hundred rows at a time: UTF-8 with a BOM (for Excel), « ; »,
    formulas neutralised. `line_end` is the one thing a reader may need otherwise (the printing
    house's mail-merge tools expect CRLF, see docs/campaigns.md)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator=line_end)
    buffer.write("\ufeff")
    writer.writerow(header)
    for number, row in enumerate(rows, start=1):
        writer.writerow([spreadsheet_safe(value) for value in row])
        if number % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def csv_bytes(header: list[str], rows: Iterable[Iterable], *, line_end: str = "\n") -> bytes:
    """The whole CSV file at once (for a file written to disk), same convention as
    `csv_chunks`."""
    return b"".join(csv_chunks(header, rows, line_end=line_end))


def write_export(
    out, header: list[str], rows: Iterable[Iterable], fmt: str, sheet: str = "Données"
) -> None:
    """Writes the rows as CSV or XLSX into `out` (a binary file): the command line's exports,
    the same files as the web's downloads."""
    if fmt == "csv":
        for chunk in csv_chunks(header, rows):
            out.write(chunk)
    else:
        write_xlsx(out, header, rows, sheet)


def export_response(
    header: list[str], rows: Iterable[Iterable], fmt: str, filename: str, sheet: str = "Données"
):
    """A download of the rows (a list, or any iterable read once): CSV streamed while it is
    written, or XLSX written to a temporary file and sent from it."""
    from django.http import FileResponse, StreamingHttpResponse

    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(header, rows), content_type=CSV_TYPE)
    else:
        file = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it, then it is gone)
        write_xlsx(file, header, rows, sheet)
        file.seek(0)
        response = FileResponse(file, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
