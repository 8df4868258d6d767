"""Imports of housing data: DGCL criteria (per commune and year) and the SRU inventory.

read → validate (the format classes of `sources/`) → bring to today's geography → diff with
what is stored → write in one transaction → record the run. A file already imported (same
SHA-256 of its content) is skipped.
"""

import hashlib
import math
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from mandature.core.ingest import FileProblems
from mandature.core.ingest.engine import analyze
from mandature.core.ingest.source import Member, read_one
from mandature.core.ingest.sync import Stored, diff, write
from mandature.core.models import ImportRun
from mandature.territories.models import Commune, CommuneAlias

from .models import HousingYear, SruInventory
from .sources.dgcl import DgclFile, read_dgcl
from .sources.sru import SruFile, read_sru

DGCL_SOURCE = "logement-dgcl"
KEY = ("commune_id", "year")
FIGURES = ("population", "housing_units", "social_units", "benefit_recipients", "qpv_population")


@dataclass
class HousingImport:
    name: str
    year: int = 0
    skipped: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    sru: bool = False

    def summary(self) -> str:
        if self.skipped:
            return f"{self.name} : déjà importé, rien changé"
        c = self.counts
        if self.sru:
            return (
                f"{self.name} : inventaire SRU {self.year}, {c['communes']} communes "
                f"({c['created']} ajoutées, {c['updated']} mises à jour)"
            )
        return (
            f"{self.name} : données logement {self.year}, {c['communes']} communes "
            f"({c['created']} créées, {c['updated']} modifiées, {c['deleted']} retirées, "
            f"{c['merged']} anciennes communes additionnées à leur commune actuelle)"
        )


class Geography:
    """Today's commune for any code: itself, or the commune it merged into."""

    def __init__(self):
        self.current = set(Commune.objects.filter(is_current=True).values_list("code", flat=True))
        self.former = dict(
            Commune.objects.filter(is_current=False, successor__isnull=False).values_list(
                "code", "successor_id"
            )
        )
        for code, commune in CommuneAlias.objects.values_list("code", "commune_id"):
            if code not in self.current:
                self.former.setdefault(code, commune)

    def today(self, code: str) -> str | None:
        if code in self.current:
            return code
        successor = self.former.get(code)
        for _ in range(5):  # a merged commune may have merged again
            if successor is None or successor in self.current:
                return successor
            successor = self.former.get(successor)
        return None


def _already(source: str, path: Path) -> tuple[Member, str, bool]:
    """The file read once, its SHA-256 (of the content, gunzipped), and whether a successful
    import of it is recorded."""
    member = read_one(path)
    digest = hashlib.sha256(member.raw).hexdigest()
    done = ImportRun.objects.filter(source=source, sha256=digest, status=ImportRun.Status.SUCCESS)
    return member, digest, done.exists()


def _unknown(name: str, line: int, column: str, code: str) -> str:
    return (
        f"{name}:{line}: column « {column} »: commune « {code} » inconnue, même parmi les "
        "anciens codes"
    )


def _record(source: str, name: str, digest: str, counts: dict, user) -> None:
    ImportRun.objects.create(
        source=source,
        file_name=Path(name).name,
        sha256=digest,
        status=ImportRun.Status.SUCCESS,
        counts=counts,
        user=user,
        finished_at=timezone.now(),
    )


def import_dgcl(path: Path, year: int | None = None, user=None) -> HousingImport:
    """Import one DGCL criteria file. Raises FileProblems and changes nothing on error."""
    name = str(path)
    result = HousingImport(Path(name).name)
    member, digest, result.skipped = _already(DGCL_SOURCE, path)
    if result.skipped:
        return result
    parsed = read_dgcl(member, year)
    result.year = parsed.year
    totals, merged = _dgcl_totals(parsed)
    source = Path(name).name[:200]
    incoming = {
        (commune, parsed.year): _dgcl_values(commune, values, source)
        for commune, values in totals.items()
    }
    with transaction.atomic():
        stored = _stored(HousingYear.objects.filter(year=parsed.year), [*FIGURES, *DGCL_MORE])
        written = write(HousingYear, diff(stored, incoming), KEY)
        result.counts = {
            "communes": len(totals),
            "created": written["created"],
            "updated": written["updated"],
            "deleted": written["removed"],
            "merged": merged,
        }
        _record(DGCL_SOURCE, name, digest, result.counts | {"year": parsed.year}, user)
    analyze("housing_housingyear")
    return result


DGCL_MORE = ("merged_codes", "source")


def _dgcl_totals(parsed: DgclFile) -> tuple[dict[str, dict], int]:
    """The figures of each commune of today, the communes merged since added up into it (a
    sum is known only when every part is); and how many rows were added up so."""
    geography = Geography()
    totals: dict[str, dict] = {}
    unknown = []
    merged = 0
    for row in parsed.rows:
        commune = geography.today(row.code)
        if commune is None:
            unknown.append(_unknown(parsed.name, row.line, parsed.columns["code"], row.code))
            continue
        merged += commune != row.code
        entry = totals.get(commune)
        if entry is None:
            totals[commune] = {"codes": [row.code], **row.values}
            continue
        entry["codes"].append(row.code)
        for figure in FIGURES:
            if figure in entry or figure in row.values:
                a, b = entry.get(figure), row.values.get(figure)
                entry[figure] = None if a is None or b is None else a + b
    if unknown:
        raise FileProblems(unknown)
    return totals, merged


def _dgcl_values(commune: str, values: dict, source: str) -> dict:
    merged_codes = ", ".join(c for c in values["codes"] if c != commune)[:200]
    return {f: values.get(f) for f in FIGURES} | {"merged_codes": merged_codes, "source": source}


def _stored(rows, fields) -> dict:
    """Stored rows keyed (commune, year), as the diff sees them."""
    found = rows.values_list("pk", "commune_id", "year", *fields)
    return {(c, y): Stored(pk, dict(zip(fields, v, strict=True))) for pk, c, y, *v in found}


SRU_SOURCE = "inventaire-sru"
SRU_FIELDS = (
    "main_residences",
    "social_units",
    "rate",
    "target_rate",
    "subject",
    "exempt",
    "carence",
    "deficit",
)


def import_sru(path: Path, year: int | None = None, user=None) -> HousingImport:
    """Import an SRU inventory file: its figures replace the estimates of these communes."""
    name = str(path)
    result = HousingImport(Path(name).name, sru=True)
    member, digest, result.skipped = _already(SRU_SOURCE, path)
    if result.skipped:
        return result
    records = _sru_records(read_sru(member, year))
    source = Path(name).name[:200]
    incoming = {key: _sru_values(values, source) for key, values in records.items()}
    years = {y for _, y in records}
    with transaction.atomic():
        stored = _stored(SruInventory.objects.filter(year__in=years), [*SRU_FIELDS, "source"])
        changes = diff(stored, incoming, remove=False)
        write(SruInventory, changes, KEY)
        result.year = max(years) if years else 0
        # Every commune of the file already known is « mise à jour », changed or not.
        result.counts = {
            "communes": len(records),
            "created": len(changes.created),
            "updated": len(changes.changed) + changes.unchanged,
            "deleted": 0,
            "merged": 0,
        }
        _record(SRU_SOURCE, name, digest, result.counts, user)
    return result


def _sru_records(parsed: SruFile) -> dict[tuple[str, int], dict]:
    """The figures of each (commune of today, year), with the rate and the deficit computed
    when the file gives only what they come from."""
    geography = Geography()
    unknown = []
    records = {}
    for row in parsed.rows:
        commune = geography.today(row.code)
        if commune is None:
            unknown.append(_unknown(parsed.name, row.line, parsed.columns["code"], row.code))
            continue
        values = dict(row.values)
        row_year = values.pop("year")
        records[(commune, row_year)] = _sru_computed(values)
    if unknown:
        raise FileProblems(unknown)
    return records


def _sru_computed(values: dict) -> dict:
    counts_known = values.get("main_residences") and values.get("social_units") is not None
    if values.get("rate") is None and counts_known:
        values["rate"] = round(Decimal(100) * values["social_units"] / values["main_residences"], 2)
    if (
        values.get("deficit") is None
        and values.get("target_rate")
        and values.get("main_residences")
    ):
        wanted = values["target_rate"] * values["main_residences"] / 100
        values["deficit"] = max(0, math.ceil(wanted - (values.get("social_units") or 0)))
    for key in ("main_residences", "social_units", "deficit", "target_rate"):
        if values.get(key) is not None:
            values[key] = int(values[key])
    return values


def _sru_values(values: dict, source: str) -> dict:
    fields = {k: values.get(k) for k in SRU_FIELDS} | {"source": source}
    fields["exempt"] = bool(fields["exempt"])
    fields["carence"] = bool(fields["carence"])
    return fields
