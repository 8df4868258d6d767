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
    analyze,
    fetch,
    gc_paused,
    in_list,
    indexes_rebuilt,
    insert_rows,
    lock_tables,
    next_id,
    reset_sequence,
)
from mandature.core.models import ImportRun
from mandature.core.text import compact, fold
from mandature.territories.loader import SOURCE as TERRITORY_SOURCE

from .enums import MANDATE_KIND_OF, FunctionCode
from .models import IdentityDoubt, Mandate, PastFunction, Snapshot
from .placement import Place, Placer
from mandature.core.ingest import Member, read_source

from .sources.rne import RneFile, RneFileError, Row, parse_text

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
    for member in read_source(path):
        name, raw = member.name, member.raw
        digest = file_digest(raw)
        existing = Snapshot.objects.filter(sha256=digest).first()
        if existing is not None:
            results.append(ImportResult(name, existing, already=True))
            continue
        with gc_paused():
            results.append(
                _import_member(name, raw, digest, data_date, skip_unplaced, user, progress)
            )
    return results


def _import_member(name, raw, digest, data_date, skip_unplaced, user, progress) -> ImportResult:
    text, encoding = Member(name, raw).decode()
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
    started = time.monotonic()
    reuse = reuse or Reuse()
    reused = [(line, reuse.entries[fingerprint]) for line, fingerprint in rne.reused]
    progress("placement", 0, len(rne.rows) + len(reused))
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
            ]
            + [
                f"{rne.name}:0: column « - »: {len(unplaced)} ligne(s) non placée(s) ; "
                "--skip-unplaced les écarte en les gardant dans le rapport"
            ],
            total=len(unplaced) + 1,
        )
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
        writer = _Writer(rne, snapshot, progress)
        writer.write(placed, reused)
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
        snapshot.duration = round(time.monotonic() - started, 2)
        snapshot.save()
    analyze(
        "officials_person",
        "officials_mandate",
        "officials_snapshotentry",
        "officials_pastfunction",
        "officials_identitydoubt",
    )
    latest = Snapshot.objects.filter(kind=rne.kind).order_by("-data_date", "-id").first()
    superseded = latest if latest and latest.pk != snapshot.pk else None
    return ImportResult(rne.name, snapshot, superseded_by=superseded, doubts=writer.doubt_count)


def _latest(latest: date | None, reused: list[tuple[int, tuple]]) -> date | None:
    """The latest date of the file: its read rows' and its reused lines' (mandate and function
    starts; the files whose lines are reused have no end dates)."""
    as_date = DateColumn()
    for _line, entry in reused:
        for value in (as_date(entry[8]), as_date(entry[9])):
            if value is not None and (latest is None or value > latest):
                latest = value
    return latest


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


def name_group(key: str) -> str:
    """The part of a match key without the given names: « last|sex|birth » (the key ends with
    « |F|1970-01-01 », 13 characters)."""
    return key[: key.index("|")] + key[-13:]


EXACT = {"python": str, "postgresql": "match_key", "sqlite": "match_key"}
GROUP = {
    "python": name_group,
    "postgresql": "split_part(match_key, '|', 1) || right(match_key, 13)",
    "sqlite": "substr(match_key, 1, instr(match_key, '|') - 1) || substr(match_key, -13)",
}


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

    def write(self, placed: list[tuple[Row, Place]], reused: list[tuple[int, tuple]]) -> None:
        total = len(placed) + len(reused)
        self.progress("identités", len(reused), total)
        person_ids = self._match_persons(placed)
        self.progress("mandats", len(reused) + len(placed) // 3, total)
        mandate_ids = self._upsert_mandates(placed, person_ids)
        self.progress("instantané", len(reused) + 2 * len(placed) // 3, total)
        self._write_entries(placed, person_ids, mandate_ids, reused)
        self.progress("terminé", total, total)

    # -- persons ---------------------------------------------------------------------------------

    def _match_persons(self, placed: list[tuple[Row, Place]]) -> list[int]:
        keys = [match_key(row.last_name, row.first_name, row.sex, row.birth) for row, _ in placed]
        self.person_count = fetch("SELECT COUNT(*) FROM officials_person")[0][0]
        by_key = {key: pid for pid, key in self._known_persons(EXACT, set(keys))}
        ids: list[int | None] = [by_key.get(key) for key in keys]
        if not self.person_count:  # nobody known yet
            self._match_by_territory(placed, ids, keys, list(range(len(keys))))
            return ids  # type: ignore[return-value]
        missing = {name_group(key) for key, pid in zip(keys, ids, strict=True) if pid is None}
        by_name: dict[str, list[tuple[int, str]]] = {}
        for pid, key in self._known_persons(GROUP, missing):
            by_name.setdefault(name_group(key), []).append((pid, key.split("|")[1]))
        unmatched: list[int] = []
        for index, key in enumerate(keys):
            if ids[index] is not None:
                continue
            first = key.split("|")[1]
            for candidate, candidate_first in by_name.get(name_group(key), ()):
                # « Christophe » and « Christophe Gilbert Robert »: extra given names.
                if candidate_first.startswith(first) or first.startswith(candidate_first):
                    ids[index] = candidate
                    break
            else:
                unmatched.append(index)
        if unmatched:
            self._match_by_territory(placed, ids, keys, unmatched)
        return ids  # type: ignore[return-value]

    def _known_persons(self, expression: dict[str, str], values: set[str]) -> list[tuple]:
        """(id, match_key) of the persons whose key (EXACT) or name group (GROUP) is in values:
        through SQL for a few values, in one pass over the table for many."""
        if not values or not self.person_count:
            return []
        if len(values) * 4 > self.person_count:
            of = expression["python"]
            rows = fetch("SELECT id, match_key FROM officials_person")
            return [(pid, key) for pid, key in rows if of(key) in values]
        sql = expression[connection.vendor]
        found = []
        ordered = sorted(values)
        for start in range(0, len(ordered), 10_000):
            condition, params = in_list(sql, ordered[start : start + 10_000])
            found += fetch(f"SELECT id, match_key FROM officials_person WHERE {condition}", params)
        return found

    def _match_by_territory(self, placed, ids, keys, unmatched) -> None:
        """Rows with no exact match: same seat territory, sex and birth date, a close name."""
        wanted: set[tuple] = set()
        if Mandate.objects.filter(kind=self.mandate_kind).exists():  # else nobody to compare with
            wanted = {
                (placed[i][1].territory_key, placed[i][0].sex, placed[i][0].birth)
                for i in unmatched
            }
        known: dict[tuple, list[tuple[int, str, str]]] = {}
        as_date = DateColumn()
        for territory, pid, sex, birth, last, first in self._seat_neighbours(wanted):
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
                        doubts.append(
                            (chosen, pid, row, False, "noms trop différents : personnes distinctes")
                        )
                known.setdefault(group, []).append((chosen, row.last_name, row.first_name))
            ids[index] = chosen
        # The creation time comes from the database's default.
        with indexes_rebuilt("officials_person", len(new_persons)):
            insert_rows(
                "officials_person",
                ["id", "last_name", "first_name", "sex", "birth_date", "match_key"],
                (
                    (pid, row.last_name, row.first_name, row.sex, row.birth, key)
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
                )
                for pid, other, row, merged, rule in doubts
            ],
            batch_size=2000,
        )
        self.doubt_count = len(doubts)

    def _seat_neighbours(self, wanted: set[tuple]) -> list[tuple]:
        """(territory, person, sex, birth, last name, first name) of the holders of this kind of
        mandate whose (territory, sex, birth date) is wanted."""
        if not wanted:
            return []
        select = (
            "SELECT DISTINCT m.territory_key, p.id, p.sex, p.birth_date, p.last_name, "
            "p.first_name FROM officials_mandate m JOIN officials_person p ON p.id = m.person_id "
        )
        if connection.vendor == "postgresql":  # exactly the wanted triples, in one query
            territories, sexes, births = zip(*wanted, strict=True)
            return fetch(
                select + "JOIN unnest(%s::text[], %s::text[], %s::date[]) AS w(t, s, b) "
                "ON m.territory_key = w.t AND p.sex = w.s AND p.birth_date = w.b "
                "WHERE m.kind = %s",
                [list(territories), list(sexes), list(births), self.mandate_kind],
            )
        births = sorted({birth for _territory, _sex, birth in wanted})
        rows = []
        for start in range(0, len(births), 10_000):
            condition, values = in_list("p.birth_date", births[start : start + 10_000])
            rows += fetch(
                select + f"WHERE m.kind = %s AND {condition}", [self.mandate_kind, *values]
            )
        return rows

    # -- mandates --------------------------------------------------------------------------------

    def _upsert_mandates(self, placed, person_ids) -> list[int]:
        existing: dict[tuple, int] = {}
        open_ended: set[int] = set()
        as_date = DateColumn()
        for mid, pid, territory, start, is_open in self._known_mandates(person_ids):
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
        with indexes_rebuilt("officials_mandate", len(new_rows)):
            self._insert_mandates(new_rows)
        reset_sequence("officials_mandate")
        for mid, (end, reason) in ended.items():
            Mandate.objects.filter(pk=mid).update(end_date=end, end_reason=reason[:100])
        return ids

    def _insert_mandates(self, new_rows) -> None:
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
            ],
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
                )
                for mid, pid, p, row in new_rows
            ),
        )

    def _known_mandates(self, person_ids: list[int]) -> list[tuple]:
        """(id, person, territory, start, open) of this kind's mandates of these persons: by
        the persons' index for a few, in one pass over the kind for many."""
        select = (
            "SELECT id, person_id, territory_key, start_date, end_date IS NULL "
            "FROM officials_mandate WHERE kind = %s"
        )
        persons = sorted(set(person_ids))
        if len(persons) > 50_000:
            return fetch(select, [self.mandate_kind])
        rows = []
        for start in range(0, len(persons), 10_000):
            condition, values = in_list("person_id", persons[start : start + 10_000])
            rows += fetch(f"{select} AND {condition}", [self.mandate_kind, *values])
        return rows

    # -- entries ---------------------------------------------------------------------------------

    def _write_entries(self, placed, person_ids, mandate_ids, reused) -> None:
        history = self.rne.is_history
        mayors_only = self.rne.kind == "maires"
        seen: set[int] = set()
        entries = []
        past = []
        snapshot_id = self.snapshot.pk
        as_date = DateColumn()
        for line, entry in reused:
            fingerprint, mid, pid, commune, _dept, function, code, rank, start, _start = entry
            if mid in seen:
                continue
            seen.add(mid)
            entries.append(
                (
                    snapshot_id,
                    mid,
                    pid,
                    commune,
                    function,
                    code,
                    rank,
                    as_date(start),
                    line,
                    fingerprint,
                )
            )
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
                    row.line_hash,
                )
            )
        with indexes_rebuilt("officials_snapshotentry", len(entries)):
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
                    "line_hash",
                ],
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
                    )
                    for mid, pid, row in past
                ],
                batch_size=5000,
            )


__all__ = ["ImportResult", "RneFileError", "import_rne", "similar_names"]
