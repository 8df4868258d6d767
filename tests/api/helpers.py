"""Data the API tests read: a contact card, an interaction, an event with registrations."""

from datetime import date, timedelta

from django.utils import timezone

from mandature.api.models import ApiToken
from mandature.officials.services import commune_team
from mandature.territories.models import Commune


def token_for(user) -> str:
    return ApiToken.issue(user, "tests")[1]


def populate(personas):
    """Lille's mayor gets a contact card, an interaction and a registration to an event of the
    Hauts-de-France regional association; Marseille's mayor an interaction (another région)."""
    from mandature.events.models import Event, Invitation, Registration, Session
    from mandature.relations.models import Contact, Interaction

    lille = Commune.objects.select_related("epci").get(code="59350")
    marseille = Commune.objects.select_related("epci").get(code="13055")
    mayor = commune_team(lille).mayor.person
    other = commune_team(marseille).mayor.person
    Contact.objects.update_or_create(
        person=mayor, defaults={"email": "cabinet@lille.test", "salutation": "Monsieur le Maire"}
    )
    here = Interaction.objects.create(
        kind="meeting",
        date=date(2026, 5, 12),
        commune=lille,
        summary="Rencontre à Lille",
        organisation=personas.regional.profile.organisation,
    )
    here.persons.add(mayor)
    there = Interaction.objects.create(
        kind="call", date=date(2026, 6, 2), commune=marseille, summary="Appel à Marseille"
    )
    there.persons.add(other)
    event = Event.objects.create(
        title="Rencontre des nouveaux maires",
        kind="breakfast",
        commune=lille,
        organisation=personas.regional.profile.organisation,
    )
    start = timezone.now() + timedelta(days=20)
    session = Session.objects.create(
        event=event, title="Matinée", starts_at=start, ends_at=start + timedelta(hours=3)
    )
    invitation = Invitation.objects.create(
        event=event, person=mayor, commune=lille, name=str(mayor), answer="yes"
    )
    Registration.objects.create(invitation=invitation, session=session, status="confirmed")
    return {
        "lille": lille,
        "mayor": mayor,
        "other": other,
        "event": event,
        "here": here,
        "there": there,
    }
