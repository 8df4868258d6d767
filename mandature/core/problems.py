"""Bad input files: the problems found, one line each, as `FILE:LINE: column « NAME »: what`."""

import csv
import io

MAX_ERRORS = 20  # lines shown; the rest is counted


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
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def open_table(
    name: str, text: str, what: str, error: type[FileProblems] = FileProblems, default: str = ","
) -> tuple[csv.reader, list[str]]:
    """A csv reader over a text table and its header; the separator (`,`, `;` or tab) is
    sniffed from the header. Refuses an empty file and an HTML page saved under a .csv name."""
    if not text.strip():
        raise error([f"{name}:1: column « - »: fichier vide"])
    header_line = text.split("\n", 1)[0]
    if header_line.lstrip().startswith("<"):
        raise error([f"{name}:1: column « - »: page HTML, pas {what}"])
    try:
        delimiter = csv.Sniffer().sniff(header_line, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = default
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return reader, next(reader)
