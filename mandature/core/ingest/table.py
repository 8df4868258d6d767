"""A delimited text table: the title line of old report exports, the header, the delimiter, the
data lines and their numbers. The csv module reads the records; its errors become problems
naming the line."""

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from mandature.core.text import fold

from .problems import FileProblems
from .source import Member

FIELD_LIMIT = csv.field_size_limit()  # characters in one field: more is a quote never closed
DELIMITERS = (";", "\t", ",")


def field_too_long(name: str, line: int, error: csv.Error) -> str:
    """The problem for a csv error: almost always a field over the limit, from a quote opened
    and never closed that swallowed the lines after it."""
    if "field limit" in str(error):
        limit = f"{FIELD_LIMIT:,}".replace(",", "\u202f")
        return (
            f"{name}:{line}: column « - »: champ de plus de {limit} caractères "
            "(un guillemet ouvert et jamais fermé ?)"
        )
    return f"{name}:{line}: column « - »: ligne illisible en CSV"


def sniff_delimiter(header_line: str, next_line: str, default: str = ";") -> str:
    """The delimiter that cuts the header into the most fields, provided it also cuts the first
    data line (a one-column header keeps the default)."""
    best, best_count = default, 1
    for delimiter in DELIMITERS:
        count = len(next(csv.reader([header_line], delimiter=delimiter)))
        if count > best_count and (
            not next_line or len(next(csv.reader([next_line], delimiter=delimiter))) > 1
        ):
            best, best_count = delimiter, count
    return best


@dataclass
class Table:
    name: str
    encoding: str
    delimiter: str
    header: list[str]  # as written, stripped of spaces, quotes and BOM
    header_line: int  # 1, or 2 after a « Titre du rapport » line
    lines: list[str]  # the data lines, without their line ends
    ends_with_newline: bool
    # Updated while records() runs: index in `lines` of the last line read, lines read, lines
    # of the last record (more than one when a quoted field spans lines).
    index: int = 0
    fed: int = 0
    # A quoted field may hold line breaks (an address): keep them in the value.
    multiline: bool = False
    span: int = 0

    @classmethod
    def parse(
        cls, member: Member, what: str, default: str = ";", html: str = "", utf16: str = ""
    ) -> "Table":
        """`what` names the expected file in the refusal of an HTML page (« un fichier du
        RNE »); `default` is the delimiter of a one-column file; `html` and `utf16` replace
        the refusals of an HTML page and of UTF-16 where a format keeps its own wording."""
        text, encoding = member.decode(utf16)
        return cls.from_text(member.name, text, encoding, what, default, html)

    @classmethod
    def from_text(
        cls, name: str, text: str, encoding: str, what: str, default: str = ";", html: str = ""
    ) -> "Table":
        """The table of an already decoded text (`parse` without the decoding)."""
        lines = text.splitlines()
        first = 1 if lines and fold(lines[0]) == "titre du rapport" else 0
        if first >= len(lines) or not lines[first].strip():
            raise FileProblems.one(name, first + 1, "-", "en-tête absent")
        header_line = lines[first]
        if header_line.lstrip().startswith("<"):
            refusal = html or f"ceci est une page HTML, pas {what}"
            raise FileProblems.one(name, first + 1, "-", refusal)
        if len(header_line) >= FIELD_LIMIT:
            raise FileProblems([field_too_long(name, first + 1, csv.Error("field limit"))])
        # Enough of the next line to count its fields (one longer than a field fails later).
        next_line = lines[first + 1][: FIELD_LIMIT - 1] if len(lines) > first + 1 else ""
        delimiter = sniff_delimiter(header_line, next_line, default)
        header = next(csv.reader([header_line], delimiter=delimiter))
        return cls(
            name=name,
            encoding=encoding,
            delimiter=delimiter,
            header=[h.replace("\ufeff", "").strip().strip('"').strip() for h in header],
            header_line=first + 1,
            lines=lines[first + 1 :],
            ends_with_newline=text.endswith(("\n", "\r")),
        )

    def line_of(self, index: int) -> int:
        """The line number (from 1, in the file) of lines[index]."""
        return self.header_line + 1 + index

    def records(self, skip: Callable[[int], bool] | None = None) -> Iterator[tuple[int, list]]:
        """`(line, values)` of each non-blank record; `line` is the record's last line (a
        quoted field may span lines). `skip(index)` leaves out lines not to read again."""
        if self._plain():
            yield from self._split(skip)
            return
        reader = csv.reader(self._feed(skip), delimiter=self.delimiter)
        last = self.header_line  # a csv error names the line after the last record read
        while True:
            fed = self.fed
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise FileProblems([field_too_long(self.name, last + 1, error)]) from None
            self.span = self.fed - fed
            last = self.line_of(self.index)
            if values and (len(values) > 1 or values[0].strip()):
                yield last, values

    def _plain(self) -> bool:
        """Whether the csv module would only cut each line at the delimiter: no quote, no NUL,
        no field near the csv module's limit (most official files; checked once, in C)."""
        if self.multiline or not self.lines:
            return False
        return max(map(len, self.lines)) < FIELD_LIMIT and not any(
            '"' in text or "\x00" in text for text in self.lines
        )

    def _split(self, skip: Callable[[int], bool] | None) -> Iterator[tuple[int, list]]:
        """`records` of a plain table: each line cut at the delimiter, as the csv module would,
        several times faster (half a million lines: docs/benchmarks.md)."""
        delimiter, first = self.delimiter, self.header_line + 1
        self.span = 1
        for index, text in enumerate(self.lines):
            if skip is not None and skip(index):
                continue
            self.index = index
            self.fed += 1
            values = text.split(delimiter)
            if len(values) > 1 or values[0].strip():
                yield first + index, values

    def _feed(self, skip: Callable[[int], bool] | None) -> Iterator[str]:
        for index, text in enumerate(self.lines):
            if skip is not None and skip(index):
                continue
            self.index = index
            self.fed += 1
            yield text + "\n" if self.multiline else text
