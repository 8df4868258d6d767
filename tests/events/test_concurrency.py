"""No overbooking: people answering at the same moment for the last seats, through real
requests on separate database connections (threads), get one seat each while seats last and
the others go on the waiting list. Meant for PostgreSQL (row lock on the session); on SQLite
write transactions are IMMEDIATE and the same holds."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mandature.events.models import Event, Invitation, Registration, Session
from mandature.events.services import invitation_token

pytestmark = [pytest.mark.flushes, pytest.mark.django_db(transaction=True)]

PEOPLE = 12


def race(urls: list[str], data: dict) -> list[int]:
    """POST the same answer on every URL at once, one thread (and connection) each."""
    barrier = threading.Barrier(len(urls))
    statuses: list[int] = []

    def answer(url):
        try:
            client = Client()
            barrier.wait()
            statuses.append(client.post(url, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


@pytest.mark.parametrize("capacity", [1, 5])
def test_the_last_seats_are_never_overbooked(capacity):
    start = timezone.now() + timedelta(days=10)
    event = Event.objects.create(title="Petit-déjeuner débat", kind="breakfast", address="Paris")
    session = Session.objects.create(
        event=event,
        title="Débat",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=capacity,
    )
    invitations = [
        Invitation.objects.create(event=event, name=f"Élu {n}", email=f"elu{n}@mairie.test")
        for n in range(PEOPLE)
    ]
    urls = [reverse("web:rsvp", args=[invitation_token(i)]) for i in invitations]
    statuses = race(urls, {"answer": "yes", "sessions": [str(session.pk)]})
    assert statuses == [200] * PEOPLE
    rows = Registration.objects.filter(session=session)
    assert rows.count() == PEOPLE  # every answer recorded…
    assert rows.filter(status="confirmed").count() == capacity  # …no more seats than there are
    assert rows.filter(status="waiting").count() == PEOPLE - capacity
    # The waiting list is in arrival order: a seat freed goes to the first in line.
    first_waiting = rows.filter(status="waiting").order_by("waiting_since", "pk").first()
    someone = rows.filter(status="confirmed").first()
    Client().post(
        reverse("web:rsvp", args=[invitation_token(someone.invitation)]), {"answer": "no"}
    )
    first_waiting.refresh_from_db()
    assert first_waiting.status == "confirmed"
    assert rows.filter(status="confirmed").count() == capacity
