"""The emails of an event: confirmation (with the event as an iCalendar file, RFC 5545, times in
Europe/Paris), waiting list, promotion from the waiting list, cancellation, reminders seven days
and one day before. Sent from the organising organisation's identity (campaign settings)."""

from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

from mandature.core.french import long_date
from mandature.core.mail import Attachment, Identity, compose
from mandature.core.smtp import send_message

from .models import Registration
from .services import invitation_link

PARIS = ZoneInfo("Europe/Paris")


def when(session) -> str:
    """« le 23 novembre 2026 de 9 h 30 à 11 h » (Paris time)."""
    start, end = (
        timezone.localtime(session.starts_at, PARIS),
        timezone.localtime(session.ends_at, PARIS),
    )

    def hour(value: datetime) -> str:
        return f"{value.hour} h {value.minute:02d}" if value.minute else f"{value.hour} h"

    if start.date() == end.date():
        return f"le {long_date(start.date())} de {hour(start)} à {hour(end)}"
    return f"du {long_date(start.date())} à {hour(start)} au {long_date(end.date())} à {hour(end)}"


def slot_text(registration: Registration) -> str:
    if registration.slot_start is None:
        return ""
    return f"{timezone.localtime(registration.slot_start, PARIS):%H:%M}".replace(":", " h ")


def ics(registration: Registration, *, cancelled: bool = False) -> bytes:
    """The registration as an iCalendar file: one VEVENT (the session, or the 20-minute slot),
    with the Europe/Paris VTIMEZONE."""
    session, invitation = registration.session, registration.invitation
    event = session.event
    start, end = session.starts_at, session.ends_at
    if registration.slot_start is not None:
        start = registration.slot_start
        end = start + timedelta(minutes=session.slot_minutes)
    calendar = Calendar()
    calendar.add("prodid", "-//Mandature//Evenements//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    vevent = VEvent()
    host = settings.SITE_URL.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "mandature"
    vevent.add("uid", f"inscription-{registration.pk}@{host}")
    vevent.add("dtstamp", timezone.now().astimezone(ZoneInfo("UTC")))
    vevent.add("dtstart", start.astimezone(PARIS))
    vevent.add("dtend", end.astimezone(PARIS))
    vevent.add("summary", f"{event.title} — {session.title}")
    place = event.online_url or ", ".join(
        part for part in (event.venue, " ".join(event.address.split())) if part
    )
    if place:
        vevent.add("location", place)
    description = [event.description.strip()] if event.description.strip() else []
    if event.online_url:
        description.append(f"Lien de connexion : {event.online_url}")
    description.append(f"Code d'accueil : {registration.code}")
    vevent.add("description", "\n\n".join(description))
    if invitation.pk:
        vevent.add("url", invitation_link(invitation))
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("sequence", 1 if cancelled else 0)
    calendar.add_component(vevent)
    calendar.add_missing_timezones()
    return calendar.to_ical()


SUBJECTS = {
    "confirmed": "Inscription confirmée : {title}",
    "waiting": "Liste d'attente : {title}",
    "promoted": "Une place s'est libérée : {title}",
    "cancelled": "Inscription annulée : {title}",
    "week": "Rappel : {title}, dans une semaine",
    "day": "Rappel : {title}, demain",
}


def build(registration: Registration, kind: str) -> EmailMessage | None:
    """The email of this kind for this registration, or None (no address)."""
    invitation, session = registration.invitation, registration.session
    event = session.event
    to = [a for a in (invitation.email,) if a]
    if invitation.companion and invitation.companion_email:  # instead of, or with, the invitee
        to.append(invitation.companion_email)
    if not to:
        return None
    place = (
        f"En ligne : {event.online_url}"
        if event.online_url
        else "\n".join(p for p in (event.venue, event.address.strip()) if p)
    )
    slot = slot_text(registration)
    moment = f"{when(session)}" + (f", rendez-vous à {slot}" if slot else "")
    lines = {
        "confirmed": [
            f"Votre inscription à « {event.title} » ({session.title}) est confirmée.",
            f"Rendez-vous {moment}.",
        ],
        "waiting": [
            f"La séance « {session.title} » de « {event.title} » est complète : vous "
            "êtes sur la liste d'attente.",
            "Nous vous écrirons dès qu'une place se libère.",
        ],
        "promoted": [
            f"Une place s'est libérée pour « {event.title} » ({session.title}) : "
            "elle est à vous, votre inscription est confirmée.",
            f"Rendez-vous {moment}.",
        ],
        "cancelled": [f"Votre inscription à « {event.title} » ({session.title}) est annulée."],
        "week": [f"« {event.title} » ({session.title}) a lieu dans une semaine, {moment}."],
        "day": [f"« {event.title} » ({session.title}) a lieu demain, {moment}."],
    }[kind]
    body = [
        f"Bonjour {invitation.attendee if kind != 'cancelled' else invitation.name},",
        "",
        *lines,
        "",
    ]
    if kind != "cancelled" and kind != "waiting":
        if place:
            body += ["Lieu :", place, ""]
        if event.map_url and not event.online_url:
            body += [f"Plan : {event.map_url}", ""]
        body += [f"Votre code d'accueil : {registration.code} (à présenter à l'entrée).", ""]
    if invitation.pk:
        body += ["Pour modifier ou annuler votre réponse :", invitation_link(invitation), ""]
    identity = Identity.of(event.organisation)
    body += [identity.name]
    return compose(
        identity=identity,
        to=[("", address) for address in to],
        subject=SUBJECTS[kind].format(title=event.title),
        text="\n".join(body),
        attachments=_calendar(registration, kind),
    )


def _calendar(registration: Registration, kind: str) -> tuple[Attachment, ...]:
    if kind == "waiting":
        return ()
    return (
        Attachment(
            "evenement.ics",
            ics(registration, cancelled=kind == "cancelled"),
            "text/calendar",
            (("charset", "utf-8"), ("method", "PUBLISH")),
        ),
    )


def send(registration_id: int, kind: str) -> bool:
    registration = (
        Registration.objects.select_related("invitation", "session__event__organisation")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        return False
    message = build(registration, kind)
    if message is None:
        return False
    send_message(message)
    return True


def due_reminders(now: datetime | None = None) -> int:
    """Send the reminders that are due: seven days before (when the registration was made
    earlier than that) and one day before. Each is sent once: the registration is marked
    before the email leaves (UPDATE … WHERE not yet marked), so two workers never both send."""
    now = now or timezone.now()
    sent = 0
    confirmed = Registration.objects.filter(
        status=Registration.Status.CONFIRMED, session__starts_at__gt=now
    )
    day = confirmed.filter(session__starts_at__lte=now + timedelta(days=1), reminded_day_at=None)
    week = confirmed.filter(
        session__starts_at__lte=now + timedelta(days=7),
        session__starts_at__gt=now + timedelta(days=1),
        reminded_week_at=None,
    )
    for kind, rows, field in (("day", day, "reminded_day_at"), ("week", week, "reminded_week_at")):
        for registration_id, confirmed_at, starts_at in rows.values_list(
            "pk", "confirmed_at", "session__starts_at"
        ):
            marks = {field: now}
            if kind == "day":
                marks["reminded_week_at"] = now  # too late for the other one
            elif confirmed_at and starts_at - confirmed_at < timedelta(days=7):
                # registered less than a week before: the confirmation was the reminder
                Registration.objects.filter(pk=registration_id).update(**marks)
                continue
            if Registration.objects.filter(pk=registration_id, **{field: None}).update(**marks):
                sent += send(registration_id, kind)
    return sent
