"""Import RNE files as snapshots: read → place → match identities → write in one transaction.

Idempotent (a file already imported, by SHA-256, changes nothing) and atomic (all or nothing:
an error, an exception or a killed process leaves the database as it was).
"""

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from pathlib import Path

from django.db import connection, transaction

from mandature.core.bulk import (
    DateColumn,
    fetch,
    in_list,
    insert_rows,
    lock_tables,
    next_id,
    reset_sequence,
)
from mandature.core.text import compact, fold

from .enums import MANDATE_KIND_OF, FunctionCode
from .models import IdentityDoubt, Mandate, PastFunction, Snapshot
from .placement import Place, Placer
from .sources.rne import RneFile, RneFileError, Row, decode, parse_text, read_members

Progress = Callable[[str, int, int], None]
REPORT_LIMIT = 2000  # remarks kept in a snapshot's report (the counts are always complete)


@dataclass
class ImportResult:
    name: str
    snapshot: Snapshot
    already: bool = False
    superseded_by: Snapshot | None = None
    doubts: int = 0

    def summary(self) -> str:
        s = self.snapshot
        when = f"{s.data_date:%d/%m/%Y}"
        if self.already:
            return f"{self.name} : déjà importé (RNE {s.get_kind_display()} au {when}), rien changé"
        text = (
            f"{self.name} : RNE {s.get_kind_display()} au {when} ({s.get_date_source_display()}), "
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
    """Import a file (or each member of a zip). Raises RneFileError and changes nothing on error."""
    results = []
    for name, raw in read_members(path):
        digest = file_digest(raw)
        existing = Snapshot.objects.filter(sha256=digest).first()
        if existing is not None:
            results.append(ImportResult(name, existing, already=True))
            continue
        text, encoding = decode(name, raw)
        parsed = parse_text(name, text, encoding, data_date or date.today())
        results.append(
            import_parsed(parsed, digest, data_date, skip_unplaced, user, progress or _quiet)
        )
    return results


def _quiet(stage: str, done: int, total: int) -> None:
    pass


def import_parsed(
    rne: RneFile,
    digest: str,
    data_date: date | None,
    skip_unplaced: bool,
    user,
    progress: Progress,
) -> ImportResult:
    started = time.monotonic()
    progress("placement", 0, len(rne.rows))
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
        raise RneFileError(
            [
                f"{rne.name}:{line}: column « {column} »: {message}"
                for line, column, message in unplaced
            ]  # fmt: skip
            + [
                f"{rne.name}:0: column « - »: {len(unplaced)} ligne(s) non placée(s) ; "
                "--skip-unplaced les écarte en les gardant dans le rapport"
            ],  # fmt: skip
            total=len(unplaced) + 1,
        )
    if data_date is not None:
        when, source = data_date, "option"
    else:
        when, source = rne.latest_date, "contenu"
    with transaction.atomic():
        lock_tables("officials_person", "officials_mandate", "officials_snapshot")
        # Checked again under the lock: two uploads of the same file import it once.
        existing = Snapshot.objects.filter(sha256=digest).first()
        if existing is not None:
            return ImportResult(rne.name, existing, already=True)
        snapshot = Snapshot.objects.create(
            kind=rne.kind,
            data_date=when,
            date_source=source,
            file_name=Path(rne.name).name,
            sha256=digest,
            layout=rne.layout,
            encoding=rne.encoding,
            is_history_export=rne.is_history,
            row_count=len(rne.rows) + sum(1 for w in rne.warnings if w[3]),
            imported_by=user,
        )
        writer = _Writer(rne, snapshot, progress)
        writer.write(placed)
        remarks = [list(w) for w in rne.warnings] + [[*u, True] for u in unplaced]
        snapshot.rejected_count = sum(1 for r in remarks if r[3])
        snapshot.entry_count = writer.entry_count
        snapshot.new_person_count = writer.new_person_count
        snapshot.covered_communes = len({p.commune for _, p in placed if p.commune})
        snapshot.covered_departements = sorted({p.departement for _, p in placed if p.departement})
        snapshot.report = {
            "columns": rne.columns,
            "delimiter": {"\t": "tabulation", ";": "point-virgule", ",": "virgule"}[rne.delimiter],
            "remarks": remarks[:REPORT_LIMIT],
            "remark_count": len(remarks),
            "unplaced_count": len(unplaced),
            "latest_date_in_file": rne.latest_date.isoformat() if rne.latest_date else None,
        }
        snapshot.duration = round(time.monotonic() - started, 2)
        snapshot.save()
    latest = Snapshot.objects.filter(kind=rne.kind).order_by("-data_date", "-id").first()
    superseded = latest if latest and latest.pk != snapshot.pk else None
    return ImportResult(rne.name, snapshot, superseded_by=superseded, doubts=writer.doubt_count)


def _territory_column(rne: RneFile) -> str:
    for name in rne.columns:
        folded = fold(name)
        if folded in ("code de la commune", "code insee de la commune", "n siren"):
            return name
    return rne.columns[0]


def _first_tokens(first_name: str) -> tuple[str, ...]:
    return tuple(fold(first_name).split())


NAME_PARTICLES = {"ep", "epouse", "nee", "de", "du", "des", "le", "la", "d", "l"}


def similar_names(last_a: str, first_a: str, last_b: str, first_b: str) -> str | None:
    """The rule by which two spellings (same seat, sex and birth date) are taken for the same
    person, or None when the given names differ too."""
    la, lb = compact(last_a), compact(last_b)
    fa, fb = _first_tokens(first_a), _first_tokens(first_b)
    first_close = any(SequenceMatcher(None, a, b).ratio() >= 0.8 for a in fa for b in fb)
    if la == lb:
        return "même nom, prénom voisin" if first_close else "même nom, autre prénom d'usage"
    if not first_close:
        return None
    if SequenceMatcher(None, la, lb).ratio() >= 0.8:
        return "nom voisin (faute de frappe ou accent), même prénom"
    words_a = set(fold(last_a).split()) - NAME_PARTICLES
    words_b = set(fold(last_b).split()) - NAME_PARTICLES
    if words_a & words_b:
        return "nom composé, inversé ou nom d'usage"
    return "même prénom, autre nom (nom d'usage ?)"


def match_key(last_name: str, first_name: str, sex: str, birth: date) -> str:
    return f"{compact(last_name)}|{compact(first_name)}|{sex}|{birth.isoformat()}"


class _Writer:
    """Identity matching and bulk writes of one snapshot."""

    def __init__(self, rne: RneFile, snapshot: Snapshot, progress: Progress):
        self.rne = rne
        self.snapshot = snapshot
        self.progress = progress
        self.mandate_kind = MANDATE_KIND_OF[rne.kind]
        self.entry_count = 0
        self.new_person_count = 0
        self.doubt_count = 0

    def write(self, placed: list[tuple[Row, Place]]) -> None:
        total = len(placed)
        self.progress("identités", 0, total)
        person_ids = self._match_persons(placed)
        self.progress("mandats", total // 3, total)
        mandate_ids = self._upsert_mandates(placed, person_ids)
        self.progress("instantané", 2 * total // 3, total)
        self._write_entries(placed, person_ids, mandate_ids)
        self.progress("terminé", total, total)

    # -- persons ---------------------------------------------------------------------------------

    def _match_persons(self, placed: list[tuple[Row, Place]]) -> list[int]:
        by_key: dict[str, int] = {}
        by_name: dict[tuple, list[tuple[int, tuple[str, ...]]]] = {}
        for pid, key in fetch("SELECT id, match_key FROM officials_person"):
            by_key[key] = pid
            last, first, sex, birth = key.split("|")
            by_name.setdefault((last, sex, birth), []).append((pid, first))
        ids: list[int | None] = []
        unmatched: list[int] = []
        keys: list[str] = []
        for index, (row, _place) in enumerate(placed):
            key = match_key(row.last_name, row.first_name, row.sex, row.birth)
            keys.append(key)
            pid = by_key.get(key)
            if pid is None and by_name:
                last, first, sex, birth = key.split("|")
                for candidate, candidate_first in by_name.get((last, sex, birth), ()):
                    # « Christophe » and « Christophe Gilbert Robert »: extra given names.
                    if candidate_first.startswith(first) or first.startswith(candidate_first):
                        pid = candidate
                        break
            ids.append(pid)
            if pid is None:
                unmatched.append(index)
        if unmatched:
            self._match_by_territory(placed, ids, keys, unmatched)
        return ids  # type: ignore[return-value]

    def _match_by_territory(self, placed, ids, keys, unmatched) -> None:
        """Rows with no exact match: same seat territory, sex and birth date, a close name."""
        wanted = {
            (placed[i][1].territory_key, placed[i][0].sex, placed[i][0].birth) for i in unmatched
        }
        births = sorted({birth for _territory, _sex, birth in wanted})
        known: dict[tuple, list[tuple[int, str, str]]] = {}
        if not Mandate.objects.filter(kind=self.mandate_kind).exists():
            births = []  # a first import: nobody to compare with
        as_date = DateColumn()
        for chunk_start in range(0, len(births), 10_000):
            chunk = births[chunk_start : chunk_start + 10_000]
            condition, values = in_list("p.birth_date", chunk)
            rows = fetch(
                "SELECT DISTINCT m.territory_key, p.id, p.sex, p.birth_date, p.last_name, "
                "p.first_name FROM officials_mandate m JOIN officials_person p "
                f"ON p.id = m.person_id WHERE m.kind = %s AND {condition}",
                [self.mandate_kind, *values],
            )
            for territory, pid, sex, birth, last, first in rows:
                group = (territory, sex, as_date(birth))
                if group in wanted:
                    known.setdefault(group, []).append((pid, last, first))
        present = set(ids) - {None}
        next_person = next_id("officials_person")
        new_persons = []
        created: dict[str, int] = {}
        doubts = []
        if not known:  # nobody on these seats yet (a first import): only new people
            for index in unmatched:
                key = keys[index]
                chosen = created.get(key)
                if chosen is None:
                    chosen = created[key] = next_person
                    next_person += 1
                    new_persons.append((chosen, placed[index][0], key))
                ids[index] = chosen
            unmatched = []
        for index in unmatched:
            row, place = placed[index]
            key = keys[index]
            if key in created:  # the same new person twice in the file (two seats)
                ids[index] = created[key]
                continue
            group = (place.territory_key, row.sex, row.birth)
            chosen, rule = None, None
            for pid, last, first in known.get(group, ()):
                rule = similar_names(row.last_name, row.first_name, last, first)
                if rule:
                    chosen = pid
                    doubts.append((pid, None, row, True, rule))
                    break
            if chosen is None:
                chosen = next_person
                next_person += 1
                new_persons.append((chosen, row, key))
                created[key] = chosen
                for pid, _last, _first in known.get(group, ()):
                    if pid not in present:
                        doubts.append((chosen, pid, row, False, "noms trop différents : "
                                       "personnes distinctes"))  # fmt: skip
                known.setdefault(group, []).append((chosen, row.last_name, row.first_name))
            ids[index] = chosen
        # Adapted once: the same value for every new person.
        created_at = connection.ops.adapt_datetimefield_value(self.snapshot.imported_at)
        insert_rows(
            "officials_person",
            [
                "id",
                "last_name",
                "first_name",
                "sex",
                "birth_date",
                "match_key",
                "email",
                "phone",
                "salutation",
                "notes",
                "created_at",
            ],  # fmt: skip
            (
                (
                    pid,
                    row.last_name,
                    row.first_name,
                    row.sex,
                    row.birth,
                    key,
                    "",
                    "",
                    "",
                    "",
                    created_at,
                )
                for pid, row, key in new_persons
            ),
        )
        reset_sequence("officials_person")
        self.new_person_count = len(new_persons)
        IdentityDoubt.objects.bulk_create(
            [
                IdentityDoubt(
                    snapshot=self.snapshot,
                    person_id=pid,
                    other_id=other,
                    line=row.line,
                    file_last_name=row.last_name,
                    file_first_name=row.first_name,
                    merged=merged,
                    rule=rule,
                )  # fmt: skip
                for pid, other, row, merged, rule in doubts
            ],
            batch_size=2000,
        )
        self.doubt_count = len(doubts)

    # -- mandates --------------------------------------------------------------------------------

    def _upsert_mandates(self, placed, person_ids) -> list[int]:
        existing: dict[tuple, int] = {}
        open_ended: set[int] = set()
        as_date = DateColumn()
        for mid, pid, territory, start, is_open in fetch(
            "SELECT id, person_id, territory_key, start_date, end_date IS NULL "
            "FROM officials_mandate WHERE kind = %s",
            [self.mandate_kind],
        ):
            existing[(pid, territory, as_date(start))] = mid
            if is_open:
                open_ended.add(mid)
        next_mandate = next_id("officials_mandate")
        new_rows = []
        ended: dict[int, tuple[date, str]] = {}
        ids = []
        for (row, place), pid in zip(placed, person_ids, strict=True):
            key = (pid, place.territory_key, row.mandate_start)
            mid = existing.get(key)
            if mid is None:
                mid = next_mandate
                next_mandate += 1
                existing[key] = mid
                new_rows.append((mid, pid, place, row))
            elif row.mandate_end and mid in open_ended:
                ended[mid] = (row.mandate_end, row.mandate_end_reason)
            ids.append(mid)
        kind = self.mandate_kind
        insert_rows(
            "officials_mandate",
            [
                "id",
                "person_id",
                "kind",
                "territory_key",
                "commune_id",
                "epci_id",
                "departement_id",
                "region_id",
                "territory_code",
                "territory_label",
                "start_date",
                "end_date",
                "end_reason",
                "office_address",
                "notes",
            ],  # fmt: skip
            (
                (
                    mid,
                    pid,
                    kind,
                    p.territory_key,
                    p.commune,
                    p.epci,
                    p.departement,
                    p.region,
                    p.code[:20],
                    p.label[:200],
                    row.mandate_start,
                    row.mandate_end,
                    row.mandate_end_reason[:100],
                    "",
                    "",
                )  # fmt: skip
                for mid, pid, p, row in new_rows
            ),
        )
        reset_sequence("officials_mandate")
        for mid, (end, reason) in ended.items():
            Mandate.objects.filter(pk=mid).update(end_date=end, end_reason=reason[:100])
        return ids

    # -- entries ---------------------------------------------------------------------------------

    def _write_entries(self, placed, person_ids, mandate_ids) -> None:
        history = self.rne.is_history
        mayors_only = self.rne.kind == "maires"
        seen: set[int] = set()
        entries = []
        past = []
        for (row, place), pid, mid in zip(placed, person_ids, mandate_ids, strict=True):
            if history:
                if row.function_end is not None:
                    if row.function_code in (FunctionCode.MAIRE, FunctionCode.PRESIDENT):
                        past.append((mid, pid, row))
                    if mayors_only:
                        continue
                if row.mandate_end is not None:
                    continue
                if mayors_only and row.function_code != FunctionCode.MAIRE:
                    continue
            if mid in seen:
                continue
            seen.add(mid)
            function_open = not (history and row.function_end is not None)
            entries.append(
                (
                    self.snapshot.pk,
                    mid,
                    pid,
                    place.commune,
                    row.function[:150] if function_open else "",
                    row.function_code if function_open else "",
                    row.function_rank if function_open else None,
                    row.function_start if function_open else None,
                    row.line,
                )  # fmt: skip
            )
        self.entry_count = insert_rows(
            "officials_snapshotentry",
            [
                "snapshot_id",
                "mandate_id",
                "person_id",
                "commune_id",
                "function",
                "function_code",
                "function_rank",
                "function_start",
                "line",
            ],  # fmt: skip
            entries,
        )
        if past:
            PastFunction.objects.bulk_create(
                [
                    PastFunction(
                        mandate_id=mid,
                        person_id=pid,
                        snapshot=self.snapshot,
                        function=row.function[:150],
                        function_code=row.function_code,
                        start_date=row.function_start,
                        end_date=row.function_end,
                        end_reason=row.function_end_reason[:100],
                    )  # fmt: skip
                    for mid, pid, row in past
                ],
                batch_size=5000,
            )


__all__ = ["ImportResult", "RneFileError", "import_rne", "similar_names"]
