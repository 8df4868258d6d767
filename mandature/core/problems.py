"""Bad input files: the problems found, one line each, as `FILE:LINE: column « NAME »: what`."""

import csv
import io
import re

from .text import strip_c1, strip_control_bytes

MAX_ERRORS = 20  # lines shown; the rest is counted
FIELD_LIMIT = csv.field_size_limit()  # characters in one field: more is a quote never closed
# The five bytes Windows-1252 leaves undefined: a file that is neither UTF-8 nor Windows-1252.
_UNDEFINED_IN_CP1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


class FileProblems(Exception):
    """Problems found in a file; `lines` are ready to print on stderr (the first 20, then a
    count of the others)."""

    def __init__(self, lines: list[str], total: int | None = None):
        self.lines = lines[:MAX_ERRORS]
        self.total = total if total is not None else len(lines)
        text = "\n".join(self.lines)
        if self.total > len(self.lines):
            text += f"\n… et {self.total - len(self.lines)} autre(s) erreur(s)"
        super().__init__(text)


def decode(name: str, raw: bytes, error: type[FileProblems] = FileProblems) -> str:
    """UTF-8 (with or without BOM), else Windows-1252; UTF-16 is refused."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(raw) > 1 and raw[1:2] == b"\x00"):
        raise error([f"{name}:1: column « - »: encodage UTF-16 non pris en charge"])
    return decode_text(name, raw, error)[0]


def decode_text(name: str, raw: bytes, error: type[FileProblems]) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (with or without BOM), else Windows-1252. Control
    characters (NUL…) are dropped; a byte that neither encoding knows is a problem naming its
    line."""
    raw = strip_control_bytes(raw)
    try:
        return strip_c1(raw.decode("utf-8-sig"), raw), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        raise error(_undecodable(name, raw)) from None


def _undecodable(name: str, raw: bytes) -> list[str]:
    problems, line, counted, last = [], 1, 0, 0
    for found in _UNDEFINED_IN_CP1252.finditer(raw):
        line += raw.count(b"\n", counted, found.start())
        counted = found.start()
        if line != last:
            problems.append(
                f"{name}:{line}: column « - »: octet 0x{raw[found.start()]:02X} illisible, ni "
                "UTF-8 ni Windows-1252 (enregistrez le fichier en UTF-8)"
            )
            last = line
    return problems


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


class Rows:
    """A csv reader whose errors are problems naming the line where the row began."""

    def __init__(self, reader, name: str, error: type[FileProblems]):
        self.reader, self.name, self.error = reader, name, error

    @property
    def line_num(self) -> int:
        return self.reader.line_num

    def __iter__(self):
        return self

    def __next__(self) -> list[str]:
        start = self.reader.line_num + 1
        try:
            return next(self.reader)
        except csv.Error as exc:
            raise self.error([field_too_long(self.name, start, exc)]) from None


def open_table(
    name: str, text: str, what: str, error: type[FileProblems] = FileProblems, default: str = ","
) -> tuple[Rows, list[str]]:
    """A csv reader over a text table and its header; the separator (`,`, `;` or tab) is
    sniffed from the header. Refuses an empty file and an HTML page saved under a .csv name."""
    if not text or text.isspace():
        raise error([f"{name}:1: column « - »: fichier vide"])
    end = text.find("\n", 0, FIELD_LIMIT)
    if end == -1 and len(text) >= FIELD_LIMIT:
        raise error([field_too_long(name, 1, csv.Error("field limit"))])
    header_line = text[:end] if end != -1 else text
    if header_line.lstrip().startswith("<"):
        raise error([f"{name}:1: column « - »: page HTML, pas {what}"])
    try:
        delimiter = csv.Sniffer().sniff(header_line, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = default
    reader = Rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), name, error)
    return reader, next(reader)


def unexpected(error: Exception) -> str:
    """What a person reads when background work stopped on an error nobody foresaw: in French,
    never a raw Python message (the traceback goes to the server's log)."""
    if isinstance(error, MemoryError):
        return "mémoire insuffisante sur le serveur"
    if isinstance(error, OSError):
        return "erreur de lecture ou d'écriture sur le disque du serveur (détail dans son journal)"
    return f"erreur inattendue ({type(error).__name__}) ; le détail est dans le journal du serveur"
