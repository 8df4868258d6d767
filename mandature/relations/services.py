"""What the relationship pages show: search of officials, timelines, « Mon territoire »."""

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from django.db import connection
from django.db.models import Prefetch, Q
from django.db.models.functions import Collate

from mandature.core.text import fold
from mandature.movement.scope import Scope
from mandature.officials.enums import ChangeType, SnapshotKind
from mandature.officials.models import Mandate, Person, PersonAlias, SnapshotEntry
from mandature.officials.services import cached_changes, default_comparison, freshness
from mandature.territories.models import Commune, Epci

from .models import FollowUp, Interaction


def _key_range(prefix: str) -> Q:
    """match_key starting with prefix, as a range the search index answers."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(key__gte=prefix, key__lt=upper) if prefix else Q(pk__in=[])


def _key():
    collation = "C" if connection.vendor == "postgresql" else "BINARY"
    return Collate("match_key", collation)


SEARCH_BATCH = 500
SEARCH_SCAN = 20_000  # names read at most to fill a page of results inside a small territory


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
    # Former spellings (« GREGOIRE » before « GRÉGOIRE-DUVAL »): few, through their own index.
    former = set(
        PersonAlias.objects.annotate(key=_key())
        .filter(condition)
        .values_list("person_id", flat=True)[:limit]
    )
    if former:
        condition |= Q(pk__in=former)
    candidates = Person.objects.annotate(key=_key()).filter(condition).order_by("key")
    if scope.national:
        persons = list(candidates[:limit])
    else:
        # By batches in name order, each checked against the scope with the batch's ids: a
        # subquery over every mandate of a région costs SQLite a scan per search.
        persons, start = [], 0
        while len(persons) < limit and start < SEARCH_SCAN:
            batch = list(candidates[start : start + SEARCH_BATCH])
            if not batch:
                break
            allowed = set(
                Mandate.objects.filter(person_id__in=[p.pk for p in batch])
                .filter(scope.mandate_q())
                .values_list("person_id", flat=True)
            )
            persons += [p for p in batch if p.pk in allowed]
            start += SEARCH_BATCH
        persons = persons[:limit]
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
def _timeline(interactions, scope: Scope | None):
    """The exchanges, each with the officials it names of the viewer's `scope` (an exchange in
    scope may also be with officials outside it: they are not listed)."""
    persons = Person.objects.filter(scope.person_q()) if scope else Person.objects.all()
    return (
        interactions.select_related("organisation", "created_by", "commune", "epci")
        .prefetch_related(Prefetch("persons", persons))
        .order_by("-date", "-created_at")
    )


def person_timeline(person: Person, scope: Scope | None = None):
    return _timeline(Interaction.objects.filter(persons=person), scope)


def _with_officials(officials) -> Q:
    """Interactions with one of these officials: a semi-join, not a join made distinct (which
    costs PostgreSQL more to plan than to run, on every commune page)."""
    links = Interaction.persons.through.objects.filter(person_id__in=officials)
    return Q(pk__in=links.values("interaction_id"))


def commune_timeline(commune: Commune, scope: Scope | None = None):
    officials = Mandate.objects.filter(commune=commune).values("person_id")
    return _timeline(
        Interaction.objects.filter(Q(commune=commune) | _with_officials(officials)), scope
    )


def epci_timeline(epci: Epci, scope: Scope | None = None):
    officials = Mandate.objects.filter(epci=epci).values("person_id")
    about = Q(epci=epci) | Q(commune__epci=epci) | _with_officials(officials)
    return _timeline(Interaction.objects.filter(about), scope)


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


SHOWN = 100  # new mayors listed on the page, not yet contacted first


@dataclass
class MyTerritory:
    new_mayors: list[Newcomer]  # the first SHOWN
    new_mayor_count: int
    new_presidents: list[Newcomer]
    not_contacted: int
    follow_ups: list[FollowUp]
    overdue: int
    recent: list[tuple[str, int]]  # (label of the change type, count)
    mayors_pair: tuple | None
    epci_pair: tuple | None
    waiting: list = field(default_factory=list)  # new mayors not contacted yet (changes)
    seen: list = field(default_factory=list)  # and those contacted

    @property
    def everyone(self) -> list[Newcomer]:
        """Every new mayor, not contacted first (the download; the page shows SHOWN)."""
        return [Newcomer(c, False) for c in self.waiting] + [Newcomer(c, True) for c in self.seen]


def _index(changes: list) -> dict:
    """Positions of the changes by commune, département, région and EPCI of their seat, built
    once per change list (change sets are kept in memory, see officials.services)."""
    key = id(changes)
    cached = _INDEXES.get(key)
    if cached is not None and cached[0] is changes:
        return cached[1]
    index: dict[tuple[str, str], list[int]] = {}
    for position, change in enumerate(changes):
        index.setdefault(("t", change.type), []).append(position)
        seat = change.seat
        for kind, code in (
            ("c", seat.commune_id),
            ("d", seat.departement_id),
            ("r", seat.region_id),
            ("e", seat.epci_id),
        ):
            if code:
                index.setdefault((kind, code), []).append(position)
    if len(_INDEXES) > 8:
        _INDEXES.clear()
    _INDEXES[key] = (changes, index)
    return index


_INDEXES: dict[int, tuple[list, dict]] = {}


def _in_scope(scope: Scope, changes: list, types: tuple[str, ...] = ()) -> list:
    """The changes whose seat is in scope (and of these types, if given), in their order."""
    index = _index(changes)
    wanted = None
    if types:
        wanted = set()
        for change_type in types:
            wanted.update(index.get(("t", change_type), ()))
        if scope.national:
            return [changes[p] for p in sorted(wanted)]
    elif scope.national:
        return list(changes)
    positions: set[int] = set()
    for kind, codes in (
        ("c", scope.communes),
        ("d", scope.departements),
        ("r", scope.regions),
        ("e", scope.epci_codes or ()),
    ):
        for code in codes:
            positions.update(index.get((kind, code), ()))
    if wanted is not None:
        positions &= wanted
    return [changes[p] for p in sorted(positions)]


def changes_in_scope(scope: Scope, changes):
    """The change set restricted to the seats in scope (the same object for all of France)."""
    if scope.national:
        return changes
    return replace(changes, changes=_in_scope(scope, changes.changes))


def _contacted(person_ids: list[int]) -> set[int]:
    """Those of the persons with at least one interaction. The interactions' persons are read
    whole (one column, a few thousand rows a year): a query with 15,000 ids in a list costs more
    to build than to run."""
    through = Interaction.persons.through
    everyone = set(through.objects.values_list("person_id", flat=True).distinct())
    return everyone.intersection(person_ids)


RENEWAL_LINES = [  # what « Mon territoire » counts of the mayors' renewal, in this order
    ("nouveaux maires", (ChangeType.NEW_MAYOR, ChangeType.FIRST_TIME_MAYOR)),
    ("dont premier mandat de maire", (ChangeType.FIRST_TIME_MAYOR,)),
    ("maires réélus", (ChangeType.RE_ELECTED,)),
    ("départs", (ChangeType.DEPARTED,)),
    ("changements de fonction", (ChangeType.FUNCTION_CHANGE,)),
]


def _renewal_lines(counted: dict[str, int]) -> list[tuple[str, int]]:
    lines = [(label, sum(counted.get(t, 0) for t in types)) for label, types in RENEWAL_LINES]
    return [(label, count) for label, count in lines if count]


def my_territory(user, scope: Scope, today: date | None = None) -> MyTerritory:
    today = today or date.today()
    mayors_pair = default_comparison(SnapshotKind.MAIRES)
    epci_pair = default_comparison(SnapshotKind.EPCI)
    mayors, presidents, recent = [], [], {}
    if mayors_pair:
        changes = cached_changes(*mayors_pair).changes
        new_types = (ChangeType.NEW_MAYOR, ChangeType.FIRST_TIME_MAYOR)
        mayors = _in_scope(scope, changes, new_types)
        if scope.national:
            index = _index(changes)
            counted = {t: len(index.get(("t", t), ())) for t in ChangeType.values}
        else:
            counted = Counter(c.type for c in _in_scope(scope, changes))
        recent = {t: n for t, n in counted.items() if n}
    if epci_pair:
        changes = cached_changes(*epci_pair).changes
        presidents = _in_scope(scope, changes, (ChangeType.NEW_PRESIDENT,))
    contacted = _contacted([c.seat.person_id for c in mayors + presidents])
    waiting = [c for c in mayors if c.seat.person_id not in contacted]
    seen = [c for c in mayors if c.seat.person_id in contacted]
    # Not yet contacted first; the page shows the first SHOWN.
    new_mayors = [Newcomer(c, False) for c in waiting[:SHOWN]]
    new_mayors += [Newcomer(c, True) for c in seen[: SHOWN - len(new_mayors)]]
    new_presidents = [Newcomer(c, c.seat.person_id in contacted) for c in presidents]
    follow_ups = list(
        FollowUp.objects.filter(assignee=user, done_at=None)
        .filter(scope.shared_q())  # a task about an official outside the user's scope: not here
        .select_related("person")
        .order_by("due_date")[:20]
    )
    return MyTerritory(
        new_mayors=new_mayors,
        new_presidents=new_presidents,
        new_mayor_count=len(mayors),
        not_contacted=len(waiting) + sum(not n.contacted for n in new_presidents),
        follow_ups=follow_ups,
        overdue=sum(f.due_date < today for f in follow_ups),
        recent=_renewal_lines(recent),
        mayors_pair=mayors_pair,
        epci_pair=epci_pair,
        waiting=waiting,
        seen=seen,
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
    latest = [snapshot.pk for snapshot in freshness()]
    return list(
        SnapshotEntry.objects.filter(person=person, snapshot_id__in=latest)
        .select_related("snapshot", "mandate", "commune")
        .order_by("-snapshot__data_date", "pk")
    )
