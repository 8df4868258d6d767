"""Bad input files: the problems found, one line each, as `FILE:LINE: column « NAME »: what`."""

MAX_ERRORS = 20  # lines shown; the rest is counted


class FileProblems(Exception):
    """Problems found in a file; `lines` are ready to print on stderr (the first 20, then a
    count of the others). The one error type of every import of a file."""

    def __init__(self, lines: list[str], total: int | None = None):
        self.lines = lines[:MAX_ERRORS]
        self.total = total if total is not None else len(lines)
        text = "\n".join(self.lines)
        if self.total > len(self.lines):
            text += f"\n… et {self.total - len(self.lines)} autre(s) erreur(s)"
        super().__init__(text)

    @classmethod
    def one(cls, name: str, line: int, column: str, message: str) -> "FileProblems":
        return cls([f"{name}:{line}: column « {column} »: {message}"])


class Problems:
    """Collects the problems of one file while it is read, and remarks (quality notes on rows
    kept or skipped, shown in an import's report but never refusing the file)."""

    def __init__(self, name: str):
        self.name = name
        self.lines: list[str] = []
        self.count = 0
        self.remarks: list[tuple[int, str, str, bool]] = []  # line, column, message, skipped

    def __bool__(self) -> bool:
        return self.count > 0

    def add(self, line: int, column: str, message: str) -> None:
        self.add_text(f"{self.name}:{line}: column « {column} »: {message}")

    def add_text(self, text: str) -> None:
        """A problem already written out: formats whose location is not a line (JSON
        records: `FILE: enregistrement N (code X) : champ « F » : …`)."""
        self.count += 1
        if len(self.lines) < MAX_ERRORS:
            self.lines.append(text)

    def remark(self, line: int, column: str, message: str, skipped: bool = False) -> None:
        self.remarks.append((line, column, message, skipped))

    def raise_if_any(self) -> None:
        if self.count:
            raise FileProblems(self.lines, self.count)
