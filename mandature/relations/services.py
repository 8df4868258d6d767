"""What the relationship pages show: search of officials, timelines, « Mon territoire »."""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from django.db import connection
from django.db.models import Q
from django.db.models.functions import Collate

from mandature.core.text import fold
from mandature.movement.scope import Scope
from mandature.officials.enums import ChangeType, SnapshotKind
from mandature.officials.models import Mandate, Person, SnapshotEntry, latest_snapshot
from mandature.officials.services import cached_changes, default_comparison
from mandature.territories.models import Commune, Epci

from .models import FollowUp, Interaction


def _key_range(prefix: str) -> Q:
    """match_key starting with prefix, as a range the search index answers."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(key__gte=prefix, key__lt=upper) if prefix else Q(pk__in=[])


def _key():
    collation = "C" if connection.vendor == "postgresql" else "BINARY"
    return Collate("match_key", collation)


@dataclass
class Found:
    person: Person
    mandates: list[Mandate] = field(default_factory=list)


def search_officials(scope: Scope, query: str, limit: int = 50) -> list[Found]:
    """Officials whose name starts with the query: « dupont », « dupont jean », « jean dupont »
    (accents and case ignored), inside the scope, with their mandates still in progress."""
    words = fold(query).split()
    if not words or sum(len(w) for w in words) < 2:
        return []
    prefixes = {"".join(words)}
    for cut in range(1, len(words)):
        last, first = "".join(words[:cut]), "".join(words[cut:])
        prefixes.add(f"{last}|{first}")
        prefixes.add(f"{first}|{last}")  # « jean dupont »
    condition = Q(pk__in=[])
    for prefix in prefixes:
        condition |= _key_range(prefix)
    persons = (
        Person.objects.annotate(key=_key())
        .filter(condition)
        .filter(scope.person_q())
        .order_by("last_name", "first_name", "pk")[:limit]
    )
    found = {p.pk: Found(p) for p in persons}
    mandates = (
        Mandate.objects.filter(person_id__in=found, end_date=None)
        .filter(scope.mandate_q())
        .select_related("commune", "epci", "departement", "region")
        .order_by("kind")
    )
    for mandate in mandates:
        found[mandate.person_id].mandates.append(mandate)
    return list(found.values())


# --- timelines ------------------------------------------------------------------------------
def person_timeline(person: Person):
    return (
        Interaction.objects.filter(persons=person)
        .select_related("organisation", "created_by", "commune", "epci")
        .prefetch_related("persons")
        .order_by("-date", "-created_at")
    )


def commune_timeline(commune: Commune):
    officials = Mandate.objects.filter(commune=commune).values("person_id")
    return (
        Interaction.objects.filter(Q(commune=commune) | Q(persons__in=officials))
        .distinct()
        .select_related("organisation", "created_by", "commune", "epci")
        .prefetch_related("persons")
        .order_by("-date", "-created_at")
    )


def epci_timeline(epci: Epci):
    officials = Mandate.objects.filter(epci=epci).values("person_id")
    return (
        Interaction.objects.filter(Q(epci=epci) | Q(commune__epci=epci) | Q(persons__in=officials))
        .distinct()
        .select_related("organisation", "created_by", "commune", "epci")
        .prefetch_related("persons")
        .order_by("-date", "-created_at")
    )


def visible_interactions(scope: Scope):
    """Interactions about a territory or an official in scope."""
    if scope.national:
        return Interaction.objects.all()
    return Interaction.objects.filter(
        Q(commune__in=Commune.objects.filter(scope.commune_q()))
        | Q(epci__in=Epci.objects.filter(scope.epci_q()))
        | Q(persons__in=Person.objects.filter(scope.person_q()))
    ).distinct()


# --- « Mon territoire » ----------------------------------------------------------------------
@dataclass
class Newcomer:
    change: object
    contacted: bool


@dataclass
class MyTerritory:
    new_mayors: list[Newcomer]
    new_presidents: list[Newcomer]
    not_contacted: int
    follow_ups: list[FollowUp]
    overdue: int
    recent: list[tuple[str, int]]  # (label of the change type, count)
    mayors_pair: tuple | None
    epci_pair: tuple | None


def _in_scope(scope: Scope, changes, epci_ids: set[str] | None):
    if scope.national:
        return list(changes)
    kept = []
    for change in changes:
        seat = change.seat
        if (
            seat.commune_id in scope.communes
            or seat.departement_id in scope.departements
            or seat.region_id in scope.regions
            or (epci_ids is not None and seat.epci_id in epci_ids)
        ):
            kept.append(change)
    return kept


def changes_in_scope(scope: Scope, changes):
    """The change set restricted to the seats in scope (the same object for all of France)."""
    if scope.national:
        return changes
    epci_ids = set(
        Commune.objects.filter(scope.commune_q())
        .exclude(epci=None)
        .values_list("epci_id", flat=True)
    )
    return replace(changes, changes=_in_scope(scope, changes.changes, epci_ids))


def _contacted(person_ids: list[int]) -> set[int]:
    through = Interaction.persons.through
    found = set()
    for start in range(0, len(person_ids), 5000):
        chunk = person_ids[start : start + 5000]
        found |= set(
            through.objects.filter(person_id__in=chunk).values_list("person_id", flat=True)
        )
    return found


def my_territory(user, scope: Scope, today: date | None = None) -> MyTerritory:
    today = today or date.today()
    mayors_pair = default_comparison(SnapshotKind.MAIRES)
    epci_pair = default_comparison(SnapshotKind.EPCI)
    epci_ids = None
    if not scope.national:
        epci_ids = set(
            Commune.objects.filter(scope.commune_q())
            .exclude(epci=None)
            .values_list("epci_id", flat=True)
        )
    mayors, presidents, recent = [], [], {}
    if mayors_pair:
        changes = cached_changes(*mayors_pair)
        mine = _in_scope(scope, changes.changes, epci_ids)
        mayors = [c for c in mine if c.type in (ChangeType.NEW_MAYOR, ChangeType.FIRST_TIME_MAYOR)]
        for change in mine:
            recent[change.type] = recent.get(change.type, 0) + 1
    if epci_pair:
        changes = cached_changes(*epci_pair)
        presidents = [
            c
            for c in _in_scope(scope, changes.changes, epci_ids)
            if c.type == ChangeType.NEW_PRESIDENT
        ]
    ids = [c.person.pk for c in mayors + presidents if c.person]
    contacted = _contacted(ids)
    new_mayors = [Newcomer(c, c.person is not None and c.person.pk in contacted) for c in mayors]
    new_presidents = [
        Newcomer(c, c.person is not None and c.person.pk in contacted) for c in presidents
    ]
    follow_ups = list(
        FollowUp.objects.filter(assignee=user, done_at=None)
        .select_related("person")
        .order_by("due_date")[:20]
    )
    return MyTerritory(
        new_mayors=new_mayors,
        new_presidents=new_presidents,
        not_contacted=sum(not n.contacted for n in new_mayors + new_presidents),
        follow_ups=follow_ups,
        overdue=sum(f.due_date < today for f in follow_ups),
        recent=[(ChangeType(t).label, n) for t, n in sorted(recent.items())],
        mayors_pair=mayors_pair,
        epci_pair=epci_pair,
    )


def due_reminders(today: date | None = None, days_ahead: int = 1):
    """Open follow-ups due by tomorrow whose assignee has not been reminded today."""
    today = today or date.today()
    return (
        FollowUp.objects.filter(done_at=None, due_date__lte=today + timedelta(days=days_ahead))
        .exclude(reminded_on=today)
        .select_related("assignee", "person")
        .order_by("assignee_id", "due_date")
    )


def current_entries(person: Person):
    """The person's seats in the latest snapshot of each kind (function, territory)."""
    entries = []
    for entry in (
        SnapshotEntry.objects.filter(person=person)
        .select_related("snapshot", "mandate", "commune")
        .order_by("-snapshot__data_date")
    ):
        if entry.snapshot == latest_snapshot(entry.snapshot.kind):
            entries.append(entry)
    return entries
