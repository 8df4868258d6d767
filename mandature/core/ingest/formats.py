"""The base of the declarative classes that read official formats: one class per format names
its columns and cleans one row; the reading, the header checks and the problems are here."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from mandature.core.text import fold

from .problems import Problems
from .source import Member, read_source
from .table import Table


@dataclass(frozen=True)
class Column:
    """A column of a format: `field` in the typed row, the `headers` it may have in a file
    (compared folded: no accents, case or punctuation), its French name in problems."""

    field: str
    headers: tuple[str, ...]
    display: str = ""
    required: bool = False

    @property
    def label(self) -> str:
        return self.display or self.headers[0]


class Format:
    """Subclasses set `what` (« un fichier de la DGCL »), `columns`, and `clean()`.

    `read()` returns the typed rows, or raises one FileProblems listing every problem (the
    first 20, then a count). Hooks for formats that need them: `header_key()` (how a header
    cell is compared), `required()` (columns needed, may depend on the header), `check_header()`
    (more checks once the columns are known), `finish()` (checks over the whole file)."""

    what: ClassVar[str] = "un fichier de données"
    columns: ClassVar[tuple[Column, ...]] = ()
    default_delimiter: ClassVar[str] = ";"
    refuse_unknown_columns: ClassVar[bool] = False
    missing_for: ClassVar[str] = ""  # « pour un fichier « Maires » » in a missing-column problem
    # A format's own wording of these two refusals, where its users know it (empty: the shared
    # « ceci est une page HTML, pas {what} » and « encodage illisible (UTF-16 ou binaire) »).
    html_refusal: ClassVar[str] = ""
    utf16_refusal: ClassVar[str] = ""

    def __init__(self, table: Table):
        self.table = table
        self.name = table.name
        self.problems = Problems(table.name)
        self.index: dict[str, int] = {}  # field → position in a row
        self.written: dict[str, str] = {}  # field → header as written in this file

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, source: Path | str, **options: Any) -> list["Format"]:
        """One reader per data file of `source` (a zip may hold several), header checked."""
        return [cls.of(member, **options) for member in read_source(source)]

    @classmethod
    def of(cls, member: Member, **options: Any) -> "Format":
        table = Table.parse(
            member, cls.what, cls.default_delimiter, cls.html_refusal, cls.utf16_refusal
        )
        reader = cls(table, **options)
        reader.find_columns()
        return reader

    @staticmethod
    def header_key(text: str) -> str:
        return fold(text)

    def find_columns(self) -> None:
        by_header = {key: column for column in self.columns for key in column.headers}
        for position, written in enumerate(self.table.header):
            column = by_header.get(self.header_key(written))
            if column is None:
                if self.refuse_unknown_columns:
                    self.header_problem(written, "colonne inconnue")
            elif column.field not in self.index:
                self.index[column.field] = position
                self.written[column.field] = written
        self.check_header()
        self.problems.raise_if_any()

    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    def check_header(self) -> None:
        required = self.required()
        missing = [c for c in required if c.field not in self.index]
        expected = ", ".join(f"« {c.label} »" for c in required)
        found = ", ".join(f"« {h} »" for h in self.table.header[:12])
        more = " …" if len(self.table.header) > 12 else ""
        for column in missing:
            self.header_problem(
                column.label,
                f"colonne manquante{self.missing_for} ; attendues au moins : {expected} ; "
                f"trouvées : {found}{more}",
            )

    def header_problem(self, column: str, message: str) -> None:
        self.problems.add(self.table.header_line, column, message)

    # --- rows ------------------------------------------------------------------------------

    def cell(self, values: list[str], field: str) -> str:
        """The stripped text of a field, "" when the file has no such column."""
        position = self.index.get(field)
        return values[position].strip() if position is not None else ""

    def problem(self, line: int, field: str, message: str) -> None:
        self.problems.add(line, self.written.get(field, field), message)

    def remark(self, line: int, field: str, message: str, skipped: bool = False) -> None:
        self.problems.remark(line, self.written.get(field, field), message, skipped)

    def clean(self, line: int, values: list[str]) -> Any:
        """The typed row of one record, or None after reporting its problems."""
        raise NotImplementedError

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """The records of the right width; the others are problems."""
        width = len(self.table.header)
        for line, values in self.table.records():
            if len(values) != width:
                self.problems.add(
                    line,
                    "-",
                    f"{len(values)} champs au lieu de {width} "
                    "(ligne tronquée ou mauvais séparateur)",
                )
                continue
            yield line, values

    def read(self) -> list:
        """Every typed row; FileProblems if any record had a problem."""
        found = []
        for line, values in self.rows():
            row = self.clean(line, values)
            if row is not None:
                found.append(row)
        self.finish(found)
        self.problems.raise_if_any()
        return found

    def finish(self, rows: list) -> None:
        if not rows and not self.problems:
            self.problems.add(self.table.header_line + 1, "-", "aucune ligne de données")
