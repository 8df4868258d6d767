"""An API's JSON export (Opendatasoft's `exports/json`: one array of objects; a `records` answer's
`results` is read alike): the records, numbered from 1, cleaned one by one like a table's rows.
A problem names the record's number where a table names its line."""

import json
from pathlib import Path
from typing import Any, ClassVar

from .problems import FileProblems, Problems
from .source import Member, read_one


class RecordsFormat:
    """Subclasses set `what` and `clean(number, record)`; `read()` returns the typed rows or
    raises one FileProblems. A record `clean()` leaves out with a remark never refuses the
    others: the remarks are the run's report."""

    what: ClassVar[str] = "un export JSON"

    def __init__(self, name: str, records: list):
        self.name = name
        self.records = records
        self.problems = Problems(name)

    @classmethod
    def open(cls, source: Path | str, timeout: float = 60) -> "RecordsFormat":
        return cls.of(read_one(source, timeout))

    @classmethod
    def of(cls, member: Member) -> "RecordsFormat":
        text, _encoding = member.decode()
        if text.lstrip().startswith("<"):
            raise FileProblems.one(member.name, 1, "-", f"ceci est une page HTML, pas {cls.what}")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise FileProblems.one(
                member.name,
                error.lineno,
                "-",
                f"JSON illisible ou tronqué ({error.msg}, caractère {error.pos})",
            ) from None
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            data = data["results"]
        if not isinstance(data, list):
            raise FileProblems.one(member.name, 1, "-", "une liste d'enregistrements attendue")
        return cls(member.name, data)

    def problem(self, number: int, field: str, message: str) -> None:
        self.problems.add(number, field, message)

    def remark(self, number: int, field: str, message: str, skipped: bool = False) -> None:
        self.problems.remark(number, field, message, skipped)

    def clean(self, number: int, record: dict) -> Any:
        """The typed row of one record, or None after a remark saying why it is left out."""
        raise NotImplementedError

    def read(self) -> list:
        found = []
        for number, record in enumerate(self.records, start=1):
            if not isinstance(record, dict):
                self.remark(number, "-", "enregistrement qui n'est pas un objet JSON", True)
                continue
            row = self.clean(number, record)
            if row is not None:
                found.append(row)
        self.finish(found)
        self.problems.raise_if_any()
        return found

    def finish(self, rows: list) -> None:
        if not self.records:
            self.problems.add(1, "-", "aucun enregistrement")
