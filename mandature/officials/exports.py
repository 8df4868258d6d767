"""Export of changes as CSV or XLSX: one row per change, with a header. No birth date, ever."""

import csv
import io
from collections.abc import Iterator

from mandature.core.spreadsheet import write_xlsx as write

from .changes import Change, ChangeSet

HEADER = [
    "type", "libelle_type", "territoire_code", "territoire", "departement", "departement_nom",
    "region", "region_nom", "nom", "prenom", "sexe", "tranche_age", "fonction",
    "debut_mandat", "premier_mandat_de_maire", "precedent_nom", "precedent_prenom",
    "donnees_avant", "donnees_apres",
]  # fmt: skip


def change_row(change: Change, changes: ChangeSet) -> list[str]:
    person, previous = change.person, change.previous_person
    territory = change.seat.commune_id or change.seat.epci_id or change.territory_key
    return [
        change.type,
        change.type_label,
        territory,
        change.territory_name,
        change.departement_code,
        change.departement_name,
        change.region_code,
        change.region_name,
        person.last_name if person else "",
        person.first_name if person else "",
        person.sex if person else "",
        person.age_band(changes.after.data_date) if person else "",
        change.seat.function,
        change.seat.mandate_start.isoformat(),
        "oui" if change.first_time else "non",
        previous.last_name if previous else "",
        previous.first_name if previous else "",
        changes.before.data_date.isoformat(),
        changes.after.data_date.isoformat(),
    ]


def csv_chunks(changes: ChangeSet, selected: list[Change]) -> Iterator[str]:
    """The CSV, a few hundred rows at a time (a national comparison is tens of thousands)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(HEADER)
    for number, change in enumerate(selected, start=1):
        writer.writerow(change_row(change, changes))
        if number % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def to_csv(changes: ChangeSet, selected: list[Change]) -> str:
    return "".join(csv_chunks(changes, selected))


def write_xlsx(out, changes: ChangeSet, selected: list[Change]) -> None:
    """The XLSX into a binary file, a row at a time (mandature.core.spreadsheet)."""
    write(out, HEADER, (change_row(change, changes) for change in selected), "changements")


def to_xlsx(changes: ChangeSet, selected: list[Change]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, changes, selected)
    return buffer.getvalue()
