"""What pages show of the officials: a commune's team, the freshness of each kind, the renewal."""

from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache, caches

from mandature.territories.models import Commune

from .changes import ChangeSet, compute_changes
from .enums import ChangeType, FunctionCode, SnapshotKind
from .models import PastFunction, Snapshot, SnapshotEntry, latest_snapshot


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


def commune_team(commune: Commune) -> CommuneTeam:
    team = CommuneTeam(latest_mayors=latest_snapshot(SnapshotKind.MAIRES))
    mayors = list(
        SnapshotEntry.objects.filter(
            commune=commune, snapshot__kind=SnapshotKind.MAIRES, function_code=FunctionCode.MAIRE
        )
        .select_related("snapshot", "person", "mandate")
        .order_by("-snapshot__data_date", "-snapshot_id")
    )
    if mayors:
        team.mayor = mayors[0]
        team.reported = team.latest_mayors is None or mayors[0].snapshot_id == team.latest_mayors.pk
        earlier = [e for e in mayors[1:] if e.snapshot.data_date < mayors[0].snapshot.data_date]
        team.previous_mayor = next((e for e in earlier if e.person_id != mayors[0].person_id), None)
        team.mayor_is_new = bool(earlier) and earlier[0].person_id != mayors[0].person_id
        if team.mayor_is_new:
            team.mayor_first_time = not was_mayor_before(
                mayors[0].person_id, mayors[0].snapshot.data_date
            )
    council_entry = (
        SnapshotEntry.objects.filter(commune=commune, snapshot__kind=SnapshotKind.CM)
        .select_related("snapshot")
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
        team.epci_snapshot = latest_snapshot(SnapshotKind.EPCI)
        if team.epci_snapshot:
            team.epci_president = (
                SnapshotEntry.objects.filter(
                    snapshot=team.epci_snapshot,
                    mandate__epci_id=commune.epci_id,
                    function_code=FunctionCode.PRESIDENT,
                )
                .select_related("person")
                .first()
            )
    return team


def freshness() -> list[Snapshot]:
    """The latest snapshot of each kind: « RNE maires au 17 avril 2026 »."""
    latest = {}
    for snapshot in Snapshot.objects.order_by("kind", "-data_date", "-id"):
        latest.setdefault(snapshot.kind, snapshot)
    order = list(SnapshotKind.values)
    return sorted(latest.values(), key=lambda s: order.index(s.kind))


def default_comparison(kind: str = SnapshotKind.MAIRES) -> tuple[Snapshot, Snapshot] | None:
    """The latest snapshot of the kind and the one before it, by data date."""
    snapshots = list(Snapshot.objects.filter(kind=kind).order_by("-data_date", "-id")[:2])
    if len(snapshots) < 2:
        return None
    return snapshots[1], snapshots[0]


def cached_changes(before: Snapshot, after: Snapshot) -> ChangeSet:
    """Snapshots never change once imported: their comparison can be kept."""
    key = f"rne-changes:{before.pk}:{after.pk}"
    changes = cache.get(key)
    if changes is None:
        changes = compute_changes(before, after)
        cache.set(key, changes, timeout=3600)
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
