"""Imports of housing data: DGCL criteria (per commune and year) and the SRU inventory.

read → validate → bring to today's geography → compare with what is stored → write in one
transaction → record the run. A file already imported (same SHA-256) is skipped.
"""

import hashlib
import math
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from mandature.core.commands import DataError
from mandature.core.files import read_bytes
from mandature.core.ingest.engine import analyze
from mandature.core.models import ImportRun
from mandature.territories.models import Commune, CommuneAlias

from .models import HousingYear, SruInventory
from .sources.dgcl import HousingFileError, read_dgcl
from .sources.sru import read_sru

DGCL_SOURCE = "logement-dgcl"
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


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(read_bytes(path)).hexdigest()
    except DataError as error:
        message = str(error).removeprefix(f"{path}: ")
        raise HousingFileError([f"{path}:0: column « - »: {message}"]) from None


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


def _already(source: str, path: Path) -> tuple[str, bool]:
    """The file's SHA-256, and whether a successful import of it is recorded."""
    digest = _digest(path)
    done = ImportRun.objects.filter(source=source, sha256=digest, status=ImportRun.Status.SUCCESS)
    return digest, done.exists()


def _unknown(name: str, line: int, column: str, code: str) -> str:
    return (
        f"{name}:{line}: column « {column} »: commune « {code} » inconnue, même parmi les "
        "anciens codes"
    )


def import_dgcl(path: Path, year: int | None = None, user=None) -> HousingImport:
    """Import one DGCL criteria file. Raises HousingFileError and changes nothing on error."""
    name = str(path)
    result = HousingImport(Path(name).name)
    digest, result.skipped = _already(DGCL_SOURCE, path)
    if result.skipped:
        return result
    parsed = read_dgcl(path, year)
    result.year = parsed.year
    geography = Geography()
    totals: dict[str, dict] = {}
    unknown = []
    merged = 0
    for row in parsed.rows:
        commune = geography.today(row.code)
        if commune is None:
            unknown.append(_unknown(name, row.line, parsed.columns["code"], row.code))
            continue
        merged += commune != row.code
        entry = totals.get(commune)
        if entry is None:
            totals[commune] = {"codes": [row.code], **row.values}
            continue
        entry["codes"].append(row.code)
        for figure in FIGURES:  # a sum is known only when every part is
            if figure in entry or figure in row.values:
                a, b = entry.get(figure), row.values.get(figure)
                entry[figure] = None if a is None or b is None else a + b
    if unknown:
        raise HousingFileError(unknown)
    with transaction.atomic():
        existing = {h.commune_id: h for h in HousingYear.objects.filter(year=parsed.year)}
        created, updated = [], []
        for commune, values in totals.items():
            codes = values.pop("codes")
            merged_codes = ", ".join(c for c in codes if c != commune)[:200]
            fields = {f: values.get(f) for f in FIGURES} | {
                "merged_codes": merged_codes,
                "source": Path(name).name[:200],
            }
            current = existing.pop(commune, None)
            if current is None:
                created.append(HousingYear(commune_id=commune, year=parsed.year, **fields))
            elif any(getattr(current, k) != v for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(current, k, v)
                updated.append(current)
        HousingYear.objects.bulk_create(created, batch_size=2000)
        HousingYear.objects.bulk_update(
            updated, [*FIGURES, "merged_codes", "source"], batch_size=1000
        )
        deleted = HousingYear.objects.filter(pk__in=[h.pk for h in existing.values()]).delete()[0]
        result.counts = {
            "communes": len(totals),
            "created": len(created),
            "updated": len(updated),
            "deleted": deleted,
            "merged": merged,
        }
        ImportRun.objects.create(
            source=DGCL_SOURCE,
            file_name=Path(name).name,
            sha256=digest,
            status=ImportRun.Status.SUCCESS,
            counts=result.counts | {"year": parsed.year},
            user=user,
            finished_at=timezone.now(),
        )
    analyze("housing_housingyear")
    return result


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
    digest, result.skipped = _already(SRU_SOURCE, path)
    if result.skipped:
        return result
    parsed = read_sru(path, year)
    geography = Geography()
    unknown = []
    records = {}
    for row in parsed.rows:
        commune = geography.today(row.code)
        if commune is None:
            unknown.append(_unknown(name, row.line, parsed.columns["code"], row.code))
            continue
        values = dict(row.values)
        row_year = values.pop("year")
        counts_known = values.get("main_residences") and values.get("social_units") is not None
        if values.get("rate") is None and counts_known:
            values["rate"] = round(
                Decimal(100) * values["social_units"] / values["main_residences"], 2
            )
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
        records[(commune, row_year)] = values
    if unknown:
        raise HousingFileError(unknown)
    with transaction.atomic():
        created = updated = 0
        for (commune, row_year), values in records.items():
            fields = {k: values.get(k) for k in SRU_FIELDS} | {"source": Path(name).name[:200]}
            fields["exempt"] = bool(fields["exempt"])
            fields["carence"] = bool(fields["carence"])
            _, was_created = SruInventory.objects.update_or_create(
                commune_id=commune, year=row_year, defaults=fields
            )
            created += was_created
            updated += not was_created
        result.year = max(y for _, y in records) if records else 0
        result.counts = {
            "communes": len(records),
            "created": created,
            "updated": updated,
            "deleted": 0,
            "merged": 0,
        }
        ImportRun.objects.create(
            source=SRU_SOURCE,
            file_name=Path(name).name,
            sha256=digest,
            status=ImportRun.Status.SUCCESS,
            counts=result.counts,
            user=user,
            finished_at=timezone.now(),
        )
    return result
