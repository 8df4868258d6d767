"""JSON records: the counterpart of `formats.Format` for official files that are a list of
objects (the COG files of @etalab/decoupage-administratif). A format names its `columns`
(`Column.headers[0]` is the JSON key) and `clean(index, item)` returns a typed record or
reports problems, as `FILE: enregistrement N : champ « KEY » : what` (`locate()` may add
more to the location, e.g. the record's code). `ExportFormat` reads an API's export alike."""

import json
import re
from pathlib import Path
from typing import Any, ClassVar

from mandature.core import files

from .formats import Column
from .problems import FileProblems, Problems
from .source import Member, download, read_one


def read_json(source: Path | str, timeout: float = 60) -> tuple[str, Any]:
    """The name and the parsed content of a JSON file (plain, `.gz`, a one-file `.zip`, or an
    https address), inflated within the caps of `core.files`. JSON is UTF-8 (RFC 8259)."""
    name = str(source)
    if name.startswith(("https://", "http://")):
        raw = download(name, timeout)
    else:
        try:
            members = files.read_members(Path(source))
        except files.FileError as error:
            raise FileProblems([f"{error.name}: {error.reason}"]) from None
        if len(members) != 1:
            raise FileProblems([f"{name}: archive zip de {len(members)} fichiers, un seul attendu"])
        raw = members[0][1]
    try:
        return name, json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise FileProblems([f"{name}: encodage illisible, UTF-8 attendu ({error})"]) from None
    except json.JSONDecodeError as error:
        raise FileProblems(
            [f"{name}:{error.lineno}: JSON invalide, colonne {error.colno} : {error.msg}"]
        ) from None


class RecordFormat:
    """Subclasses set `columns` and `clean()`. `read()` returns the typed records or raises
    one FileProblems; `clean_all()` leaves the problems in `self.problems`, for readers that
    check several files against each other before refusing (pass them one `Problems`)."""

    columns: ClassVar[tuple[Column, ...]] = ()

    def __init__(self, name: str, items: list[dict], problems: Problems | None = None):
        self.name = name
        self.items = items
        self.problems = problems if problems is not None else Problems(name)
        self.by_field = {column.field: column for column in self.columns}

    @classmethod
    def open(cls, source: Path | str, **options: Any) -> "RecordFormat":
        """The reader of a file holding a non-empty list of objects."""
        name, data = read_json(source)
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise FileProblems([f"{name}: une liste d'objets JSON est attendue"])
        if not data:
            raise FileProblems([f"{name}: le fichier ne contient aucun enregistrement"])
        return cls(name, data, **options)

    def locate(self, index: int, item: dict) -> str:
        return f"enregistrement {index + 1}"

    def problem(self, index: int, item: dict, key: str, message: str) -> None:
        where = self.locate(index, item)
        self.problems.add_text(f"{self.name}: {where} : champ « {key} » : {message}")

    def text(self, index: int, item: dict, field: str, pattern: re.Pattern | None = None) -> str:
        """A text field: missing is a problem when its column is required, another type or a
        value the pattern refuses is one always."""
        column = self.by_field[field]
        key = column.headers[0]
        value = item.get(key)
        if value is None or value == "":
            if column.required:
                self.problem(index, item, key, "valeur manquante")
            return ""
        if not isinstance(value, str):
            self.problem(index, item, key, f"texte attendu, trouvé {value!r}")
            return ""
        if pattern and not pattern.match(value):
            self.problem(index, item, key, f"valeur invalide « {value} »")
        return value

    def count(self, index: int, item: dict, field: str) -> int | None:
        """A whole number ≥ 0, or None when absent."""
        key = self.by_field[field].headers[0]
        value = item.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or value < 0:
            self.problem(index, item, key, f"entier positif attendu : {value!r}")
            return None
        return value

    def clean(self, index: int, item: dict) -> Any:
        """The typed record of one item, or None after reporting its problems."""
        raise NotImplementedError

    def clean_all(self) -> list:
        found = []
        for index, item in enumerate(self.items):
            record = self.clean(index, item)
            if record is not None:
                found.append(record)
        self.finish(found)
        return found

    def finish(self, records: list) -> None:
        """Checks of the whole file once each record is cleaned (none by default)."""

    def read(self) -> list:
        found = self.clean_all()
        self.problems.raise_if_any()
        return found


class ExportFormat(RecordFormat):
    """An API's JSON export (Opendatasoft's `exports/json`: one array of objects; a `records`
    answer's `results` is read alike). Records are numbered from 1 and a problem names that
    number where a table names its line; a record `clean()` leaves out with a remark never
    refuses the others: the remarks are the run's report. Subclasses set `what` and
    `clean(number, record)`."""

    what: ClassVar[str] = "un export JSON"

    def __init__(self, name: str, records: list, problems: Problems | None = None):
        super().__init__(name, records, problems)
        self.records = records

    @classmethod
    def open(cls, source: Path | str, timeout: float = 60) -> "ExportFormat":
        return cls.of(read_one(source, timeout))

    @classmethod
    def of(cls, member: Member) -> "ExportFormat":
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

    def clean(self, index: int, item: dict) -> Any:
        """The typed row of one record (`index` counts from 1 here), or None after a remark
        saying why it is left out."""
        raise NotImplementedError

    def clean_all(self) -> list:
        # Records numbered from 1; anything but an object is left out with a remark.
        found = []
        for number, record in enumerate(self.records, start=1):
            if not isinstance(record, dict):
                self.remark(number, "-", "enregistrement qui n'est pas un objet JSON", True)
                continue
            row = self.clean(number, record)
            if row is not None:
                found.append(row)
        self.finish(found)
        return found

    def finish(self, rows: list) -> None:
        if not self.records:
            self.problems.add(1, "-", "aucun enregistrement")
