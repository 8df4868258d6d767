"""The Annuaire de l'administration's open API (DILA, Opendatasoft explore v2.1): the export
of the dataset `api-lannuaire-administration` filtered on mairies. One JSON object a service;
`pivot`, `adresse`, `telephone`, `site_internet` and `plage_ouverture` are JSON written in
strings; `pivot` holds the codes INSEE the service is the mairie of."""

import json
import re
from urllib.parse import urlencode

from mandature.core.ingest.records import ExportFormat
from mandature.directory import hours, values
from mandature.directory.enums import MairieKind

from . import MairieRow

API = "https://api-lannuaire.service-public.fr/api/explore/v2.1/catalog/datasets"
FIELDS = (
    "id",
    "nom",
    "pivot",
    "code_insee_commune",
    "adresse",
    "telephone",
    "adresse_courriel",
    "site_internet",
    "plage_ouverture",
    "date_modification",
)
DEFAULT_URL = f"{API}/api-lannuaire-administration/exports/json?" + urlencode(
    {"where": 'pivot LIKE "mairie"', "select": ",".join(FIELDS)}
)


_PREFIX = re.compile(r"^mairie(?: déléguée| annexe| de)?\s*[-–:]\s*", re.IGNORECASE)


def nested(record: dict, field: str) -> list:
    """A field the export writes as JSON in a string (or already decoded), as a list."""
    value = record.get(field)
    if value in (None, ""):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise ValueError("JSON illisible") from None
    return value if isinstance(value, list) else [value]


def first_value(entries: list) -> str:
    for entry in entries:
        text = entry.get("valeur") if isinstance(entry, dict) else entry
        if isinstance(text, str) and text.strip():
            return text.strip()
    return ""


def kind_of(name: str) -> MairieKind | None:
    """What the name says; None for an annexe (not a mairie of its own)."""
    lowered = name.lower()
    if "annexe" in lowered:
        return None
    if "déléguée" in lowered or "deleguee" in lowered:
        return MairieKind.DELEGUEE
    if "associée" in lowered:
        return MairieKind.ASSOCIEE
    return MairieKind.COMMUNE


class AnnuaireMairies(ExportFormat):
    what = "un export de l'API Annuaire de l'administration"

    def __init__(self, name: str, records: list):
        super().__init__(name, records)
        self.annexes = 0

    def clean(self, number: int, record: dict) -> MairieRow | None:
        code = self.code(number, record)
        if not code:
            return None
        name = str(record.get("nom") or "").strip()
        kind = kind_of(name)
        if kind is None:
            self.annexes += 1
            return None
        name = _PREFIX.sub("", name) or code  # « Mairie - Bordeaux » → « Bordeaux »
        return MairieRow(number, code, kind, name, self.contact(number, record))

    def code(self, number: int, record: dict) -> str:
        """The code INSEE the pivot gives for « mairie » (the record's own code when the
        pivot names several), or "" after a remark."""
        try:
            pivots = nested(record, "pivot")
        except ValueError as error:
            self.remark(number, "pivot", f"{error} : enregistrement écarté", skipped=True)
            return ""
        codes = [
            str(code).strip()
            for pivot in pivots
            if isinstance(pivot, dict) and pivot.get("type_service_local") == "mairie"
            for code in pivot.get("code_insee_commune") or []
        ]
        if not codes:
            self.remark(number, "pivot", "sans code INSEE de mairie : enregistrement écarté", True)
            return ""
        own = str(record.get("code_insee_commune") or "").strip()
        return own if own in codes else codes[0]

    def contact(self, number: int, record: dict) -> dict[str, str]:
        found = {}
        for field, source, clean in (
            ("address", "adresse", self.address),
            ("email", "adresse_courriel", self.email),
            ("phone", "telephone", self.phone),
            ("website", "site_internet", self.website),
            ("opening_hours", "plage_ouverture", self.opening_hours),
            ("accessibility", "adresse", self.accessibility),
        ):
            try:
                found[field] = clean(record)
            except ValueError as error:
                self.remark(number, source, f"{error} : valeur écartée")
                found[field] = ""
        return found

    @staticmethod
    def phone(record: dict) -> str:
        return values.phone(first_value(nested(record, "telephone")))

    @staticmethod
    def website(record: dict) -> str:
        return values.website(first_value(nested(record, "site_internet")))

    @staticmethod
    def opening_hours(record: dict) -> str:
        return hours.from_annuaire(nested(record, "plage_ouverture"))

    @staticmethod
    def addresses(record: dict) -> tuple[dict, dict]:
        """The postal address (where letters go) and the address of the building."""
        entries = [e for e in nested(record, "adresse") if isinstance(e, dict)]
        building = next((e for e in entries if e.get("type_adresse") == "Adresse"), None)
        postal = next((e for e in entries if e.get("type_adresse") == "Adresse postale"), None)
        first = entries[0] if entries else {}
        return postal or building or first, building or first

    def address(self, record: dict) -> str:
        postal, _building = self.addresses(record)
        if not postal:
            return ""
        parts = ("complement1", "complement2", "numero_voie", "service_distribution")
        lines = [str(postal.get(part) or "") for part in parts]
        town = f"{postal.get('code_postal') or ''} {postal.get('nom_commune') or ''}"
        return values.address_lines([*lines, town])

    @staticmethod
    def email(record: dict) -> str:
        value = record.get("adresse_courriel") or ""
        if isinstance(value, list):
            value = next((v for v in value if isinstance(v, str) and v.strip()), "")
        return values.email(str(value).split(";")[0])

    def accessibility(self, record: dict) -> str:
        _postal, building = self.addresses(record)
        code = str(building.get("accessibilite") or "") if building else ""
        note = str(building.get("note_accessibilite") or "") if building else ""
        return values.accessibility(code, note)
