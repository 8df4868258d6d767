"""Export of changes as CSV or XLSX: one row per change, with a header. No birth date, ever."""

from collections.abc import Iterator

from mandature.core import spreadsheet
from mandature.core.french import function_title

from .changes import Change, ChangeSet

HEADER = [
    "type",
    "libelle_type",
    "territoire_code",
    "territoire",
    "departement",
    "departement_nom",
    "region",
    "region_nom",
    "nom",
    "prenom",
    "sexe",
    "tranche_age",
    "fonction",
    "debut_mandat",
    "premier_mandat_de_maire",
    "precedent_nom",
    "precedent_prenom",
    "donnees_avant",
    "donnees_apres",
]


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
        function_title(change.seat.function, bool(person and person.sex == "F")),
        change.seat.mandate_start.isoformat(),
        "oui" if change.first_time else "non",
        previous.last_name if previous else "",
        previous.first_name if previous else "",
        changes.before.data_date.isoformat(),
        changes.after.data_date.isoformat(),
    ]


def change_rows(changes: ChangeSet, selected: list[Change]) -> Iterator[list[str]]:
    """The rows, one per change, read once by the export (a national comparison is tens of
    thousands: never a list of them all)."""
    return (change_row(change, changes) for change in selected)


def export_response(changes: ChangeSet, selected: list[Change], fmt: str, filename: str):
    """The download, through the one export path (BOM, « ; », formulas neutralised)."""
    return spreadsheet.export_response(
        HEADER, change_rows(changes, selected), fmt, filename, "changements"
    )


def write_export(out, changes: ChangeSet, selected: list[Change], fmt: str) -> None:
    """The same file as the download, into a binary file (the command line)."""
    spreadsheet.write_export(out, HEADER, change_rows(changes, selected), fmt, "changements")
