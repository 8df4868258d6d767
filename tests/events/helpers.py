"""Events for the tests: a Congrès session for the new mayors of the Pas-de-Calais."""

import re
from datetime import timedelta

from django.utils import timezone

from mandature.campaigns.models import Segment
from mandature.events.models import Event, Invitation, Session

NEW_MAYORS_62 = {"function": "maire", "status": "nouveau", "territory": "departement:62"}
LINK = re.compile(r"http://testserver(/invitation-evenement/[^/\s)\]]+/)")


def make_event(user, *, capacity=50, days=30, slots=False, **fields) -> Event:
    organisation = user.profile.organisation
    segment = Segment.objects.create(
        name="Nouveaux maires du 62",
        organisation=organisation,
        created_by=user,
        filters=NEW_MAYORS_62,
    )
    values = {
        "title": "Congrès Hlm : session des nouveaux maires",
        "kind": "congress",
        "organisation": organisation,
        "segment": segment,
        "venue": "Lille Grand Palais",
        "address": "1 boulevard des Cités Unies\n59777 Lille",
        "commune_id": "59350",
        "created_by": user,
        "questions": [
            {
                "key": "q1",
                "label": "Déjeunerez-vous sur place ?",
                "choices": ["Oui", "Non"],
                "required": True,
            }
        ],
    } | fields
    event = Event.objects.create(**values)
    start = (timezone.localtime() + timedelta(days=days)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    Session.objects.create(
        event=event,
        title="Session plénière",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=capacity,
    )
    if slots:
        Session.objects.create(
            event=event,
            title="Rendez-vous sur le stand",
            starts_at=start + timedelta(hours=3),
            ends_at=start + timedelta(hours=4),
            slot_minutes=20,
        )
    return event


def invite(event, name: str, email: str = "", **fields) -> Invitation:
    from mandature.events.services import name_key

    return Invitation.objects.create(
        event=event,
        name=name,
        email=email or f"{name.split()[0].lower()}@mairie.test",
        search_name=name_key(name),
        **fields,
    )


def answer_post(event, answer="yes", sessions=None, **extra) -> dict:
    data = {"answer": answer, "q_q1": "Oui"}
    chosen = sessions if sessions is not None else [event.sessions.order_by("starts_at").first()]
    data["sessions"] = [str(s.pk) for s in chosen]
    return data | extra
