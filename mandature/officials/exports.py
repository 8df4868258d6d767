"""Export of changes as CSV or XLSX: one row per change, with a header. No birth date, ever."""

import csv
import io

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


def to_csv(changes: ChangeSet, selected: list[Change]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(HEADER)
    for change in selected:
        writer.writerow(change_row(change, changes))
    return buffer.getvalue()


def to_xlsx(changes: ChangeSet, selected: list[Change]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("changements")
    sheet.append(HEADER)
    for change in selected:
        sheet.append(change_row(change, changes))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
