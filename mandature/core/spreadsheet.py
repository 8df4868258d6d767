"""Downloads of rows as CSV or XLSX, for lists of national size (every mayor of France) within
the web server's timeout and in constant memory.

- CSV (« ; », UTF-8 with BOM, formulas neutralised) is streamed: written a few hundred rows at
  a time while it is sent.
- XLSX is written by this module (SpreadsheetML, one sheet) into a temporary file, a row at a
  time, and sent from it: openpyxl took 6–14 s for the 450,000 cells of a national segment on
  this machine (an object per cell), this writer 0.4 s (docs/benchmarks.md). Text stays text
  (a value typed as « =… » is no formula), numbers are numbers, dates are dates.
"""

import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from decimal import Decimal
from xml.sax.saxutils import escape

from .text import spreadsheet_safe

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
CSV_ROWS_PER_CHUNK = 500

# Characters XML 1.0 cannot hold (openpyxl refused them with an error: a 500).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = datetime(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year bug, after March 1900)

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CONTENT_TYPES = (
    _HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/></Types>'
)
ROOT_RELS = (
    _HEAD + f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_RELS}/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELS = (
    _HEAD + f'<Relationships xmlns="{_PKG}">'
    f'<Relationship Id="rId1" Type="{_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_RELS}/styles" Target="styles.xml"/></Relationships>'
)
# Styles: 0 plain, 1 a date, 2 a date and time (the formats openpyxl gave them).
STYLES = (
    _HEAD + f'<styleSheet xmlns="{_MAIN}"><numFmts count="2">'
    '<numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd h:mm:ss"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="3">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)


def _columns(count: int) -> list[str]:
    letters = []
    for n in range(1, count + 1):
        name = ""
        while n:
            n, rest = divmod(n - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value))


def _cell(ref: str, value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | Decimal) or (isinstance(value, float) and value == value):
        if isinstance(value, float) and value in (float("inf"), float("-inf")):
            return _cell(ref, str(value))
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, datetime):
        if value.tzinfo is not None:  # Excel knows no time zones: the time in Paris
            from django.utils import timezone

            value = timezone.localtime(value).replace(tzinfo=None)
        serial = (value - _EPOCH).total_seconds() / 86400
        return f'<c r="{ref}" s="2"><v>{serial:.10g}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="1"><v>{(value - _EPOCH.date()).days}</v></c>'
    if isinstance(value, time):
        return _cell(ref, value.isoformat())
    return _cell(ref, str(value))


def write_xlsx(out, header: list[str], rows: Iterable[Iterable], title: str = "Données") -> int:
    """Writes the XLSX file into `out` (a binary file), a row at a time; returns the number of
    rows (without the header)."""
    count = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", ROOT_RELS)
        package.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        package.writestr("xl/styles.xml", STYLES)
        package.writestr(
            "xl/workbook.xml",
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheets>'
            f'<sheet name="{escape(title[:31], {chr(34): "&quot;"})}" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        with package.open("xl/worksheets/sheet1.xml", "w") as sheet:
            letters = _columns(len(header))
            parts = [f'{_HEAD}<worksheet xmlns="{_MAIN}"><sheetData>']
            for number, row in enumerate(_with_header(header, rows), start=1):
                if len(letters) < len(row):
                    letters = _columns(len(row))
                cells = "".join(
                    _cell(f"{letter}{number}", value)
                    for letter, value in zip(letters, row, strict=False)
                )
                parts.append(f'<row r="{number}">{cells}</row>')
                if len(parts) >= 500:
                    sheet.write("".join(parts).encode())
                    parts.clear()
                count = number - 1
            parts.append("</sheetData></worksheet>")
            sheet.write("".join(parts).encode())
    return count


def _with_header(header: list[str], rows: Iterable[Iterable]) -> Iterator:
    yield header
    yield from rows


def xlsx_bytes(header: list[str], rows: Iterable[Iterable], title: str = "Données") -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, header, rows, title)
    return buffer.getvalue()


def csv_chunks(header: list[str], rows: Iterable[Iterable]) -> Iterator[bytes]:
    """The CSV file, a few hundred rows at a time: UTF-8 with a BOM (for Excel), « ; »,
    formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    buffer.write("\ufeff")
    writer.writerow(header)
    for number, row in enumerate(rows, start=1):
        writer.writerow([spreadsheet_safe(value) for value in row])
        if number % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def export_response(header: list[str], rows: Iterable[Iterable], fmt: str, filename: str,
                    sheet: str = "Données"):  # fmt: skip
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
