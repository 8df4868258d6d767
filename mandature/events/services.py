"""What happens to an event: personal links, answers, seats and the waiting list (never more
seats taken than the session has, even when two people take the last one at the same moment),
check-in at the door, statistics and the electoral-period check."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from mandature.compliance.enums import Audience, CommunicationKind
from mandature.compliance.rules import check as compliance_check
from mandature.compliance.territory import Territory, TerritoryError, parse_territory
from mandature.core.french import long_date
from mandature.core.models import audit
from mandature.core.text import fold
from mandature.relations.enums import InteractionKind, Source
from mandature.relations.models import Interaction

from .models import Event, Invitation, Registration, Session

SALT = "events.invitation"


class AnswerError(ValueError):
    """An answer the event cannot take, in French, with the field it concerns."""

    def __init__(self, message: str, field_name: str = ""):
        super().__init__(message)
        self.field = field_name


# --- personal links ---------------------------------------------------------------------------
def link_days() -> int:
    return getattr(settings, "EVENT_LINK_DAYS", 365)


def invitation_token(invitation: Invitation) -> str:
    return TimestampSigner(salt=SALT).sign(format(invitation.pk, "x"))


def invitation_link(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("web:rsvp", args=[invitation_token(invitation)])


def invitation_from_token(token: str) -> tuple[Invitation | None, str]:
    """The invitation of a personal link, or None and why: « invalid » (altered or unknown)
    or « expired » (older than EVENT_LINK_DAYS)."""
    signer = TimestampSigner(salt=SALT)
    try:
        value = signer.unsign(token, max_age=timedelta(days=link_days()))
    except SignatureExpired:
        return None, "expired"
    except BadSignature:
        return None, "invalid"
    try:
        pk = int(value, 16)
    except ValueError:
        return None, "invalid"
    invitation = (
        Invitation.objects.select_related("event__organisation", "commune")
        .prefetch_related("event__sessions")  # the page reads them four times
        .filter(pk=pk)
        .first()
    )
    return (invitation, "") if invitation else (None, "invalid")


def name_key(*parts: str) -> str:
    return " ".join(fold(part) for part in parts if part)


def invitations_for(campaign, recipients) -> dict[int, Invitation]:
    """The invitations of an invitation campaign's recipients (person → invitation), made once:
    an official invited again by a second campaign keeps their first invitation and answer."""
    event = campaign.event
    persons = [r.person_id for r in recipients if r.person_id]
    found = {i.person_id: i for i in Invitation.objects.filter(event=event, person__in=persons)}
    new = [
        Invitation(
            event=event,
            person_id=r.person_id,
            commune_id=r.commune_id,
            campaign=campaign,
            name=r.name,
            function=r.values.get("fonction") or "",
            email=r.email,
            search_name=name_key(r.name),
        )
        for r in recipients
        if r.person_id and r.person_id not in found
    ]
    Invitation.objects.bulk_create(new, batch_size=2000)
    if new:  # bulk_create sets the keys on PostgreSQL and SQLite ≥ 3.35 alike; read back to be sure
        found.update(
            (i.person_id, i) for i in Invitation.objects.filter(event=event, person__in=persons)
        )
    return found


# --- registration window ------------------------------------------------------------------------
def closed_reason(event: Event, now: datetime | None = None) -> str:
    """Why the event takes no answer now, or ""."""
    now = now or timezone.now()
    last = max((s.ends_at for s in event.sessions.all()), default=None)  # prefetched or not
    if last is not None and last < now:
        return "Cet événement a eu lieu : les réponses sont closes."
    if event.registration_opens and now < event.registration_opens:
        opens = long_date(timezone.localdate(event.registration_opens))
        return f"Les inscriptions ouvrent le {opens}."
    if event.registration_closes and now > event.registration_closes:
        return "Les inscriptions sont closes."
    return ""


# --- seats --------------------------------------------------------------------------------------
@dataclass
class Outcome:
    session: Session
    status: str  # a Registration.Status, or "" when nothing is held
    message: str
    registration: Registration | None = None


def locked(session: Session) -> Session:
    """The session's row, locked until the end of the transaction: on PostgreSQL a row lock
    (SELECT … FOR UPDATE); SQLite runs its write transactions one at a time (IMMEDIATE)."""
    return Session.objects.select_for_update().get(pk=session.pk)


def seats_taken(session: Session, exclude: int | None = None) -> int:
    rows = session.registrations.filter(status=Registration.Status.CONFIRMED)
    if exclude:
        rows = rows.exclude(pk=exclude)
    return rows.aggregate(n=Sum("seats"))["n"] or 0


def book(
    invitation: Invitation,
    session: Session,
    *,
    seats: int = 1,
    slot: datetime | None = None,
    mails: list | None = None,
) -> Outcome:
    """Take a seat (or the chosen slot) in the session for this invitation, or a place on the
    waiting list when the session is full. Must run inside a transaction."""
    session = locked(session)
    now = timezone.now()
    registration = Registration.objects.filter(invitation=invitation, session=session).first()
    if session.has_slots:
        if slot is None or slot not in session.slots():
            raise AnswerError(
                f"Choisissez un créneau pour « {session.title} ».", f"slot_{session.pk}"
            )
        taken = session.registrations.filter(
            status=Registration.Status.CONFIRMED, slot_start=slot
        ).exclude(invitation=invitation)
        if taken.exists():
            raise AnswerError(
                f"Le créneau de {timezone.localtime(slot):%H:%M} vient d'être pris : "
                "choisissez-en un autre.",
                f"slot_{session.pk}",
            )
        if registration is None:
            registration = Registration(invitation=invitation, session=session)
        changed = (
            registration.status != Registration.Status.CONFIRMED or registration.slot_start != slot
        )
        registration.status, registration.slot_start, registration.seats = (
            Registration.Status.CONFIRMED,
            slot,
            1,
        )
        registration.confirmed_at = registration.confirmed_at if not changed else now
        registration.cancelled_at = None
        registration.save()
        if changed and mails is not None:
            mails.append((registration.pk, "confirmed"))
        return Outcome(
            session,
            registration.status,
            f"Rendez-vous confirmé à {timezone.localtime(slot):%H:%M}.",
            registration,
        )
    if registration is not None and registration.status == Registration.Status.CONFIRMED:
        if seats != registration.seats:
            free = _free(session, exclude=registration.pk)
            if free is None or seats <= free:
                fewer = seats < registration.seats
                registration.seats = seats
                registration.save(update_fields=["seats"])
                if fewer:
                    promote(session, mails)
            else:
                return Outcome(
                    session,
                    registration.status,
                    "Votre place est confirmée, mais la séance est complète : "
                    "pas de place pour un accompagnant.",
                    registration,
                )
        return Outcome(session, registration.status, "Votre place est confirmée.", registration)
    if registration is not None and registration.status == Registration.Status.WAITING:
        registration.seats = seats
        registration.save(update_fields=["seats"])
        promote(session, mails)
        registration.refresh_from_db()
        if registration.status == Registration.Status.WAITING:
            return Outcome(
                session, registration.status, _waiting_message(registration), registration
            )
        return Outcome(
            session, registration.status, "Une place s'est libérée : elle est à vous.", registration
        )
    free = _free(session)
    registration = registration or Registration(invitation=invitation, session=session)
    registration.seats = seats
    registration.cancelled_at = None
    waiting_ahead = session.registrations.filter(status=Registration.Status.WAITING).exists()
    if (free is None or seats <= free) and not waiting_ahead:
        registration.status, registration.confirmed_at = Registration.Status.CONFIRMED, now
        registration.save()
        if mails is not None:
            mails.append((registration.pk, "confirmed"))
        return Outcome(session, registration.status, "Votre place est confirmée.", registration)
    registration.status, registration.waiting_since = Registration.Status.WAITING, now
    registration.save()
    if mails is not None:
        mails.append((registration.pk, "waiting"))
    return Outcome(
        session,
        registration.status,
        "La séance est complète : vous êtes sur la liste d'attente. "
        + _waiting_message(registration),
        registration,
    )


def _free(session: Session, exclude: int | None = None) -> int | None:
    if session.capacity is None:
        return None
    return max(session.capacity - seats_taken(session, exclude), 0)


def _waiting_message(registration: Registration) -> str:
    ahead = registration.session.registrations.filter(
        status=Registration.Status.WAITING, waiting_since__lt=registration.waiting_since
    ).count()
    return (
        f"Vous êtes {'le premier' if not ahead else f'n° {ahead + 1}'} sur la liste "
        "d'attente ; un courriel vous préviendra si une place se libère."
    )


def cancel(registration: Registration, mails: list | None = None) -> bool:
    """Give the seat back (inside a transaction); the waiting list moves up."""
    session = locked(registration.session)
    registration.refresh_from_db()
    if registration.status == Registration.Status.CANCELLED:
        return False
    was_confirmed = registration.status == Registration.Status.CONFIRMED
    registration.status, registration.cancelled_at = Registration.Status.CANCELLED, timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    if mails is not None and was_confirmed:
        mails.append((registration.pk, "cancelled"))
    if was_confirmed:
        promote(session, mails)
    return True


def promote(session: Session, mails: list | None = None) -> list[Registration]:
    """Seats freed: the waiting list, first come first served, takes them (inside a
    transaction holding the session's lock)."""
    promoted = []
    if session.has_slots:
        return promoted
    for registration in session.registrations.filter(status=Registration.Status.WAITING).order_by(
        "waiting_since", "pk"
    ):
        free = _free(session)
        if free is not None and registration.seats > free:
            break
        now = timezone.now()
        registration.status = Registration.Status.CONFIRMED
        registration.confirmed_at = registration.promoted_at = now
        registration.save(update_fields=["status", "confirmed_at", "promoted_at"])
        promoted.append(registration)
        if mails is not None:
            mails.append((registration.pk, "promoted"))
    return promoted


def send_mails(mails: list) -> None:
    """After the commit: the emails the answer caused (confirmation, waiting list, promotion)."""
    # imported here: the task builds its email with mail.py, which reads this module
    from .tasks import send_event_mail

    for registration_id, kind in mails:
        transaction.on_commit(lambda r=registration_id, k=kind: send_event_mail.enqueue(r, k))


# --- answers ------------------------------------------------------------------------------------
@dataclass
class AnswerData:
    answer: str
    sessions: list[int] = field(default_factory=list)
    slots: dict[int, datetime] = field(default_factory=dict)
    companion: str = ""
    companion_name: str = ""
    companion_function: str = ""
    companion_email: str = ""
    accessibility: str = ""
    answers: dict = field(default_factory=dict)


def record_answer(invitation: Invitation, data: AnswerData, *, user=None) -> list[Outcome]:
    """Record (or change) an answer: yes takes a seat in each chosen session, no or maybe gives
    back those held. Atomic: an answer that cannot be taken changes nothing."""
    mails: list = []
    outcomes = []
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        sessions = list(invitation.event.sessions.all())
        chosen = set(data.sessions) if data.answer == Invitation.Answer.YES else set()
        if data.answer == Invitation.Answer.YES and not chosen:
            raise AnswerError("Choisissez au moins une séance.", "sessions")
        seats = 2 if data.companion == Invitation.Companion.WITH and data.companion_name else 1
        for session in sessions:
            registration = invitation.registrations.filter(session=session).first()
            if session.pk in chosen:
                outcomes.append(
                    book(
                        invitation,
                        session,
                        seats=seats,
                        slot=data.slots.get(session.pk),
                        mails=mails,
                    )
                )
            elif registration is not None and cancel(registration, mails):
                outcomes.append(Outcome(session, "", "Inscription annulée.", registration))
        invitation.answer = data.answer
        invitation.answered_at = timezone.now()
        for name in (
            "companion",
            "companion_name",
            "companion_function",
            "companion_email",
            "accessibility",
            "answers",
        ):
            setattr(invitation, name, getattr(data, name))
        if not invitation.companion_name:
            invitation.companion = ""
        invitation.search_name = name_key(invitation.name, invitation.companion_name)
        invitation.save()
        send_mails(mails)

    audit(
        "réponse à une invitation",
        "web",
        user,
        event=invitation.event_id,
        invitation=invitation.pk,
        answer=data.answer,
    )
    return outcomes


def public_request(
    event: Event, *, name: str, email: str, function: str, data: AnswerData
) -> tuple[Invitation, bool]:
    """The public form: a request to register, waiting for the organiser's approval. Sending
    it again with the same address updates the first request (returns created=False)."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(event=event, source=Invitation.Source.PUBLIC, email__iexact=email)
            .first()
        )
        created = invitation is None
        if created:
            invitation = Invitation(
                event=event,
                source=Invitation.Source.PUBLIC,
                approval=Invitation.Approval.PENDING,
                email=email,
            )
        invitation.name, invitation.function = name, function
        invitation.search_name = name_key(name)
        invitation.save()
        pending = invitation.approval != Invitation.Approval.APPROVED
        if pending:  # the choices are kept; seats are taken at approval
            invitation.answer = Invitation.Answer.YES
            invitation.answers = {**data.answers, "_sessions": data.sessions}
            for name_ in (
                "companion",
                "companion_name",
                "companion_function",
                "companion_email",
                "accessibility",
            ):
                setattr(invitation, name_, getattr(data, name_))
            invitation.answered_at = timezone.now()
            invitation.save()
    if not pending:
        record_answer(invitation, data)
    return invitation, created


def approve(invitation: Invitation, user, accept: bool) -> list[Outcome]:
    if invitation.approval != Invitation.Approval.PENDING:
        return []
    audit(
        "inscription publique " + ("acceptée" if accept else "refusée"),
        "web",
        user,
        event=invitation.event_id,
        invitation=invitation.pk,
    )
    if not accept:
        Invitation.objects.filter(pk=invitation.pk).update(approval=Invitation.Approval.REJECTED)
        return []
    Invitation.objects.filter(pk=invitation.pk).update(approval=Invitation.Approval.APPROVED)
    answers = dict(invitation.answers)
    sessions = [int(s) for s in answers.pop("_sessions", [])]
    data = AnswerData(
        answer=Invitation.Answer.YES,
        sessions=sessions,
        companion=invitation.companion,
        companion_name=invitation.companion_name,
        companion_function=invitation.companion_function,
        companion_email=invitation.companion_email,
        accessibility=invitation.accessibility,
        answers=answers,
    )
    return record_answer(invitation, data, user=user)


# --- check-in -----------------------------------------------------------------------------------
def check_in(registration: Registration, user) -> tuple[bool, str]:
    """Mark the person present (once) and write the attendance on the official's timeline."""
    if registration.status != Registration.Status.CONFIRMED:
        return (
            False,
            f"{registration.invitation.attendee} n'a pas de place confirmée "
            f"({registration.get_status_display()}).",
        )
    with transaction.atomic():
        now = timezone.now()
        updated = Registration.objects.filter(pk=registration.pk, checked_in_at=None).update(
            checked_in_at=now, checked_in_by=user
        )
        if not updated:
            registration.refresh_from_db()
            at = timezone.localtime(registration.checked_in_at)
            return False, f"{registration.invitation.attendee} est déjà arrivé(e) à {at:%H:%M}."
        invitation, session = registration.invitation, registration.session
        if invitation.person_id:
            event = session.event
            interaction = Interaction.objects.create(
                kind=InteractionKind.EVENT,
                date=timezone.localdate(now),
                commune_id=invitation.commune_id,
                organisation_id=event.organisation_id,
                summary=f"Présence à « {event.title} » ({session.title})"
                + (
                    f", représenté(e) par {invitation.companion_name}"
                    if invitation.companion == Invitation.Companion.INSTEAD
                    else ""
                ),
                source=Source.EVENT,
                created_by=user,
            )
            interaction.persons.add(invitation.person_id)
            Registration.objects.filter(pk=registration.pk).update(interaction=interaction)
    registration.checked_in_at = now
    return True, f"{registration.invitation.attendee} : arrivée enregistrée."


def undo_check_in(registration: Registration) -> None:
    with transaction.atomic():
        if registration.interaction_id:
            Interaction.objects.filter(pk=registration.interaction_id).delete()
        Registration.objects.filter(pk=registration.pk).update(
            checked_in_at=None, checked_in_by=None, interaction=None
        )


def lookup(
    event: Event,
    query: str,
    session: Session | None = None,
    limit: int = 20,
    within: Q | None = None,
):
    """Registrations of the event matching a badge code or words of a name, among those
    `within` (the viewer's scope: `Scope.invitation_q("invitation__")`)."""
    rows = (
        Registration.objects.filter(session__event=event)
        .filter(within or Q())
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("invitation", "session")
    )
    if session is not None:
        rows = rows.filter(session=session)
    text = query.strip()
    if not text:
        return []
    code = text.upper().removeprefix("MANDATURE:")
    exact = list(rows.filter(code=code)[:1])
    if exact:
        return exact
    for word in fold(text).split()[:4]:
        rows = rows.filter(invitation__search_name__contains=word)
    return list(rows.order_by("invitation__name", "session__starts_at")[:limit])


# --- statistics ---------------------------------------------------------------------------------
STAT_KEYS = (
    "invited",
    "answered",
    "yes",
    "maybe",
    "no",
    "pending_approval",
    "registered",
    "waiting",
    "attended",
)


def stats(events) -> dict[int, dict[str, int]]:
    """Per event: invited, answered (yes / maybe / no), registered, waiting, attended."""
    ids = [e.pk for e in events]
    result = {pk: dict.fromkeys(STAT_KEYS, 0) for pk in ids}
    invitations = (
        Invitation.objects.filter(event__in=ids)
        .values("event_id")
        .annotate(
            invited=Count("pk", filter=Q(source=Invitation.Source.INVITATION)),
            answered=Count(
                "pk",
                filter=~Q(answer=Invitation.Answer.PENDING)
                & Q(approval=Invitation.Approval.APPROVED),
            ),
            yes=Count("pk", filter=Q(answer="yes", approval=Invitation.Approval.APPROVED)),
            maybe=Count("pk", filter=Q(answer="maybe")),
            no=Count("pk", filter=Q(answer="no")),
            pending_approval=Count("pk", filter=Q(approval=Invitation.Approval.PENDING)),
        )
    )
    for row in invitations:
        result[row.pop("event_id")].update(row)
    people = (
        Invitation.objects.filter(event__in=ids)
        .values("event_id")
        .annotate(
            registered=Count("pk", filter=Q(registrations__status="confirmed"), distinct=True),
            waiting=Count("pk", filter=Q(registrations__status="waiting"), distinct=True),
            attended=Count(
                "pk", filter=Q(registrations__checked_in_at__isnull=False), distinct=True
            ),
        )
    )
    for row in people:
        result[row.pop("event_id")].update(row)
    return result


def full_sessions(event: Event) -> set[int]:
    """The sessions with a capacity whose seats are all taken (slots are offered one by one)."""
    limited = {
        s.pk: s.capacity for s in event.sessions.all() if s.capacity is not None and not s.has_slots
    }
    if not limited:
        return set()
    taken = dict(
        Registration.objects.filter(session__in=limited, status=Registration.Status.CONFIRMED)
        .values_list("session_id")
        .annotate(n=Sum("seats"))
    )
    return {pk for pk, capacity in limited.items() if taken.get(pk, 0) >= capacity}


def session_stats(event: Event) -> list[dict]:
    rows = []
    for session in event.sessions.annotate(
        confirmed=Count("registrations", filter=Q(registrations__status="confirmed")),
        seats=Sum("registrations__seats", filter=Q(registrations__status="confirmed")),
        waiting=Count("registrations", filter=Q(registrations__status="waiting")),
        attended=Count("registrations", filter=Q(registrations__checked_in_at__isnull=False)),
    ):
        capacity = len(session.slots()) if session.has_slots else session.capacity
        rows.append(
            {
                "session": session,
                "confirmed": session.confirmed,
                "seats": session.seats or 0,
                "waiting": session.waiting,
                "attended": session.attended,
                "capacity": capacity,
                "full": capacity is not None and (session.seats or 0) >= capacity,
            }
        )
    return rows


def by_departement(event: Event) -> list[dict]:
    """The figures of the event per département of the invitees' communes."""
    rows = (
        Invitation.objects.filter(event=event)
        .values("commune__departement_id", "commune__departement__name")
        .annotate(
            invited=Count("pk", distinct=True),
            answered=Count("pk", filter=~Q(answer="pending"), distinct=True),
            registered=Count("pk", filter=Q(registrations__status="confirmed"), distinct=True),
            attended=Count(
                "pk", filter=Q(registrations__checked_in_at__isnull=False), distinct=True
            ),
        )
        .order_by("commune__departement_id")
    )
    return list(rows)


# --- the electoral-period check -------------------------------------------------------------
def territory(event: Event) -> Territory:
    """The territory the event addresses: its audience's territory (the segment's filter), else
    the commune of its venue, else France."""
    spec = ""
    if event.segment_id and event.segment.filters.get("territory"):
        spec = event.segment.filters["territory"]
    elif event.commune_id:
        spec = f"commune:{event.commune_id}"
    try:
        return parse_territory(spec or "france")
    except TerritoryError:
        return parse_territory("france")


def electoral_check(event: Event):
    sessions = list(event.sessions.all())
    if sessions:
        start = min(timezone.localdate(s.starts_at) for s in sessions)
        end = max(timezone.localdate(s.ends_at) for s in sessions)
    else:
        start = end = timezone.localdate()
    return compliance_check(
        CommunicationKind.INVITATION, start, end, territory(event), Audience.ELECTED
    )
