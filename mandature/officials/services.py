"""What pages show of the officials: a commune's team, the freshness of each kind, the renewal."""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import caches

from mandature.territories.models import Commune

from .changes import ChangeSet, compute_changes
from .enums import ChangeType, FunctionCode, SnapshotKind
from .models import PastFunction, Snapshot, SnapshotEntry, all_snapshots, latest_snapshot


@dataclass
class CommuneTeam:
    mayor: SnapshotEntry | None = None
    mayor_is_new: bool = False
    mayor_first_time: bool = False
    previous_mayor: SnapshotEntry | None = None
    reported: bool = True  # False: absent from the latest mayors file
    latest_mayors: Snapshot | None = None
    council: Snapshot | None = None  # latest municipal councillors snapshot with this commune
    adjoints: list[SnapshotEntry] = field(default_factory=list)
    councillor_count: int = 0
    epci_president: SnapshotEntry | None = None
    epci_snapshot: Snapshot | None = None


def was_mayor_before(person_id: int, before: date) -> bool:
    return (
        SnapshotEntry.objects.filter(
            mandate__person_id=person_id,  # through the mandate's index
            function_code=FunctionCode.MAIRE,
            snapshot__kind__in=(SnapshotKind.MAIRES, SnapshotKind.CM),
            snapshot__data_date__lt=before,
        ).exists()
        or PastFunction.objects.filter(
            person_id=person_id, function_code=FunctionCode.MAIRE, start_date__lt=before
        ).exists()
    )


@dataclass
class TeamLookups:
    """Read once for a batch of communes instead of once per commune."""

    latest: dict[str, Snapshot | None]
    presidents: dict[str, SnapshotEntry]  # EPCI SIREN → president in the latest EPCI snapshot
    mayors_before: tuple[date, set[int]] | None  # persons mayor before the latest mayors file

    @classmethod
    def load(cls) -> "TeamLookups":
        latest = {kind: latest_snapshot(kind) for kind in (SnapshotKind.MAIRES, SnapshotKind.EPCI)}
        presidents = {}
        if latest[SnapshotKind.EPCI]:
            ids = list(
                SnapshotEntry.objects.filter(
                    snapshot=latest[SnapshotKind.EPCI], function_code=FunctionCode.PRESIDENT
                ).values_list("pk", flat=True)
            )
            for entry in (
                SnapshotEntry.objects.filter(pk__in=ids)
                .select_related("person", "snapshot", "mandate")
                .defer("snapshot__report")  # each row would parse the import report
            ):
                presidents.setdefault(entry.mandate.epci_id, entry)
        mayors_before = None
        if latest[SnapshotKind.MAIRES]:
            when = latest[SnapshotKind.MAIRES].data_date
            earlier = list(
                Snapshot.objects.filter(
                    kind__in=(SnapshotKind.MAIRES, SnapshotKind.CM), data_date__lt=when
                ).values_list("pk", flat=True)
            )
            persons = set(  # by the (snapshot, mandate) index, snapshot by snapshot
                SnapshotEntry.objects.filter(
                    snapshot_id__in=earlier, function_code=FunctionCode.MAIRE
                ).values_list("person_id", flat=True)
            )
            persons.update(
                PastFunction.objects.filter(
                    function_code=FunctionCode.MAIRE, start_date__lt=when
                ).values_list("person_id", flat=True)
            )
            mayors_before = (when, persons)
        return cls(latest, presidents, mayors_before)


def mayor_entries_of(codes: list[str]) -> dict[str, list[SnapshotEntry]]:
    """Each commune's mayor entries in the mayors snapshots, newest first."""
    found: dict[str, list[SnapshotEntry]] = {}
    entries = (
        SnapshotEntry.objects.filter(
            commune__in=codes, snapshot__kind=SnapshotKind.MAIRES, function_code=FunctionCode.MAIRE
        )
        .select_related("snapshot", "person", "mandate")
        .defer("snapshot__report")
        .order_by("-snapshot__data_date", "-snapshot_id")
    )
    for entry in entries:
        found.setdefault(entry.commune_id, []).append(entry)
    return found


def commune_team(
    commune: Commune,
    council: bool = True,
    lookups: TeamLookups | None = None,
    mayor_entries: list[SnapshotEntry] | None = None,
) -> CommuneTeam:
    """Mayor (new? first time?), council and EPCI president. A batch of briefs passes
    `lookups` (read once for all communes) and `mayor_entries`, the commune's mayor entries,
    newest first (mayor_entries_of() reads them for many communes at once); `council=False`
    skips the municipal council."""
    latest = dict(lookups.latest) if lookups is not None else {}

    def latest_of(kind: str) -> Snapshot | None:
        if kind not in latest:
            latest[kind] = latest_snapshot(kind)
        return latest[kind]

    team = CommuneTeam(latest_mayors=latest_of(SnapshotKind.MAIRES))
    if mayor_entries is None:
        mayor_entries = mayor_entries_of([commune.code]).get(commune.code, [])
    mayors = mayor_entries
    if mayors:
        team.mayor = mayors[0]
        team.reported = team.latest_mayors is None or mayors[0].snapshot_id == team.latest_mayors.pk
        earlier = [e for e in mayors[1:] if e.snapshot.data_date < mayors[0].snapshot.data_date]
        team.previous_mayor = next((e for e in earlier if e.person_id != mayors[0].person_id), None)
        team.mayor_is_new = bool(earlier) and earlier[0].person_id != mayors[0].person_id
        if team.mayor_is_new:
            when = mayors[0].snapshot.data_date
            if lookups and lookups.mayors_before and lookups.mayors_before[0] == when:
                team.mayor_first_time = mayors[0].person_id not in lookups.mayors_before[1]
            else:
                team.mayor_first_time = not was_mayor_before(mayors[0].person_id, when)
    council_entry = council and (
        SnapshotEntry.objects.filter(commune=commune, snapshot__kind=SnapshotKind.CM)
        .select_related("snapshot")
        .defer("snapshot__report")
        .order_by("-snapshot__data_date", "-snapshot_id")
        .first()
    )
    if council_entry:
        team.council = council_entry.snapshot
        members = SnapshotEntry.objects.filter(snapshot=team.council, commune=commune)
        team.councillor_count = members.count()
        team.adjoints = list(
            members.filter(function_code=FunctionCode.ADJOINT)
            .select_related("person")
            .order_by("function_rank", "person__last_name")
        )
    if commune.epci_id:
        team.epci_snapshot = latest_of(SnapshotKind.EPCI)
        if lookups is not None:
            team.epci_president = lookups.presidents.get(commune.epci_id)
        elif team.epci_snapshot:
            team.epci_president = (
                SnapshotEntry.objects.filter(
                    snapshot=team.epci_snapshot,
                    mandate__epci_id=commune.epci_id,
                    function_code=FunctionCode.PRESIDENT,
                )
                .select_related("person", "snapshot")
                .defer("snapshot__report")
                .first()
            )
    return team


def freshness() -> list[Snapshot]:
    """The latest snapshot of each kind: « RNE maires au 17 avril 2026 »."""
    latest = {}
    for snapshot in all_snapshots():
        latest.setdefault(snapshot.kind, snapshot)
    order = list(SnapshotKind.values)
    return sorted(latest.values(), key=lambda s: order.index(s.kind))


def default_comparison(kind: str = SnapshotKind.MAIRES) -> tuple[Snapshot, Snapshot] | None:
    """The latest snapshot of the kind and the one before it, by data date."""
    snapshots = [s for s in all_snapshots() if s.kind == kind][:2]
    if len(snapshots) < 2:
        return None
    return snapshots[1], snapshots[0]


_CHANGES: "OrderedDict[tuple, ChangeSet]" = OrderedDict()
_CHANGES_KEPT = 4
_CHANGES_LOCK = threading.Lock()


def cached_changes(before: Snapshot, after: Snapshot) -> ChangeSet:
    """Snapshots never change once imported: their comparison is kept in the process's memory
    (a national comparison is tens of thousands of objects: unpickling it from a cache would
    take seconds), for the last few pairs asked."""
    key = (before.pk, before.imported_at, after.pk, after.imported_at)
    with _CHANGES_LOCK:
        changes = _CHANGES.get(key)
        if changes is not None:
            _CHANGES.move_to_end(key)
            return changes
    changes = compute_changes(before, after)
    with _CHANGES_LOCK:
        _CHANGES[key] = changes
        while len(_CHANGES) > _CHANGES_KEPT:
            _CHANGES.popitem(last=False)
    return changes


@dataclass
class Renewal:
    before: Snapshot
    after: Snapshot
    new_mayors: int
    first_time: int
    re_elected: int
    reported_communes: int
    women_new: int


def renewal_summary() -> Renewal | None:
    """Counts of the latest renewal, shared by all processes (warmed by `load-data`)."""
    pair = default_comparison()
    if pair is None:
        return None
    key = f"renewal:{pair[0].pk}:{pair[1].pk}"
    summary = caches["shared"].get(key)
    if summary is None:
        summary = _renewal(pair)
        caches["shared"].set(key, summary, timeout=None)
    return summary


def _renewal(pair: tuple[Snapshot, Snapshot]) -> Renewal:
    changes = cached_changes(*pair)
    counts = changes.counts()
    new = changes.of_type(ChangeType.NEW_MAYOR)
    return Renewal(
        before=pair[0],
        after=pair[1],
        new_mayors=counts.get(ChangeType.NEW_MAYOR, 0),
        first_time=counts.get(ChangeType.FIRST_TIME_MAYOR, 0),
        re_elected=counts.get(ChangeType.RE_ELECTED, 0),
        reported_communes=pair[1].covered_communes,
        women_new=sum(1 for c in new if c.person and c.person.sex == "F"),
    )
