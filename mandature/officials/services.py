"""What pages show of the officials: a commune's team, the freshness of each kind, the renewal."""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import caches
from django.db.models import Count, Max

from mandature.territories.models import Commune

from .changes import (
    MUNICIPAL_ELECTIONS,
    RENEWED_KINDS,
    ChangeSet,
    compute_changes,
    election_before,
    heads_cutoff,
)
from .enums import ChangeType, FunctionCode, SnapshotKind
from .models import (
    IdentityOperation,
    PastFunction,
    Snapshot,
    SnapshotEntry,
    all_snapshots,
    latest_snapshot,
)


@dataclass
class CommuneTeam:
    mayor: SnapshotEntry | None = None
    mayor_is_new: bool = False
    mayor_first_time: bool = False
    mayor_re_elected: bool = False  # the same mayor at the renewal's reference
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


def former_mayors(before: date) -> set[int]:
    """Everyone mayor in a snapshot, or in a history export, before that date."""
    earlier = list(
        Snapshot.objects.filter(
            kind__in=(SnapshotKind.MAIRES, SnapshotKind.CM), data_date__lt=before
        ).values_list("pk", flat=True)
    )
    persons = set(  # by the (snapshot, mandate) index, snapshot by snapshot
        SnapshotEntry.objects.filter(
            snapshot_id__in=earlier, function_code=FunctionCode.MAIRE
        ).values_list("person_id", flat=True)
    )
    persons.update(
        PastFunction.objects.filter(
            function_code=FunctionCode.MAIRE, start_date__lt=before
        ).values_list("person_id", flat=True)
    )
    return persons


@dataclass
class TeamLookups:
    """Read once for a batch of communes instead of once per commune."""

    latest: dict[str, Snapshot | None]
    presidents: dict[str, SnapshotEntry]  # EPCI SIREN → president in the latest EPCI snapshot
    reference: tuple[Snapshot, date] | None  # renewal_reference()
    mayors_before: tuple[date, set[int]] | None  # persons mayor before the renewal's cut-off

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
        reference = renewal_reference()
        mayors_before = (reference[1], former_mayors(reference[1])) if reference else None
        return cls(latest, presidents, reference, mayors_before)


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
    if mayor_entries:
        _mayor_of(team, mayor_entries, lookups)
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


def _mayor_of(team: CommuneTeam, mayors: list[SnapshotEntry], lookups) -> None:
    """The mayor, and whether they are new since the renewal's reference (the same comparison
    as the changes page): for a mayor of the latest file, against the last mayor known at the
    reference; for a commune absent from it, against the file before the mayor's."""
    team.mayor = mayor = mayors[0]
    team.reported = team.latest_mayors is None or mayor.snapshot_id == team.latest_mayors.pk
    reference = lookups.reference if lookups is not None else renewal_reference()
    when = mayor.snapshot.data_date
    if reference and team.reported and when > reference[0].data_date:
        earlier = [e for e in mayors if e.snapshot.data_date <= reference[0].data_date]
        cutoff = reference[1]
    else:
        earlier = [e for e in mayors[1:] if e.snapshot.data_date < when]
        cutoff = when
    team.previous_mayor = next((e for e in earlier if e.person_id != mayor.person_id), None)
    team.mayor_is_new = bool(earlier) and earlier[0].person_id != mayor.person_id
    team.mayor_re_elected = bool(earlier) and not team.mayor_is_new
    if team.mayor_is_new:
        known = lookups.mayors_before if lookups is not None else None
        if known and known[0] == cutoff:
            team.mayor_first_time = mayor.person_id not in known[1]
        else:
            team.mayor_first_time = not was_mayor_before(mayor.person_id, cutoff)


def freshness() -> list[Snapshot]:
    """The latest snapshot of each kind: « RNE maires au 17 avril 2026 »."""
    latest = {}
    for snapshot in all_snapshots():
        latest.setdefault(snapshot.kind, snapshot)
    order = list(SnapshotKind.values)
    return sorted(latest.values(), key=lambda s: order.index(s.kind))


def latest_comparison(kind: str = SnapshotKind.MAIRES) -> tuple[Snapshot, Snapshot] | None:
    """The latest snapshot of the kind and the one before it, by data date: what the last file
    changed."""
    snapshots = [s for s in all_snapshots() if s.kind == kind][:2]
    if len(snapshots) < 2:
        return None
    return snapshots[1], snapshots[0]


def renewals(kind: str) -> list[tuple[date, Snapshot, Snapshot]]:
    """Each general municipal election the snapshots of a renewed kind span, newest first:
    (first round, the latest snapshot before it, the latest snapshot of its term)."""
    if kind not in RENEWED_KINDS:
        return []
    snapshots = [s for s in all_snapshots() if s.kind == kind]  # newest first
    found, following = [], None
    for election in sorted(MUNICIPAL_ELECTIONS, reverse=True):
        after = next(
            (
                s
                for s in snapshots
                if election <= s.data_date and (following is None or s.data_date < following)
            ),
            None,
        )
        before = next((s for s in snapshots if s.data_date < election), None)
        if after and before:
            found.append((election, before, after))
        following = election
    return found


def renewal_comparison(kind: str = SnapshotKind.MAIRES) -> tuple[Snapshot, Snapshot] | None:
    """For the kinds renewed by the municipal elections: the latest snapshot and the latest one
    before the first round of the latest general elections (the 2026 renewal: the mayors of
    January 2022 against those of August 2026, whatever files came in between). None when no
    snapshot precedes that election."""
    found = renewals(kind)
    latest = latest_snapshot(kind)
    if not found or latest is None or found[0][2].pk != latest.pk:
        return None
    return found[0][1], found[0][2]


def default_comparison(kind: str = SnapshotKind.MAIRES) -> tuple[Snapshot, Snapshot] | None:
    """What pages compare unless told otherwise: the renewal for the municipal kinds and the
    EPCI, else the last file against the one before it."""
    return renewal_comparison(kind) or latest_comparison(kind)


def renewal_reference() -> tuple[Snapshot, date] | None:
    """The mayors' renewal: its earlier snapshot, and the date before which having been mayor
    means « déjà maire » (the election across a renewal)."""
    pair = default_comparison(SnapshotKind.MAIRES)
    if pair is None:
        return None
    return pair[0], heads_cutoff(*pair)


_CHANGES: "OrderedDict[tuple, ChangeSet]" = OrderedDict()
_CHANGES_KEPT = 4
_CHANGES_LOCK = threading.Lock()


def identity_version() -> str:
    """Changes with every merge, split or undo of identities (they change who is « nouveau »):
    part of the keys of the comparisons kept in memory and of the renewal's counts."""
    found = IdentityOperation.objects.aggregate(
        count=Count("id"), done=Max("done_at"), undone=Max("undone_at")
    )
    return f"{found['count']}-{found['done']}-{found['undone']}"


def cached_changes(before: Snapshot, after: Snapshot) -> ChangeSet:
    """Snapshots never change once imported: their comparison is kept in the process's memory
    (a national comparison is tens of thousands of objects: unpickling it from a cache would
    take seconds), for the last few pairs asked."""
    key = (before.pk, before.imported_at, after.pk, after.imported_at, identity_version())
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
    election: date | None = None  # first round of the elections the renewal follows
    presidents: tuple[Snapshot, Snapshot] | None = None  # the EPCI councils compared
    new_presidents: int = 0
    re_elected_presidents: int = 0


def renewal_summary() -> Renewal | None:
    """Counts of the latest renewal, shared by all processes (warmed by `load-data`)."""
    pair = default_comparison()
    if pair is None:
        return None
    presidents = default_comparison(SnapshotKind.EPCI)
    key = "renewal:3:{}:{}:{}:{}".format(
        pair[0].pk,
        pair[1].pk,
        f"{presidents[0].pk}-{presidents[1].pk}" if presidents else "-",
        identity_version(),
    )
    summary = caches["shared"].get(key)
    if summary is None:
        summary = _renewal(pair, presidents)
        caches["shared"].set(key, summary, timeout=None)
    return summary


def _renewal(pair: tuple[Snapshot, Snapshot], presidents) -> Renewal:
    changes = cached_changes(*pair)
    counts = changes.counts()
    new = changes.of_type(ChangeType.NEW_MAYOR)
    election = election_before(pair[1].data_date)
    renewal = Renewal(
        before=pair[0],
        after=pair[1],
        new_mayors=counts.get(ChangeType.NEW_MAYOR, 0),
        first_time=counts.get(ChangeType.FIRST_TIME_MAYOR, 0),
        re_elected=counts.get(ChangeType.RE_ELECTED, 0),
        reported_communes=pair[1].covered_communes,
        women_new=sum(1 for c in new if c.person and c.person.sex == "F"),
        election=election if election and pair[0].data_date < election else None,
    )
    if presidents:
        counts = cached_changes(*presidents).counts()
        renewal.presidents = presidents
        renewal.new_presidents = counts.get(ChangeType.NEW_PRESIDENT, 0)
        renewal.re_elected_presidents = counts.get(ChangeType.RE_ELECTED, 0)
    return renewal
