"""The contact details a regional association already keeps in a spreadsheet, read from CSV or
XLSX (template: docs/contacts.md, /elus/import-coordonnees/modele.csv).

Two kinds of file, told apart by their columns:

- per official: « code INSEE », « nom » (and « prénom » to tell homonyms apart), then any of
  « courriel », « téléphone », « adresse », « formule d'appel »;
- per commune (no « nom » column): « code INSEE » then any of the mairie's « courriel »,
  « téléphone », « adresse », « site ».

A format never touches the database: `ContactsFormat.read()` gives one `ContactRow` per line, or
raises one FileProblems naming file, line and column (`FILE:LINE: column « NAME »: …`).
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from openpyxl import load_workbook

from mandature.core import files
from mandature.core.ingest import FileProblems
from mandature.core.ingest.formats import Column, Format
from mandature.core.ingest.source import Member
from mandature.core.ingest.table import Table
from mandature.directory import values

PER_OFFICIAL = "official"
PER_COMMUNE = "commune"
MAX_ROWS = 50_000  # a national file of mayors is 35,000 lines
XLSX_NEWLINE = "\ue000"  # a line break inside a spreadsheet cell, kept through the CSV text
_ZIP_MAGIC = b"PK\x03\x04"
_NINE_DIGITS = re.compile(r"[1-9]\d{8}")  # a French number whose leading 0 a spreadsheet ate

# (field, headers folded, name in problems and in the template, help)
COLUMNS = [
    ("code_insee", ("code insee", "insee", "code commune", "code insee commune", "cog"), True),
    ("nom", ("nom", "nom de l elu", "nom d usage", "nom de famille", "nom elu"), False),
    ("prenom", ("prenom", "prenom de l elu", "prenom elu"), False),
    (
        "courriel",
        (
            "courriel",
            "email",
            "e mail",
            "mail",
            "adresse electronique",
            "adresse mail",
            "courriel de la mairie",
            "email de la mairie",
        ),
        False,
    ),
    (
        "telephone",
        ("telephone", "tel", "numero de telephone", "telephone de la mairie", "phone"),
        False,
    ),
    ("adresse", ("adresse", "adresse postale", "adresse de la mairie"), False),
    (
        "formule",
        ("formule d appel", "civilite", "formule de politesse", "salutation", "appellation"),
        False,
    ),
    ("site", ("site", "site internet", "site web", "site de la mairie", "url"), False),
]
# The template's names of the columns, as problems name them (« formule d'appel »).
LABELS = {
    "code_insee": "code INSEE",
    "nom": "nom",
    "prenom": "prénom",
    "courriel": "courriel",
    "telephone": "téléphone",
    "adresse": "adresse",
    "formule": "formule d'appel",
    "site": "site",
}
OFFICIAL_FIELDS = ("courriel", "telephone", "adresse", "formule")
COMMUNE_FIELDS = ("courriel", "telephone", "adresse", "site")


@dataclass
class ContactRow:
    """One line: where, who (per official), and the cleaned values of its filled cells (an
    empty cell is absent: it keeps what is stored)."""

    line: int
    code: str  # today's code INSEE (a former code leads to the commune it joined)
    written_code: str
    last_name: str = ""
    first_name: str = ""
    values: dict[str, str] = field(default_factory=dict)  # courriel, telephone, adresse…


class ContactsFormat(Format):
    """Contact details per official or per commune; `kind` says which, from the columns."""

    what = "un fichier de coordonnées"
    multiline = True  # an address may hold line breaks inside its quotes
    columns = tuple(
        Column(name, headers, LABELS[name], required) for name, headers, required in COLUMNS
    )

    def __init__(self, table: Table, communes: dict[str, str]):
        super().__init__(table)
        self.communes = communes  # every code INSEE known → today's code
        self.kind = ""
        self.seen: dict[str, int] = {}

    def check_header(self) -> None:
        super().check_header()
        self.kind = PER_OFFICIAL if "nom" in self.index else PER_COMMUNE
        fields = OFFICIAL_FIELDS if self.kind == PER_OFFICIAL else COMMUNE_FIELDS
        if "code_insee" in self.index and not any(f in self.index for f in fields):
            expected = ", ".join(f"« {LABELS[f]} »" for f in fields)
            found = ", ".join(f"« {h} »" for h in self.table.header[:12])
            self.header_problem(
                "-",
                f"aucune colonne de coordonnées ; attendue au moins une de : {expected} ; "
                f"trouvées : {found}",
            )

    def rows(self):
        """Every record with a cell filled in, named by its first line (an address on three
        lines is the row that starts there); a short one reads as empty cells."""
        width = len(self.table.header)
        for last, values_ in self.table.records():
            line = last - max(self.table.span, 1) + 1
            if len(values_) > width and any(v.strip() for v in values_[width:]):
                self.problems.add(
                    line, "-", f"{len(values_)} champs au lieu de {width} (mauvais séparateur ?)"
                )
                continue
            if any(cell.strip() for cell in values_):
                yield line, values_ + [""] * (width - len(values_))

    def cell(self, values_: list[str], field_name: str) -> str:
        return super().cell(values_, field_name).replace(XLSX_NEWLINE, "\n").strip()

    def clean(self, line: int, values_: list[str]) -> ContactRow | None:
        before = self.problems.count
        written = self.cell(values_, "code_insee").upper().replace(" ", "")
        if written.isdigit() and len(written) == 4:
            written = "0" + written  # a spreadsheet ate the leading 0 of « 01130 »
        code = self.communes.get(written, "")
        if not written:
            self.problem(line, "code_insee", "valeur obligatoire")
        elif not code:
            self.problem(line, "code_insee", f"commune « {written} » inconnue")
        row = ContactRow(line, code, written)
        if self.kind == PER_OFFICIAL:
            row.last_name = self.cell(values_, "nom")
            row.first_name = self.cell(values_, "prenom")
            if not row.last_name:
                self.problem(line, "nom", "valeur obligatoire")
        elif code:
            if code in self.seen:
                self.problem(
                    line, "code_insee", f"commune « {written} » déjà à la ligne {self.seen[code]}"
                )
            self.seen.setdefault(code, line)
        for name in OFFICIAL_FIELDS if self.kind == PER_OFFICIAL else COMMUNE_FIELDS:
            text = self.cell(values_, name)
            if text:
                try:
                    row.values[name] = clean_value(name, text)
                except ValueError as error:
                    self.problem(line, name, str(error))
        return row if self.problems.count == before else None

    def finish(self, rows: list) -> None:
        if not rows and not self.problems:
            self.problems.add(self.table.header_line + 1, "-", "aucune ligne de données")


def clean_value(name: str, text: str) -> str:
    """One cell, cleaned as the directory cleans the same value; ValueError says why not."""
    if name == "courriel":
        cleaned = values.email(text)
        if len(cleaned) > 254:
            raise ValueError("adresse de plus de 254 caractères")
        return cleaned
    if name == "telephone":
        compact = re.sub(r"[ .\-/]", "", text)
        if _NINE_DIGITS.fullmatch(compact):
            text = "0" + compact
        cleaned = values.phone(text)
        if len(cleaned) > 30:
            raise ValueError(f"numéro « {cleaned} » trop long (30 caractères au plus)")
        return cleaned
    if name == "adresse":
        return values.address_lines(address_lines(text))
    if name == "site":
        return values.website(text)
    if len(text) > 100:  # formule d'appel
        raise ValueError("plus de 100 caractères")
    return " ".join(text.split())


def address_lines(text: str) -> list[str]:
    """The lines of an address: as written when it has several, else cut at its commas
    (« 1 place de la Mairie, 33000 Bordeaux »)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) == 1:
        lines = [part for part in lines[0].split(",") if part.strip()]
    return lines


def is_xlsx(name: str, raw: bytes) -> bool:
    return name.lower().endswith((".xlsx", ".xlsm")) or raw[:4] == _ZIP_MAGIC


def read_contacts(name: str, raw: bytes, communes: dict[str, str]) -> ContactsFormat:
    """The reader of a file (its bytes; `name` as problems print it), header checked."""
    if is_xlsx(name, raw):
        table = Table.from_text(name, xlsx_text(name, raw), "xlsx", ContactsFormat.what)
        table.multiline = True
        reader = ContactsFormat(table, communes=communes)
        reader.find_columns()
        return reader
    return ContactsFormat.of(Member(name, raw), communes=communes)


def xlsx_text(name: str, raw: bytes) -> str:
    """The first sheet of a workbook as CSV text, one line per row of the sheet (so that line
    numbers are the sheet's row numbers); numbers as written (« 33063 », not « 33063.0 »)."""
    try:
        inflated = sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(raw)).infolist())
        if inflated > settings.INFLATED_MAX_BYTES:  # the cap of every file an import reads
            limit = settings.INFLATED_MAX_BYTES // files.MEGABYTE
            raise FileProblems.one(
                name, 0, "-", f"classeur décompressé trop grand (plus de {limit} Mo)"
            )
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise FileProblems.one(
            name, 0, "-", "classeur XLSX illisible (fichier abîmé ou d'un autre format)"
        ) from error
    try:
        sheet = book.worksheets[0]
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        for count, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            writer.writerow([_cell_text(value) for value in row])
            if count > MAX_ROWS + 1:
                raise FileProblems.one(
                    name, count, "-", f"plus de {MAX_ROWS} lignes : découpez le fichier"
                )
    finally:
        book.close()
    return out.getvalue()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text.replace("\r\n", XLSX_NEWLINE).replace("\n", XLSX_NEWLINE).replace("\r", "")


def template_rows(kind: str) -> tuple[list[str], list[list[str]]]:
    """The header and an example line of a template to fill in."""
    if kind == PER_COMMUNE:
        return (
            ["code INSEE", "commune", "courriel", "téléphone", "adresse", "site"],
            [
                [
                    "33063",
                    "Bordeaux",
                    "contact@mairie-exemple.fr",
                    "05 56 10 20 30",
                    "Place Pey-Berland, 33000 Bordeaux",
                    "https://www.bordeaux.fr",
                ]
            ],
        )
    return (
        ["code INSEE", "commune", "nom", "prénom", "courriel", "téléphone", "adresse"]
        + ["formule d'appel"],
        [
            [
                "33063",
                "Bordeaux",
                "DUPONT",
                "Marie",
                "marie.dupont@mairie-exemple.fr",
                "05 56 10 20 30",
                "Hôtel de ville, Place Pey-Berland, 33000 Bordeaux",
                "Madame la Maire",
            ]
        ],
    )
