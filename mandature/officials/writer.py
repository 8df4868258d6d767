"""The write of one snapshot, as a diff then a write: which persons, mandates and entries are new,
which mandates ended, what stays (the persons and mandates already known); then every new row
written in bulk through the engine (`core.ingest.engine`), inside the import's transaction."""

from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher

from mandature.core.ingest.engine import (
    DateColumn,
    engine,
    fetch,
    in_list,
    indexes_rebuilt,
    insert_rows,
    next_id,
    reset_sequence,
)
from mandature.core.text import compact, fold

from .enums import MANDATE_KIND_OF, FunctionCode
from .identity import same_person_other_birth
from .models import IdentityDoubt, Mandate, PastFunction, Person, PersonAlias, Snapshot
from .placement import Place
from .sources.rne import RneFile, Row

NAME_PARTICLES = {"ep", "epouse", "nee", "de", "du", "des", "le", "la", "d", "l"}
PERSON_COLUMNS = ["id", "last_name", "first_name", "sex", "birth_date", "match_key", "name_date"]
MANDATE_COLUMNS = [
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
]
ENTRY_COLUMNS = [
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
]


def _first_tokens(first_name: str) -> tuple[str, ...]:
    return tuple(fold(first_name).split())


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


def adopt_spelling(current: tuple[str, str], found: tuple[str, str]) -> bool:
    """Whether a later file's spelling of a name replaces the current one: any other spelling
    does, but a spelling without the accents of the current one (« GREGOIRE » after
    « GRÉGOIRE ») does not, nor a change of case only."""
    if [part.casefold() for part in current] == [part.casefold() for part in found]:
        return False
    if [fold(part) for part in current] == [fold(part) for part in found]:
        return _accents(found) >= _accents(current)
    return True


def _accents(names: tuple[str, str]) -> int:
    return sum(not char.isascii() for part in names for char in part)


def match_key(last_name: str, first_name: str, sex: str, birth: date) -> str:
    return f"{compact(last_name)}|{compact(first_name)}|{sex}|{birth.isoformat()}"


def match_keys(rows) -> list[str]:
    """`match_key` of each row, each birth date written once (half a million rows, a few
    thousand dates)."""
    written: dict[date, str] = {}
    keys = []
    for row in rows:
        birth = written.get(row.birth)
        if birth is None:
            birth = written[row.birth] = row.birth.isoformat()
        keys.append(f"{compact(row.last_name)}|{compact(row.first_name)}|{row.sex}|{birth}")
    return keys


def name_group(key: str) -> str:
    """The part of a match key without the given names: « last|sex|birth » (the key ends with
    « |F|1970-01-01 », 13 characters)."""
    return key[: key.index("|")] + key[-13:]


def _group_sql() -> str:
    """`name_group` of the match_key column, in SQL."""
    db = engine()
    return f"{db.first_part('match_key', '|')} || {db.last_chars('match_key', 13)}"


@dataclass
class Plan:
    """What the snapshot adds: new persons (id, row, key), identity doubts, new mandates (id,
    person, place, row), mandates that ended (id → end, reason), entries and past functions."""

    persons: list[tuple[int, Row, str]] = field(default_factory=list)
    doubts: list[tuple] = field(default_factory=list)
    mandates: list[tuple] = field(default_factory=list)
    ended: dict[int, tuple[date, str]] = field(default_factory=dict)
    entries: list[tuple] = field(default_factory=list)
    past: list[tuple[int, int, Row]] = field(default_factory=list)
    # Known persons found under another spelling or birth date: (person, row, key).
    spellings: list[tuple[int, Row, str]] = field(default_factory=list)


class SnapshotWriter:
    """Identity matching, then the bulk writes of one snapshot."""

    def __init__(self, rne: RneFile, snapshot: Snapshot, progress):
        self.rne = rne
        self.snapshot = snapshot
        self.progress = progress
        self.mandate_kind = MANDATE_KIND_OF[rne.kind]
        self.entry_count = 0
        self.new_person_count = 0
        self.new_mandate_count = 0
        self.past_count = 0
        self.doubt_count = 0
        self.reused_persons: set[int] = set()
        self.plan = Plan()
        self.written: dict[str, int] = {}  # table → rows written (statistics refreshed after)

    def write(self, placed: list[tuple[Row, Place]], reused: list[tuple[int, tuple]]) -> None:
        total = len(placed) + len(reused)
        self.progress("identités", len(reused), total)
        self.reused_persons = {entry[2] for _line, entry in reused}
        person_ids = self._match_persons(placed)
        self._write_persons()
        self.progress("mandats", len(reused) + len(placed) // 3, total)
        mandate_ids = self._plan_mandates(placed, person_ids)
        self._write_mandates()
        self.progress("instantané", len(reused) + 2 * len(placed) // 3, total)
        self._plan_entries(placed, person_ids, mandate_ids, reused)
        self._write_entries(self.plan.entries, self.plan.past)
        self.plan.entries = []
        self.progress("terminé", total, total)
        self.written = {
            "officials_person": self.new_person_count,
            "officials_mandate": self.new_mandate_count,
            "officials_snapshotentry": self.entry_count,
            "officials_pastfunction": self.past_count,
            "officials_identitydoubt": self.doubt_count,
        }

    # -- persons ---------------------------------------------------------------------------------

    def _match_persons(self, placed: list[tuple[Row, Place]]) -> list[int]:
        """The person of each row: by exact match key, else by name group with extra given
        names, else by seat (`_match_by_territory`), else a new person."""
        keys = match_keys(row for row, _place in placed)
        self.person_count = fetch("SELECT COUNT(*) FROM officials_person")[0][0]
        names: dict[int, tuple[str, str]] = {}
        by_key = {}
        for pid, key, last, first in self._known_persons(set(keys), exact=True):
            by_key[key] = pid
            names[pid] = (last.casefold(), first.casefold())
        by_key.update(self._aliases(set(keys) - set(by_key)))
        ids: list[int | None] = [by_key.get(key) for key in keys]
        for (row, _place), pid, key in zip(placed, ids, keys, strict=True):
            if pid is not None and names.get(pid) != (
                row.last_name.casefold(),
                row.first_name.casefold(),
            ):
                self.plan.spellings.append((pid, row, key))
        unmatched = [i for i, pid in enumerate(ids) if pid is None]
        if self.person_count and unmatched:
            rows = [row for row, _place in placed]
            unmatched = self._match_by_name_group(rows, keys, ids, unmatched)
        if unmatched:
            self._match_by_territory(placed, ids, keys, unmatched)
        return ids  # type: ignore[return-value]

    def _match_by_name_group(self, placed_rows, keys: list[str], ids: list, unmatched) -> list[int]:
        """« Christophe » and « Christophe Gilbert Robert »: extra given names. Returns the
        rows still unmatched."""
        missing = {name_group(keys[i]) for i in unmatched}
        by_name: dict[str, list[tuple[int, str]]] = {}
        for pid, key, _last, _first in self._known_persons(missing, exact=False):
            by_name.setdefault(name_group(key), []).append((pid, key.split("|")[1]))
        left = []
        for index in unmatched:
            key = keys[index]
            first = key.split("|")[1]
            for candidate, candidate_first in by_name.get(name_group(key), ()):
                if candidate_first.startswith(first) or first.startswith(candidate_first):
                    ids[index] = candidate
                    self.plan.spellings.append((candidate, placed_rows[index], key))
                    break
            else:
                left.append(index)
        return left

    def _known_persons(self, values: set[str], exact: bool) -> list[tuple]:
        """(id, match_key, last name, first name) of the persons whose key (exact) or name
        group is in values: through SQL for a few values, in one pass over the table for many."""
        if not values or not self.person_count:
            return []
        select = "SELECT id, match_key, last_name, first_name FROM officials_person"
        if len(values) * 4 > self.person_count:
            of = str if exact else name_group
            return [row for row in fetch(select) if of(row[1]) in values]
        sql = "match_key" if exact else _group_sql()
        found = []
        ordered = sorted(values)
        for start in range(0, len(ordered), 10_000):
            condition, params = in_list(sql, ordered[start : start + 10_000])
            found += fetch(f"{select} WHERE {condition}", params)
        return found

    def _aliases(self, keys: set[str]) -> dict[str, int]:
        """Keys known as another spelling or birth date of a person (`PersonAlias`)."""
        if not keys or not PersonAlias.objects.exists():
            return {}
        found: dict[str, int] = {}
        ordered = sorted(keys)
        for start in range(0, len(ordered), 10_000):
            condition, params = in_list("match_key", ordered[start : start + 10_000])
            sql = f"SELECT match_key, person_id FROM officials_personalias WHERE {condition}"
            found.update(fetch(sql, params))
        return found

    def _match_by_territory(self, placed, ids, keys, unmatched) -> None:
        """Rows with no match by name: same seat territory and sex, and either the same birth
        date with a close name, or the same name with another birth date (`identity`); else a
        new person (doubts recorded either way)."""
        known, by_name = self._seat_holders(placed, unmatched)
        self.next_person = next_id("officials_person")
        chosen_for: dict[str, int] = {}  # the person given to each key (a key may hold 2 seats)
        if not known and not by_name:  # nobody on these seats yet (a first import)
            for index in unmatched:
                key = keys[index]
                if key not in chosen_for:
                    chosen_for[key] = self._new_person(placed[index][0], key)
                ids[index] = chosen_for[key]
            return
        present = set(ids) - {None}
        taken = present | self.reused_persons  # in the file: never the other record of a name
        for index in unmatched:
            row, place = placed[index]
            key = keys[index]
            if key in chosen_for:
                ids[index] = chosen_for[key]
                continue
            group = (place.territory_key, row.sex, row.birth)
            chosen = self._close_holder(row, known.get(group, ()))
            if chosen is None:
                name = (place.territory_key, row.sex, compact(row.last_name))
                chosen = self._same_name_holder(row, by_name.get(name, ()), taken)
            if chosen is None:
                chosen = self._new_person(row, key)
                for pid, _last, _first in known.get(group, ()):
                    if pid not in present:
                        self.plan.doubts.append(
                            (
                                chosen,
                                pid,
                                row,
                                False,
                                "noms trop différents : personnes distinctes",
                                None,
                            )
                        )
                known.setdefault(group, []).append((chosen, row.last_name, row.first_name))
            else:
                self.plan.spellings.append((chosen, row, key))
                taken.add(chosen)
            chosen_for[key] = ids[index] = chosen

    def _same_name_holder(self, row: Row, holders, taken: set) -> int | None:
        """A holder of the seat territory with the same name and another birth date (a typo of
        the ministry's), not already in the file: the full name first, then the closest date."""
        found = []
        for pid, last, first, birth in holders:
            if pid in taken:
                continue
            rule = same_person_other_birth(
                row.last_name, row.first_name, row.birth, last, first, birth
            )
            if rule:
                partial = not rule.startswith("même nom et")
                found.append((partial, abs(row.birth - birth), pid, rule, birth))
        if not found:
            return None
        _partial, _distance, pid, rule, birth = min(found)
        self.plan.doubts.append((pid, None, row, True, rule, birth))
        return pid

    def _seat_holders(self, placed, unmatched) -> tuple[dict, dict]:
        """The persons holding a seat of this kind on the rows' territories, by (territory,
        sex, birth) and by (territory, sex, compact last name): nobody to compare with when the
        kind has no mandate yet (a first import)."""
        if not Mandate.objects.filter(kind=self.mandate_kind).exists():
            return {}, {}
        rows = [placed[i] for i in unmatched]
        wanted = {(place.territory_key, row.sex, row.birth) for row, place in rows}
        names = {(place.territory_key, row.sex, compact(row.last_name)) for row, place in rows}
        known: dict[tuple, list[tuple[int, str, str]]] = {}
        by_name: dict[tuple, list[tuple[int, str, str, date]]] = {}
        as_date = DateColumn()
        for territory, pid, sex, birth, last, first in self._holder_rows(wanted, names):
            group = (territory, sex, as_date(birth))
            if group in wanted:
                known.setdefault(group, []).append((pid, last, first))
            group = (territory, sex, compact(last))
            if group in names:
                by_name.setdefault(group, []).append((pid, last, first, as_date(birth)))
        return known, by_name

    def _holder_rows(self, wanted: set, names: set) -> set[tuple]:
        """(territory, person, sex, birth, last, first) of this kind's seats on the wanted
        (territory, sex, birth) or (territory, sex, compact last name)."""
        select = (
            "SELECT DISTINCT m.territory_key, p.id, p.sex, p.birth_date, p.last_name, "
            "p.first_name FROM officials_mandate m JOIN officials_person p ON p.id = m.person_id"
        )
        db, kind = engine(), [self.mandate_kind]
        by_birth = (("m.territory_key", "text"), ("p.sex", "text"), ("p.birth_date", "date"))
        by_last = (
            ("m.territory_key", "text"),
            ("p.sex", "text"),
            (db.first_part("p.match_key", "|"), "text"),
        )
        found = set(db.matching(select, "m.kind = %s", kind, by_birth, wanted))
        return found | set(db.matching(select, "m.kind = %s", kind, by_last, names))

    def _close_holder(self, row: Row, holders) -> int | None:
        for pid, last, first in holders:
            rule = similar_names(row.last_name, row.first_name, last, first)
            if rule:
                self.plan.doubts.append((pid, None, row, True, rule, None))
                return pid
        return None

    def _new_person(self, row: Row, key: str) -> int:
        pid = self.next_person
        self.next_person += 1
        self.plan.persons.append((pid, row, key))
        return pid

    def _write_persons(self) -> None:
        """New persons (their creation time is the database's default) and identity doubts."""
        new_persons = self.plan.persons
        on = self.snapshot.data_date
        with indexes_rebuilt("officials_person", len(new_persons)):
            insert_rows(
                "officials_person",
                PERSON_COLUMNS,
                (
                    (pid, row.last_name, row.first_name, row.sex, row.birth, key, on)
                    for pid, row, key in new_persons
                ),
            )
        reset_sequence("officials_person")
        self.new_person_count = len(new_persons)
        self.plan.persons = []  # written: half a million tuples less for the next steps
        doubts = self.plan.doubts
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
                    file_birth_date=row.birth if known_birth else None,
                    known_birth_date=known_birth,
                )
                for pid, other, row, merged, rule, known_birth in doubts
            ],
            batch_size=2000,
        )
        self.doubt_count = len(doubts)
        self._write_spellings()

    def _write_spellings(self) -> None:
        """Known persons found under another spelling or birth date: the latest official
        spelling becomes the name shown (an accent is never lost to a file without accents);
        the other spellings and birth dates are kept as aliases (searchable, matched next
        time)."""
        spellings, self.plan.spellings = self.plan.spellings, []
        if not spellings:
            return
        on = self.snapshot.data_date
        persons = self._persons_named({pid for pid, _row, _key in spellings})
        aliases: dict[tuple[int, str], tuple[str, str]] = {}
        renamed = set()
        for pid, row, key in spellings:
            person = persons[pid]
            last, first, sex, birth, old_key, name_date = person
            found = (row.last_name, row.first_name)
            if (name_date is None or name_date <= on) and adopt_spelling((last, first), found):
                new_key = match_key(row.last_name, row.first_name, sex, birth)
                person[:] = [row.last_name, row.first_name, sex, birth, new_key, on]
                renamed.add(pid)
                aliases[(pid, old_key)] = (last, first)
            aliases[(pid, key)] = found
        for pid in renamed:
            last, first, _sex, _birth, key, name_date = persons[pid]
            Person.objects.filter(pk=pid).update(
                last_name=last, first_name=first, match_key=key, name_date=name_date
            )
        PersonAlias.objects.bulk_create(
            [
                PersonAlias(person_id=pid, match_key=key, last_name=last, first_name=first)
                for (pid, key), (last, first) in aliases.items()
                if key != persons[pid][4]
            ],
            ignore_conflicts=True,
            batch_size=2000,
        )

    def _persons_named(self, pids: set[int]) -> dict[int, list]:
        """id → [last name, first name, sex, birth date, match key, name date]."""
        persons = {}
        ordered, as_date = sorted(pids), DateColumn()
        select = (
            "SELECT id, last_name, first_name, sex, birth_date, match_key, name_date "
            "FROM officials_person WHERE "
        )
        for start in range(0, len(ordered), 10_000):
            condition, params = in_list("id", ordered[start : start + 10_000])
            for pid, last, first, sex, birth, key, name_date in fetch(select + condition, params):
                name_date = as_date(name_date) if name_date else None
                persons[pid] = [last, first, sex, as_date(birth), key, name_date]
        return persons

    # -- mandates --------------------------------------------------------------------------------

    def _plan_mandates(self, placed, person_ids) -> list[int]:
        """The mandate of each row: known (person, territory, start), or new; a known open
        mandate that the file says ended is to be closed."""
        existing: dict[tuple, int] = {}
        open_ended: set[int] = set()
        as_date = DateColumn()
        for mid, pid, territory, start, is_open in self._known_mandates(person_ids):
            existing[(pid, territory, as_date(start))] = mid
            if is_open:
                open_ended.add(mid)
        next_mandate = next_id("officials_mandate")
        new_rows, ended = self.plan.mandates, self.plan.ended
        ids = []
        for (row, place), pid in zip(placed, person_ids, strict=True):
            key = (pid, place.territory_key, row.mandate_start)
            mid = existing.get(key)
            if mid is None:
                mid = existing[key] = next_mandate
                next_mandate += 1
                new_rows.append((mid, pid, place, row))
            elif row.mandate_end and mid in open_ended:
                ended[mid] = (row.mandate_end, row.mandate_end_reason)
            ids.append(mid)
        return ids

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

    def _write_mandates(self) -> None:
        kind, new_rows = self.mandate_kind, self.plan.mandates
        with indexes_rebuilt("officials_mandate", len(new_rows)):
            insert_rows(
                "officials_mandate",
                MANDATE_COLUMNS,
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
        reset_sequence("officials_mandate")
        self.new_mandate_count = len(new_rows)
        self.plan.mandates = []  # written
        for mid, (end, reason) in self.plan.ended.items():
            Mandate.objects.filter(pk=mid).update(end_date=end, end_reason=reason[:100])

    # -- entries ---------------------------------------------------------------------------------

    def _plan_entries(self, placed, person_ids, mandate_ids, reused) -> None:
        """One entry per mandate held at the snapshot's date: the reused lines', then the read
        rows' (a history export's ended functions become past functions)."""
        seen: set[int] = set()
        entries = self.plan.entries
        snapshot_id = self.snapshot.pk
        as_date = DateColumn()
        for line, entry in reused:
            fingerprint, mid, pid, commune, _dept, function, code, rank, start, _start = entry
            if mid not in seen:
                seen.add(mid)
                start = as_date(start)
                entries.append(
                    (snapshot_id, mid, pid, commune, function, code, rank, start, line, fingerprint)
                )
        history = self.rne.is_history
        for (row, place), pid, mid in zip(placed, person_ids, mandate_ids, strict=True):
            if history and not self._open_in_history(row, mid, pid):
                continue
            if mid in seen:
                continue
            seen.add(mid)
            function_open = not (history and row.function_end is not None)
            entries.append(
                (
                    snapshot_id,
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

    def _open_in_history(self, row: Row, mid: int, pid: int) -> bool:
        """In a history export: whether the row's mandate is held at the export's date; an
        ended mayor's or president's function is kept as a past function."""
        mayors_only = self.rne.kind == "maires"
        if row.function_end is not None:
            if row.function_code in (FunctionCode.MAIRE, FunctionCode.PRESIDENT):
                self.plan.past.append((mid, pid, row))
            if mayors_only:
                return False
        if row.mandate_end is not None:
            return False
        return not (mayors_only and row.function_code != FunctionCode.MAIRE)

    def _write_entries(self, entries: list[tuple], past: list[tuple[int, int, Row]]) -> None:
        with indexes_rebuilt("officials_snapshotentry", len(entries)):
            self.entry_count = insert_rows("officials_snapshotentry", ENTRY_COLUMNS, entries)
        self.past_count = len(past)
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
