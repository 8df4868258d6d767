"""Read the files of the Répertoire national des élus (RNE), in every layout the ministry used.

`read_rne(path)` returns an `RneFile` per data file, with normalised rows, or raises
`FileProblems` (`RneFileError` is the same type) whose lines read
`FILE:LINE: column « NAME »: what is wrong`.

One declarative class per kind of file (`Maires`, `ConseillersMunicipaux`, `Epci`…, over
`RneFormat` which holds the column table and the person columns), recognised from the header,
never from the file name; two layouts change how a kind is read:
- `OldReport`: the old report export, tab-separated, Windows-1252, a first line « Titre du
  rapport », the commune code split into a département code and 3 digits (overseas as ZA…ZX),
  D/M/YYYY dates;
- `HistoryExport`: the history exports of the same family, with end dates and end reasons,
  whose bad rows are skipped (kept in the report) instead of refusing the file;
- otherwise the current files: semicolon- or comma-separated, UTF-8 with or without BOM, quoted
  or not, full INSEE codes (sometimes without leading zeros), DD/MM/YYYY, DD/MM/YY or ISO dates.
"""

import hashlib
import struct
from collections import Counter
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import ClassVar

from mandature.core.ingest import FileProblems, Member
from mandature.core.ingest.formats import Column, Format
from mandature.core.ingest.table import Table
from mandature.core.text import fold

from ..enums import FunctionCode, SnapshotKind
from .rne_columns import COLUMNS, FIELD_OF, PERSON, detect_kind
from .rne_values import COMMUNE_CODE, SIREN, DateParser, commune_code, normalise_code
from .rne_values import function_code as function_code

RneFileError = FileProblems  # the one error type of the imports of files


@dataclass(slots=True)
class Row:
    line: int
    last_name: str
    first_name: str
    sex: str
    birth: date
    mandate_start: date
    # territory, as read (placement against the territories happens at import)
    commune: str = ""
    dept: str = ""
    csp: str = ""  # collectivité à statut particulier
    region: str = ""
    siren: str = ""
    code: str = ""  # canton, section, circonscription, sector… code
    label: str = ""
    function: str = ""
    function_code: str = ""
    function_rank: int | None = None
    function_start: date | None = None
    mandate_end: date | None = None
    mandate_end_reason: str = ""
    function_end: date | None = None
    function_end_reason: str = ""
    line_hash: int | None = None  # see line_hashes(): lets the next import reuse this row


def line_hashes(lines: list[str]) -> list[int]:
    """A stable 64-bit fingerprint of each raw line: the first 8 bytes of its MD5, as a signed
    integer (as databases store them)."""
    md5, unpack = hashlib.md5, _SIGNED_64.unpack_from
    return [unpack(md5(text.encode()).digest())[0] for text in lines]


_SIGNED_64 = struct.Struct(">q")


# Given a file whose header is read, the fingerprints of lines already imported whose rows
# need not be read again (see importer.Reuse).
ReuseLookup = Callable[["RneFile"], Container[int]]


@dataclass
class RneFile:
    path: Path
    name: str
    kind: str
    layout: str  # "ancien", "historique" or "actuel"
    encoding: str
    delimiter: str
    columns: list[str]
    rows: list[Row]
    is_history: bool = False
    latest_date: date | None = None
    # Quality remarks on rows that were kept or skipped: (line, column, message, skipped)
    warnings: list[tuple[int, str, str, bool]] = field(default_factory=list)
    # Lines identical to lines of an earlier import, not read again: (line, fingerprint)
    reused: list[tuple[int, int]] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return SnapshotKind(self.kind).label


@dataclass(slots=True)
class Positions:
    """Where each field is in a row of this file (None: not in the file); read once per row."""

    last: int
    first: int
    sex: int
    birth: int
    start: int
    commune: int | None
    dept: int | None
    csp: int | None
    region: int | None
    siren: int | None
    code: int | None
    label: int | None
    function: int | None
    function_start: int | None
    mandate_label: int | None
    mandate_end: int | None
    mandate_end_reason: int | None
    function_end: int | None
    function_end_reason: int | None


# --- the formats -------------------------------------------------------------------------------


class RneFormat(Format):
    """A file of the RNE. Subclasses name their kind, the territory columns they need beside
    the person's, and the columns of their territory's code and label."""

    what = "un fichier du RNE"
    columns = COLUMNS
    refuse_unknown_columns = True
    kind: ClassVar[str] = ""
    needs: ClassVar[tuple[str, ...]] = ()  # required beside PERSON
    code_field: ClassVar[str] = ""
    label_field: ClassVar[str] = ""
    layout: ClassVar[str] = "actuel"
    lenient: ClassVar[bool] = False  # bad rows skipped and remarked instead of refused
    commune_optional: ClassVar[bool] = False  # the commune only qualifies the seat

    def __init__(self, table: Table, reference: date | None = None, reuse=None):
        super().__init__(table)
        self.dates = DateParser(reference or date.today())
        self.reuse: ReuseLookup | None = reuse
        self.row_errors: list[tuple[int, str, str]] = []
        self.seen: dict[tuple, int] = {}
        self.valid_codes: dict[tuple[str, str], str] = {}  # (dépt, commune as written) → INSEE
        self.latest: date | None = None

    @property
    def missing_for(self) -> str:  # type: ignore[override]
        return f" pour un fichier « {SnapshotKind(self.kind).label} »"

    @classmethod
    def of(cls, member: Member, reference: date | None = None, reuse=None) -> "RneFormat":
        """The reader of a data file: `RneFormat.open(path)` gives one per file of a zip."""
        table = Table.parse(member, cls.what)
        return cls.of_table(table, reference or date.today(), reuse)

    @classmethod
    def of_table(cls, table: Table, reference: date, reuse: ReuseLookup | None) -> "RneFormat":
        """The reader of this table's kind and layout, its header checked."""
        fields = {FIELD_OF[fold(h)] for h in table.header if fold(h) in FIELD_OF}
        kind = detect_kind(fields, "mandate_label" in fields)
        if kind is None:
            found = ", ".join(f"« {h} »" for h in table.header)
            raise FileProblems.one(
                table.name,
                table.header_line,
                "-",
                f"disposition inconnue ; colonnes trouvées : {found} ; attendues : les colonnes "
                "d'un fichier du RNE (nom, prénom, sexe, date de naissance, date de début du "
                "mandat et le territoire du mandat)",
            )
        layout = None
        if "mandate_end" in fields:
            layout = HistoryExport
        elif table.header_line == 2:
            layout = OldReport
        reader = format_class(KINDS[kind], layout)(table, reference, reuse)
        reader.find_columns()
        return reader

    def required(self) -> tuple[Column, ...]:
        wanted = PERSON + self.needs
        index = self.index
        if self.table.header_line == 2 or "commune_dept" in index:  # no collectivity columns
            wanted = tuple(c for c in wanted if c not in ("csp", "function_start"))
        if "mandate_label" in index or "mandate_end" in index:
            wanted = tuple(c for c in wanted if c != "function_start")
        by_field = {c.field: c for c in COLUMNS}
        return tuple(by_field[name] for name in wanted)

    def check_header(self) -> None:
        super().check_header()
        get = self.index.get
        self.at = Positions(
            *(self.index.get(name, -1) for name in PERSON),
            *(get(name) for name in ("commune", "dept", "csp", "region", "siren")),
            get(self.code_field) if self.code_field else None,
            get(self.label_field) if self.label_field else None,
            *(get(name) for name in ("function", "function_start", "mandate_label")),
            *(get(name) for name in ("mandate_end", "mandate_end_reason")),
            *(get(name) for name in ("function_end", "function_end_reason")),
        )
        self.width = len(self.table.header)
        self.header_names = set(self.table.header)
        self.last_name_header = self.written.get("last_name", "")
        self.has_ends = self.at.mandate_end is not None or self.at.function_end is not None
        self.default_maire = self.kind == SnapshotKind.MAIRES and self.at.mandate_label is None

    # --- reading ---------------------------------------------------------------------------

    def read(self) -> "RneFile":
        """Every row of the file, but the lines an earlier import already read (`reuse`)."""
        table = self.table
        result = self.result = RneFile(
            path=Path(self.name.split("!")[0]),
            name=self.name,
            kind=str(self.kind),  # a plain str: hashed half a million times
            layout=self.layout,
            encoding=table.encoding,
            delimiter=table.delimiter,
            columns=list(table.header),
            rows=[],
            is_history=self.lenient,
            warnings=self.problems.remarks,
        )
        # Fingerprints of the lines (history exports are always read in full); a line identical
        # to one of an earlier import is not read again, unless it appears twice in this file
        # (it is then read, and reported as a duplicate).
        self.hashes = [] if self.lenient else line_hashes(table.lines)
        self.twice = {h for h, n in Counter(self.hashes).items() if n > 1}
        known = self.reuse(result) if self.reuse is not None and not self.lenient else ()
        clean, rows = self.clean, result.rows
        for line, values in table.records(self.skipper(known) if known else None):
            row = clean(line, values)
            if row is not None:
                rows.append(row)
        self.finish(rows)
        return result

    def skipper(self, known: Container[int]) -> Callable[[int], bool]:
        hashes, twice, reused = self.hashes, self.twice, self.result.reused
        first_line = self.table.header_line + 1

        def skip(index: int) -> bool:
            fingerprint = hashes[index]
            if fingerprint in known and fingerprint not in twice:
                reused.append((first_line + index, fingerprint))
                return True
            return False

        return skip

    def finish(self, rows: list) -> None:
        table, result = self.table, self.result
        self.flush()
        if not rows and not result.reused and not self.problems:
            last = table.line_of(table.index) if table.fed else table.header_line
            self.problems.add(last + 1, "-", "aucune ligne de données")
        if (rows or result.reused) and not table.ends_with_newline:
            self.problems.add(
                table.header_line + len(table.lines),
                "-",
                "dernière ligne tronquée (le fichier ne finit pas par un saut de ligne)",
            )
        self.problems.raise_if_any()
        result.latest_date = self.latest

    # --- one row ---------------------------------------------------------------------------

    def problem(self, line: int, field: str, message: str) -> None:
        self.row_errors.append((line, self.written.get(field, field), message))

    def flush(self) -> None:
        """Report the current row's problems (its caller skips it)."""
        for line, column, message in self.row_errors:
            self.problems.add(line, column, message)
        self.row_errors.clear()

    def clean(self, line: int, values: list[str]) -> Row | None:
        if len(values) != self.width:
            self.problem(line, "-", self.width_problem(values))
            self.flush()
            return None
        at = self.at
        if values[at.last].strip() == self.last_name_header:
            self.problem(line, "last_name", "en-tête répété (deux fichiers mélangés ?)")
            self.flush()
            return None
        row = self.person(line, values)
        if row is None:
            return None
        table = self.table
        if self.hashes and table.span == 1:  # a record of one line
            row.line_hash = self.hashes[table.index]
        self.function(row, values, line)
        self.place(row, values, line)
        # A duplicate has the same fingerprint as another line (or, in a history export, the
        # same fields): only those are compared field by field.
        identity = None
        if not self.hashes or self.hashes[table.index] in self.twice:
            identity = tuple(values)
            if identity in self.seen:
                self.problem(
                    line,
                    "last_name",
                    f"ligne en double (identique à la ligne {self.seen[identity]})",
                )
        if self.row_errors:
            self.flush()
            return None
        if identity is not None:
            self.seen[identity] = line
        latest = self.latest
        for value in (row.mandate_start, row.function_start, row.mandate_end, row.function_end):
            if value is not None and (latest is None or value > latest):
                latest = value
        self.latest = latest
        return row

    def width_problem(self, values: list[str]) -> str:
        if len(values) > 3 and {v.strip() for v in values} & self.header_names:
            return "en-tête d'un autre fichier au milieu des données (deux fichiers mélangés ?)"
        return (
            f"{len(values)} champs au lieu de {self.width} (ligne tronquée ou mauvais séparateur)"
        )

    def person(self, line: int, values: list[str]) -> Row | None:
        """The person's columns and the mandate's start; None for a row skipped at once."""
        at, dates, problem = self.at, self.dates, self.problem
        last_name, first_name = values[at.last].strip(), values[at.first].strip()
        if not last_name:
            problem(line, "last_name", "nom manquant")
        if not first_name:
            self.remark(line, "first_name", "prénom manquant (ligne gardée)")
        sex = values[at.sex].strip().upper()
        if sex != "M" and sex != "F":
            problem(line, "sex", f"sexe « {values[at.sex]} » : M ou F attendu")
        text = values[at.birth].strip()
        birth = dates.births.get(text) or dates.parse(text, birth=True)
        if birth.__class__ is str:
            problem(line, "birth", birth)
        text = values[at.start].strip()
        if not text and self.lenient:
            self.remark(line, "mandate_start", "date de début absente : ligne écartée", True)
            self.flush()
            return None
        start = dates.others.get(text) or dates.parse(text, birth=False)
        if start.__class__ is str:
            problem(line, "mandate_start", start)
        if birth.__class__ is not str:
            if birth.year < 1900:
                self.remark(line, "birth", f"date de naissance invraisemblable ({birth.year})")
            elif start.__class__ is not str and start.year - birth.year < 18:
                self.remark(line, "birth", "élu de moins de 18 ans au début du mandat ?")
        return Row(line, last_name, first_name, sex, birth, start)

    def function(self, row: Row, values: list[str], line: int) -> None:
        """The function held with the mandate, and the end dates of history exports."""
        at = self.at
        if at.function is not None:
            row.function = values[at.function].strip()
            row.function_code, row.function_rank = function_code(row.function)
        elif self.default_maire:
            row.function, row.function_code = "Maire", FunctionCode.MAIRE
        if at.function_start is not None and values[at.function_start].strip():
            row.function_start = self.optional_date(
                values, at.function_start, "function_start", line
            )
        if self.has_ends:
            row.mandate_end = self.optional_date(values, at.mandate_end, "mandate_end", line)
            if row.mandate_end and at.mandate_end_reason is not None:
                row.mandate_end_reason = values[at.mandate_end_reason].strip()
            row.function_end = self.optional_date(values, at.function_end, "function_end", line)
            if row.function_end and at.function_end_reason is not None:
                row.function_end_reason = values[at.function_end_reason].strip()

    def optional_date(self, values: list[str], index: int | None, name: str, line: int):
        """A date column that may be empty (function start, end dates)."""
        if index is None:
            return None
        text = values[index].strip()
        if not text:
            return None
        value = self.dates.others.get(text) or self.dates.parse(text, birth=False)
        if isinstance(value, str):
            self.problem(line, name, value)
            return None
        return value

    def place(self, row: Row, values: list[str], line: int) -> None:
        """The territory columns, as written but for the codes' normalisation."""
        at = self.at
        dept = values[at.dept].strip() if at.dept is not None else ""
        row.dept = normalise_code(dept, 2) if dept else ""
        if at.csp is not None:
            row.csp = values[at.csp].strip().upper()
        if at.commune is not None:
            self.commune(row, dept, values[at.commune].strip(), line)
        if at.siren is not None:
            row.siren = values[at.siren].strip()
            if not SIREN.match(row.siren):
                self.problem(line, "siren", f"SIREN invalide « {row.siren} »")
        if at.region is not None:
            row.region = normalise_code(values[at.region].strip(), 2)
        if at.code is not None:
            row.code = values[at.code].strip()
            row.label = values[at.label].strip() if at.label is not None else ""

    def commune(self, row: Row, dept: str, raw: str, line: int) -> None:
        if not raw:
            if not self.commune_optional:
                self.problem(line, "commune", "code de commune manquant")
            return
        code = self.valid_codes.get((dept, raw))
        if code is None:
            code = commune_code(dept, raw)
            if COMMUNE_CODE.match(code):
                self.valid_codes[(dept, raw)] = code
            else:
                code = ""
        if code:
            row.commune = code
        elif self.commune_optional:
            self.remark(line, "commune", f"code de commune invalide « {raw} » ignoré")
        else:
            self.problem(line, "commune", f"code de commune invalide « {raw} »")


class Maires(RneFormat):
    kind = SnapshotKind.MAIRES
    needs = ("commune", "function_start")


class ConseillersMunicipaux(RneFormat):
    kind = SnapshotKind.CM
    needs = ("commune", "function", "function_start")


class Epci(RneFormat):
    kind = SnapshotKind.EPCI
    needs = ("siren", "commune", "function", "function_start")
    commune_optional = True  # the commune only qualifies an EPCI seat


class Departementaux(RneFormat):
    kind = SnapshotKind.CD
    needs = ("dept", "canton", "function", "function_start")
    code_field, label_field = "canton", "canton_label"


class Regionaux(RneFormat):
    kind = SnapshotKind.CR
    needs = ("region", "section", "function", "function_start")
    code_field, label_field = "section", "section_label"


class Arrondissements(RneFormat):
    kind = SnapshotKind.CA
    needs = ("dept", "commune", "sector", "function", "function_start")
    code_field, label_field = "sector", "sector"


class Deputes(RneFormat):
    kind = SnapshotKind.DEP
    needs = ("dept", "csp", "circo")
    code_field, label_field = "circo", "circo_label"


class Senateurs(RneFormat):
    kind = SnapshotKind.SEN
    needs = ("dept", "csp")


class Europeens(RneFormat):
    kind = SnapshotKind.RPE


class Assemblees(RneFormat):
    """Assemblée de Corse, of Guyane, of Martinique… : the seat's code is the section's, else
    the collectivity's or the region's."""

    kind = SnapshotKind.MA
    needs = ("region", "dept", "csp", "csp_section", "metro_circo", "function")
    code_field, label_field = "csp_section", "csp_section_label"

    def place(self, row: Row, values: list[str], line: int) -> None:
        super().place(row, values, line)
        row.code = row.code or row.csp or row.region


class Consulaires(RneFormat):
    kind = SnapshotKind.CONS
    needs = ("afe", "consular", "function", "function_start")
    code_field, label_field = "consular", "consular_label"


class Afe(RneFormat):
    kind = SnapshotKind.AFE
    needs = ("afe", "function", "function_start")
    code_field, label_field = "afe", "afe_label"


KINDS: dict[str, type[RneFormat]] = {
    cls.kind: cls
    for cls in (
        Maires,
        ConseillersMunicipaux,
        Epci,
        Departementaux,
        Regionaux,
        Arrondissements,
        Deputes,
        Senateurs,
        Europeens,
        Assemblees,
        Consulaires,
        Afe,
    )
}


class OldReport:
    """The old report export (« Titre du rapport »): no collectivity columns, no function
    start; the commune code split into a département code and 3 digits."""

    layout = "ancien"


class HistoryExport:
    """The history exports: decades of hand-entered data, with end dates. A bad row is skipped
    and kept in the report instead of refusing the file; every line is read (no fingerprint)."""

    layout = "historique"
    lenient = True

    def flush(self) -> None:
        """The row's problems are remarks: the row is skipped, the file read on."""
        for line, column, message in self.row_errors:
            self.problems.remark(line, column, message + " : ligne écartée", True)
        self.row_errors.clear()


@cache
def format_class(kind: type[RneFormat], layout: type | None) -> type[RneFormat]:
    """A kind read in a layout: `OldReport` or `HistoryExport` over the kind's class."""
    if layout is None:
        return kind
    return type(f"{layout.__name__}{kind.__name__}", (layout, kind), {})


# --- the reader --------------------------------------------------------------------------------


def read_rne(path: Path, reference: date | None = None) -> list[RneFile]:
    """Read an RNE file (or each member of a zip). Raises FileProblems listing the problems."""
    return [reader.read() for reader in RneFormat.open(path, reference=reference)]


def parse_text(
    name: str, text: str, encoding: str, reference: date, reuse: ReuseLookup | None = None
) -> RneFile:
    """Read one decoded data file."""
    table = Table.from_text(name, text, encoding, RneFormat.what)
    return RneFormat.of_table(table, reference, reuse).read()
