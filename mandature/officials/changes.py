"""Changes between two snapshots of a kind: new mayors (and first-time mayors), re-elected mayors,
departures, function changes, new EPCI presidents.

A territory missing from the later snapshot is « non encore renseigné », never a departure; one
missing from the earlier snapshot is compared with the last mayor known before it.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from mandature.core.ingest.engine import DateColumn, fetch, gc_paused, in_list
from mandature.territories.models import Commune, Departement, Epci, Region

from .enums import ChangeType, FunctionCode, SnapshotKind
from .models import PastFunction, Person, Snapshot, SnapshotEntry, latest_snapshot

HEAD_FUNCTION = {
    SnapshotKind.MAIRES: FunctionCode.MAIRE,
    SnapshotKind.CM: FunctionCode.MAIRE,
    SnapshotKind.EPCI: FunctionCode.PRESIDENT,
}
MUNICIPAL_KINDS = (SnapshotKind.MAIRES, SnapshotKind.CM)
# Kinds renewed by the general municipal elections (EPCI councils follow the municipal ones).
RENEWED_KINDS = (SnapshotKind.MAIRES, SnapshotKind.CM, SnapshotKind.EPCI)
# First rounds of the general municipal elections (DOMAIN.md; the next one, in March 2032, is
# to be added when its date is set by decree).
MUNICIPAL_ELECTIONS = (date(2008, 3, 9), date(2014, 3, 23), date(2020, 3, 15), date(2026, 3, 15))


def election_before(day: date) -> date | None:
    """The first round of the latest general municipal elections on or before `day`."""
    return max((e for e in MUNICIPAL_ELECTIONS if e <= day), default=None)


def heads_cutoff(before: Snapshot, after: Snapshot) -> date:
    """Who held the head function strictly before this date is not « premier mandat ». Across a
    general election, the election's first round: a file of April 2026 already lists the mayors
    elected in March. Otherwise the later snapshot's date."""
    election = election_before(after.data_date)
    if election is not None and before.data_date < election:
        return election
    return after.data_date


@dataclass(slots=True)
class Seat:
    """A seat in a snapshot. Comparing needs the first four fields; the others are filled by
    describe() for the seats that changed only (a national file has half a million seats)."""

    person_id: int
    function_code: str
    mandate_id: int
    snapshot_id: int
    function: str = ""
    mandate_start: date | None = None
    commune_id: str | None = None
    epci_id: str | None = None
    departement_id: str | None = None
    region_id: str | None = None


@dataclass
class Change:
    type: str
    territory_key: str
    seat: Seat  # the seat after the change (before it, for a departure)
    previous: Seat | None = None
    first_time: bool = False
    # filled by describe()
    person: Person | None = None
    previous_person: Person | None = None
    territory_name: str = ""
    commune_name: str = ""  # the commune of an EPCI seat
    departement_name: str = ""
    region_name: str = ""

    @property
    def type_label(self) -> str:
        return ChangeType(self.type).label

    @property
    def departement_code(self) -> str:
        return self.seat.departement_id or ""

    @property
    def region_code(self) -> str:
        return self.seat.region_id or ""


def count_types(changes: list[Change]) -> dict[str, int]:
    """Changes by type; first-time mayors are new mayors too."""
    counts = Counter(c.type for c in changes)
    counts[ChangeType.NEW_MAYOR] += counts[ChangeType.FIRST_TIME_MAYOR]
    return dict(counts)


@dataclass
class ChangeSet:
    kind: str
    before: Snapshot
    after: Snapshot
    changes: list[Change] = field(default_factory=list)
    not_yet_reported: int = 0  # territories of `before` absent from `after`
    compared: int = 0

    def of_type(self, change_type: str) -> list[Change]:
        if change_type == ChangeType.NEW_MAYOR:  # first-time mayors are new mayors too
            wanted = {ChangeType.NEW_MAYOR, ChangeType.FIRST_TIME_MAYOR}
        else:
            wanted = {change_type}
        return [c for c in self.changes if c.type in wanted]

    def counts(self) -> dict[str, int]:
        return count_types(self.changes)

    def counts_by(self, attribute: str) -> list[tuple[str, str, Counter]]:
        """[(code, name, Counter of types)] by département or région, in code order."""
        groups: dict[str, Counter] = defaultdict(Counter)
        names: dict[str, str] = {}
        for change in self.changes:
            code = getattr(change, f"{attribute}_code") or "?"
            groups[code][change.type] += 1
            if change.type == ChangeType.FIRST_TIME_MAYOR:
                groups[code][ChangeType.NEW_MAYOR] += 1
            names[code] = getattr(change, f"{attribute}_name") or "inconnu"
        return [(code, names[code], groups[code]) for code in sorted(groups)]


# The snapshot of a kind in force on a date: the models' latest_snapshot, under the name the
# command and pages use.
snapshot_at = latest_snapshot


SEATS_SQL = (
    "SELECT m.territory_key, e.person_id, e.function_code, e.mandate_id "
    "FROM officials_snapshotentry e JOIN officials_mandate m ON m.id = e.mandate_id "
    "WHERE e.snapshot_id = %s"
)


def _seats(snapshot: Snapshot, territory_keys=None) -> dict[str, list[Seat]]:
    sql, params = SEATS_SQL, [snapshot.pk]
    if territory_keys is not None:
        condition, values = in_list("m.territory_key", territory_keys)
        sql += f" AND {condition}"
        params += values
    seats: dict[str, list[Seat]] = defaultdict(list)
    snapshot_id = snapshot.pk
    for key, person, code, mandate in fetch(sql, params):
        seats[key].append(Seat(person, code, mandate, snapshot_id))
    return seats


def _fill_details(seats: list[Seat]) -> None:
    """Function labels, mandate starts and territories of the seats that changed."""
    as_date = DateColumn()
    mandate_ids = sorted({seat.mandate_id for seat in seats})
    mandates, functions = {}, {}
    for start in range(0, len(mandate_ids), 5000):
        chunk = mandate_ids[start : start + 5000]
        condition, values = in_list("id", chunk)
        for mid, begin, commune, epci, dept, region in fetch(
            "SELECT id, start_date, commune_id, epci_id, departement_id, region_id "
            f"FROM officials_mandate WHERE {condition}",
            values,
        ):
            mandates[mid] = (as_date(begin), commune, epci, dept, region)
        condition, values = in_list("mandate_id", chunk)
        for snapshot_id, mid, function in fetch(
            "SELECT snapshot_id, mandate_id, function FROM officials_snapshotentry "
            f"WHERE {condition}",
            values,
        ):
            functions[(snapshot_id, mid)] = function
    for seat in seats:
        (seat.mandate_start, seat.commune_id, seat.epci_id, seat.departement_id, seat.region_id) = (
            mandates[seat.mandate_id]
        )
        seat.function = functions.get((seat.snapshot_id, seat.mandate_id), "")


def _last_known(kind: str, before: Snapshot, keys: list[str]) -> dict[str, list[Seat]]:
    """For territories absent from `before`: their seats in the latest earlier snapshot."""
    found: dict[str, list[Seat]] = {}
    earlier = Snapshot.objects.filter(kind=kind, data_date__lte=before.data_date).exclude(
        pk=before.pk
    )
    remaining = set(keys)
    for snapshot in earlier.order_by("-data_date", "-id"):
        if not remaining:
            break
        chunk = sorted(remaining)
        for start in range(0, len(chunk), 5000):
            for key, seats in _seats(snapshot, chunk[start : start + 5000]).items():
                found[key] = seats
                remaining.discard(key)
    return found


def former_heads(function_code: str, before: date) -> set[int]:
    """People who held the function in a snapshot, or in a history export, before that date."""
    kinds = MUNICIPAL_KINDS if function_code == FunctionCode.MAIRE else (SnapshotKind.EPCI,)
    people = set(
        SnapshotEntry.objects.filter(
            snapshot__kind__in=kinds, snapshot__data_date__lt=before, function_code=function_code
        ).values_list("person_id", flat=True)
    )
    people |= set(
        PastFunction.objects.filter(function_code=function_code, start_date__lt=before).values_list(
            "person_id", flat=True
        )
    )
    return people


def compute_changes(before: Snapshot, after: Snapshot) -> ChangeSet:
    """Compare two snapshots of the same kind (`before` older than `after`)."""
    with gc_paused():  # hundreds of thousands of seats read: the collector would walk them all
        return _compare(before, after)


def _compare(before: Snapshot, after: Snapshot) -> ChangeSet:
    kind = after.kind
    result = ChangeSet(kind, before, after)
    seats_before = _seats(before)
    seats_after = _seats(after)
    missing = [key for key in seats_after if key not in seats_before]
    seats_before.update(_last_known(kind, before, missing))
    head = HEAD_FUNCTION.get(kind)
    earlier_heads = former_heads(head, heads_cutoff(before, after)) if head else set()
    for key, now in seats_after.items():
        then = seats_before.get(key)
        if then is None:
            continue  # a territory never reported before: nothing to compare with
        result.compared += 1
        then_by_person = {s.person_id: s for s in then}
        now_by_person = {s.person_id: s for s in now}
        if head:
            _head_changes(result, key, then, now, head, earlier_heads)
        for person, seat in now_by_person.items():
            old = then_by_person.get(person)
            if old and kind != SnapshotKind.MAIRES and old.function_code != seat.function_code:
                result.changes.append(Change(ChangeType.FUNCTION_CHANGE, key, seat, old))
        for person, seat in then_by_person.items():
            if person not in now_by_person:
                result.changes.append(Change(ChangeType.DEPARTED, key, seat))
    result.not_yet_reported = sum(1 for key in seats_before if key not in seats_after)
    describe(result.changes)
    result.changes.sort(key=lambda c: (c.departement_code, c.territory_name, c.type))
    return result


def _head_changes(result, key, then, now, head, earlier_heads) -> None:
    old_head = next((s for s in then if s.function_code == head), None)
    new_head = next((s for s in now if s.function_code == head), None)
    if new_head is None:
        return
    if old_head is not None and old_head.person_id == new_head.person_id:
        if old_head.mandate_id != new_head.mandate_id:
            result.changes.append(Change(ChangeType.RE_ELECTED, key, new_head, old_head))
        return
    if head == FunctionCode.PRESIDENT:
        change_type = ChangeType.NEW_PRESIDENT
        first_time = new_head.person_id not in earlier_heads
    else:
        first_time = new_head.person_id not in earlier_heads
        change_type = ChangeType.FIRST_TIME_MAYOR if first_time else ChangeType.NEW_MAYOR
    result.changes.append(Change(change_type, key, new_head, old_head, first_time=first_time))


def describe(changes: list[Change]) -> None:
    """Attach names of people and territories, in a few queries."""
    _fill_details([c.seat for c in changes] + [c.previous for c in changes if c.previous])
    person_ids = {c.seat.person_id for c in changes} | {
        c.previous.person_id for c in changes if c.previous
    }
    people = {}
    ids = sorted(person_ids)
    for start in range(0, len(ids), 5000):
        condition, values = in_list("id", ids[start : start + 5000])
        people.update(
            (p.pk, p)
            for p in Person.objects.raw(  # what pages and exports show: not the match key
                "SELECT id, last_name, first_name, sex, birth_date FROM officials_person"
                f" WHERE {condition}",
                values,
            )
        )
    communes = dict(
        Commune.objects.filter(
            code__in={c.seat.commune_id for c in changes if c.seat.commune_id}
        ).values_list("code", "name")
    )
    epcis = dict(
        Epci.objects.filter(
            siren__in={c.seat.epci_id for c in changes if c.seat.epci_id}
        ).values_list("siren", "name")
    )
    departements = dict(Departement.objects.values_list("code", "name"))
    regions = dict(Region.objects.values_list("code", "name"))
    for change in changes:
        seat = change.seat
        change.person = people.get(seat.person_id)
        change.previous_person = people.get(change.previous.person_id) if change.previous else None
        change.territory_name = (
            epcis.get(seat.epci_id, "") if seat.epci_id else communes.get(seat.commune_id or "", "")
        ) or change.territory_key
        change.commune_name = communes.get(seat.commune_id or "", "")
        change.departement_name = departements.get(seat.departement_id or "", "")
        change.region_name = regions.get(seat.region_id or "", "")
