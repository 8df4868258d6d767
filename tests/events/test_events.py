"""Events: invitations sent as a campaign with personal links, answers without an account,
waiting list and promotion, slots, the .ics of the confirmation, reminders, check-in, badges,
statistics, exports and the electoral-period check."""

import csv
import io
import re
import subprocess
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from mandature.campaigns.models import Campaign
from mandature.campaigns.services import launch
from mandature.core.models import AuditLog
from mandature.events import services
from mandature.events.mail import due_reminders
from mandature.events.models import Invitation, Registration
from mandature.movement.scope import scope_of
from mandature.relations.models import Interaction
from tests.campaigns.test_campaigns import give_emails, received_by
from tests.conftest import login
from tests.events.helpers import LINK, answer_post, invite, make_event


def rsvp_url(invitation) -> str:
    return reverse("web:rsvp", args=[services.invitation_token(invitation)])


def test_the_invitation_campaign_gives_each_mayor_a_personal_link(
    personas, smtp_sink, anonymous, django_capture_on_commit_callbacks
):
    from mandature.campaigns.segments import evaluate

    regional = personas.regional
    event = make_event(regional)
    members = evaluate(event.segment.filters, scope_of(regional)).members
    by_address = give_emails(members[:5])
    client = login(anonymous, regional)
    response = client.post(reverse("web:event-campaign", args=[event.pk, "invited"]))
    campaign = Campaign.objects.get(event=event)
    assert response.url == reverse("web:campaign-edit", args=[campaign.pk])
    assert campaign.event_audience == "invited" and "{lien_invitation}" in campaign.body
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "/invitation-evenement/" in page  # the preview shows where the link goes
    with django_capture_on_commit_callbacks(execute=True):
        launch(campaign, regional, scope_of(regional))
    from mandature.campaigns.sending import run

    run(campaign.pk)
    received = received_by(smtp_sink)
    assert set(received) == set(by_address)
    links = {}
    for address, messages in received.items():
        text = messages[0].get_body(("plain",)).get_content()
        links[address] = LINK.search(text).group(1)
    assert len(set(links.values())) == 5  # one personal link each
    assert Invitation.objects.filter(event=event).count() == 5  # the 5 reachable, not the others

    address = next(iter(links))
    person = by_address[address].entry.person
    anonymous.logout()
    page = anonymous.get(links[address]).content.decode()
    assert person.first_name in page and "Session plénière" in page
    smtp_sink.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = anonymous.post(links[address], answer_post(event, accessibility="Fauteuil"))
    assert "Votre place est confirmée" in response.content.decode()
    invitation = Invitation.objects.get(event=event, person=person)
    assert invitation.answer == "yes" and invitation.accessibility == "Fauteuil"
    assert invitation.answers == {"q1": "Oui"}
    (confirmation,) = smtp_sink.messages  # through the real SMTP server
    assert confirmation["Subject"].strip() == f"Inscription confirmée : {event.title}"
    assert confirmation["To"].addresses[0].addr_spec == address
    (ics,) = [
        part
        for part in confirmation.iter_attachments()
        if part.get_content_type() == "text/calendar"
    ]
    assert "TZID:Europe/Paris" in ics.get_content()
    # The campaign's message is on the official's timeline, the answer in the figures.
    assert services.stats([event])[event.pk]["registered"] == 1


def _attachment(message):
    return next(
        (name, content, kind)
        for name, content, kind in message.attachments
        if name.endswith(".ics")
    )


def test_confirmation_email_carries_a_valid_ics_in_paris_time(
    personas, anonymous, django_capture_on_commit_callbacks
):
    from icalendar import Calendar

    event = make_event(personas.regional)
    invitation = invite(event, "Marie Curie", email="marie@mairie.test")
    with django_capture_on_commit_callbacks(execute=True):
        anonymous.post(rsvp_url(invitation), answer_post(event))
    (message,) = mail.outbox
    assert message.subject == f"Inscription confirmée : {event.title}"
    assert message.to == ["marie@mairie.test"]
    registration = Registration.objects.get(invitation=invitation)
    assert registration.code in message.body and "openstreetmap.org" in message.body
    name, content, kind = _attachment(message)
    assert kind.startswith("text/calendar")
    text = content.decode() if isinstance(content, bytes) else content
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Paris" in text
    assert "DTSTART;TZID=Europe/Paris:" in text and "\r\n" in text  # CRLF lines (RFC 5545)
    calendar = Calendar.from_ical(text)
    (vevent,) = calendar.walk("VEVENT")
    session = registration.session
    assert vevent.decoded("dtstart") == session.starts_at
    assert str(vevent.decoded("dtstart").tzinfo) == "Europe/Paris"
    assert vevent.decoded("dtend") == session.ends_at
    assert "Lille Grand Palais" in str(vevent["location"])
    assert str(vevent["uid"]) and vevent.get("dtstamp") is not None
    assert calendar["version"] == "2.0" and "PRODID" in text
    # The invitee's page offers the same file to add to a calendar.
    page = anonymous.get(rsvp_url(invitation)).content.decode()
    # the token is signed with the second it was made: compare the address without it
    link = reverse(
        "web:rsvp-calendar", args=[services.invitation_token(invitation), registration.code]
    )
    shown = re.search(r'href="(/invitation-evenement/[^"]+\.ics)"', page).group(1)
    assert shown.split(":")[0] == link.split(":")[0] and shown.endswith(f"/{registration.code}.ics")
    download = anonymous.get(shown)
    assert download["Content-Type"].startswith("text/calendar")
    assert "TZID:Europe/Paris" in download.content.decode()
    other = invite(event, "Paul Autre")
    assert (
        anonymous.get(
            reverse("web:rsvp-calendar", args=[services.invitation_token(other), registration.code])
        ).status_code
        == 404
    )


def test_last_seat_waiting_list_and_promotion(
    personas, anonymous, django_capture_on_commit_callbacks
):
    event = make_event(personas.regional, capacity=1)
    first, second = invite(event, "Anne Premier"), invite(event, "Bruno Second")
    with django_capture_on_commit_callbacks(execute=True):
        anonymous.post(rsvp_url(first), answer_post(event))
    page = anonymous.get(rsvp_url(second)).content.decode()
    assert "complet : liste d&#x27;attente" in page or "complet : liste d'attente" in page
    with django_capture_on_commit_callbacks(execute=True):
        page = anonymous.post(rsvp_url(second), answer_post(event)).content.decode()
    assert "liste d&#x27;attente" in page or "liste d'attente" in page
    assert Registration.objects.get(invitation=second).status == "waiting"
    assert mail.outbox[-1].subject.startswith("Liste d'attente")
    mail.outbox.clear()
    # The first cancels (answers no): the second is promoted and told so by email.
    with django_capture_on_commit_callbacks(execute=True):
        anonymous.post(rsvp_url(first), answer_post(event, answer="no", sessions=[]))
    assert Registration.objects.get(invitation=first).status == "cancelled"
    promoted = Registration.objects.get(invitation=second)
    assert promoted.status == "confirmed" and promoted.promoted_at is not None
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects["bruno@mairie.test"].startswith("Une place s'est libérée")
    assert subjects["anne@mairie.test"].startswith("Inscription annulée")
    # Answering yes again: the session is full, so on the waiting list, behind nobody.
    page = anonymous.post(rsvp_url(first), answer_post(event)).content.decode()
    assert Registration.objects.get(invitation=first).status == "waiting"


def test_a_companion_takes_a_second_seat_only_if_there_is_one(personas, anonymous):
    event = make_event(personas.regional, capacity=2)
    first, second = invite(event, "Anne Premier"), invite(event, "Bruno Second")
    anonymous.post(
        rsvp_url(first), answer_post(event, companion="with", companion_name="Claire Adjointe")
    )
    registration = Registration.objects.get(invitation=first)
    assert registration.seats == 2 and registration.status == "confirmed"
    anonymous.post(rsvp_url(second), answer_post(event))
    assert Registration.objects.get(invitation=second).status == "waiting"
    # The companion comes instead: one seat again, the waiting list moves up.
    anonymous.post(
        rsvp_url(first), answer_post(event, companion="instead", companion_name="Claire Adjointe")
    )
    assert Registration.objects.get(invitation=first).seats == 1
    assert Registration.objects.get(invitation=second).status == "confirmed"
    assert Invitation.objects.get(pk=first.pk).attendee == "Claire Adjointe (pour Anne Premier)"


def test_bad_answers_are_refused_on_their_field(personas, anonymous):
    event = make_event(personas.regional)
    invitation = invite(event, "Anne Premier")
    url = rsvp_url(invitation)
    page = anonymous.post(url, answer_post(event, q_q1="")).content.decode()
    assert "Réponse obligatoire" in page
    page = anonymous.post(url, {"answer": "yes", "sessions": ["999999"], "q_q1": "Oui"})
    assert "999999 n’en fait pas partie" in page.content.decode()
    page = anonymous.post(url, answer_post(event, q_q1="Peut-être")).content.decode()
    assert "Peut-être n’en fait pas partie" in page
    page = anonymous.post(url, answer_post(event, sessions=[])).content.decode()
    assert "Choisissez au moins une séance" in page
    page = anonymous.post(url, answer_post(event, answer="oui")).content.decode()
    assert "oui n’en fait pas partie" in page
    page = anonymous.post(url, answer_post(event, companion="with")).content.decode()
    assert "Indiquez le nom de votre collaborateur" in page
    assert not Registration.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).answer == "pending"


def test_tampered_and_expired_links_get_a_clear_page(personas, anonymous, settings):
    event = make_event(personas.regional)
    invitation = invite(event, "Anne Premier")
    token = services.invitation_token(invitation)
    response = anonymous.get(reverse("web:rsvp", args=[token[:-2] + "xx"]))
    assert response.status_code == 404
    assert "Ce lien d'invitation n'est pas valide" in response.content.decode()
    forged = signing.TimestampSigner(salt="autre").sign(format(invitation.pk, "x"))
    assert anonymous.get(reverse("web:rsvp", args=[forged])).status_code == 404
    with mock.patch("time.time", return_value=timezone.now().timestamp() - 400 * 86400):
        old = services.invitation_token(invitation)
    response = anonymous.get(reverse("web:rsvp", args=[old]))
    assert response.status_code == 410
    assert "Ce lien d'invitation a expiré" in response.content.decode()


def test_registering_twice_updates_the_first_registration(
    personas, anonymous, django_capture_on_commit_callbacks
):
    event = make_event(personas.regional, public_registration=True)
    url = reverse("web:event-public", args=[event.pk])
    data = answer_post(event) | {
        "name": "Jean Dupont",
        "function": "Directeur, OPH du Nord",
        "email": "jean.dupont@oph.test",
    }
    assert (
        "Votre demande d'inscription est enregistrée" in anonymous.post(url, data).content.decode()
    )
    data["function"] = "Directeur général, OPH du Nord"
    assert (
        "est mise à jour"
        in anonymous.post(url, data | {"email": "Jean.Dupont@oph.test"}).content.decode()
    )
    (invitation,) = Invitation.objects.filter(event=event)
    assert invitation.approval == "pending" and invitation.function.startswith("Directeur général")
    assert not Registration.objects.exists()  # no seat before the organiser's approval
    client = login(anonymous, personas.regional)
    assert "Jean Dupont" in client.get(event.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("web:event-approve", args=[event.pk, invitation.pk]), {"decision": "accept"}
        )
    assert Registration.objects.get(invitation=invitation).status == "confirmed"
    assert mail.outbox[-1].to == ["jean.dupont@oph.test"]
    # The form of an event without public registration does not exist.
    other = make_event(personas.regional)
    assert anonymous.get(reverse("web:event-public", args=[other.pk])).status_code == 404


def test_stand_slots_of_twenty_minutes(personas, anonymous):
    event = make_event(personas.regional, slots=True)
    plenary, stand = event.sessions.order_by("starts_at")
    assert len(stand.slots()) == 3  # one hour: 3 slots of 20 minutes
    first, second = invite(event, "Anne Premier"), invite(event, "Bruno Second")
    slot = stand.slots()[1].isoformat()
    response = anonymous.post(
        rsvp_url(first), answer_post(event, sessions=[stand], **{f"slot_{stand.pk}": slot})
    )
    assert "Rendez-vous confirmé à" in response.content.decode()
    page = anonymous.get(rsvp_url(second)).content.decode()
    assert f'value="{slot}"' not in page  # taken: no longer offered
    page = anonymous.post(
        rsvp_url(second), answer_post(event, sessions=[stand], **{f"slot_{stand.pk}": slot})
    ).content.decode()
    assert "n’en fait pas partie" in page
    # Two answers racing for the same slot: the second is told it was just taken.
    with pytest.raises(services.AnswerError, match="vient d'être pris"):
        services.record_answer(
            second,
            services.AnswerData(
                answer="yes", sessions=[stand.pk], slots={stand.pk: stand.slots()[1]}
            ),
        )
    assert Registration.objects.filter(session=stand, status="confirmed").count() == 1


def test_reminders_seven_days_and_one_day_before_each_sent_once(personas):
    event = make_event(personas.regional, days=20)
    invitation = invite(event, "Anne Premier")
    services.record_answer(
        invitation,
        services.AnswerData(
            answer="yes", sessions=[event.sessions.get().pk], answers={"q1": "Oui"}
        ),
    )
    mail.outbox.clear()
    start = event.sessions.get().starts_at
    assert due_reminders(now=start - timedelta(days=10)) == 0
    assert due_reminders(now=start - timedelta(days=6, hours=23)) == 1
    assert due_reminders(now=start - timedelta(days=6)) == 0
    assert mail.outbox[-1].subject.endswith("dans une semaine")
    assert due_reminders(now=start - timedelta(hours=20)) == 1
    assert due_reminders(now=start - timedelta(hours=2)) == 0
    assert mail.outbox[-1].subject.endswith("demain")
    assert len(mail.outbox) == 2


def test_check_in_by_name_or_code_writes_the_attendance(personas, anonymous):
    from mandature.officials.models import Person

    regional = personas.regional
    event = make_event(regional)
    person = Person.objects.filter(entries__commune__departement_id="62").first()
    invitation = invite(event, "Anne-Sophie Lefèvre", person=person, commune_id="62041")
    other = invite(event, "Bruno Second")
    for inv in (invitation, other):
        services.record_answer(
            inv,
            services.AnswerData(
                answer="yes", sessions=[event.sessions.get().pk], answers={"q1": "Oui"}
            ),
        )
    client = login(anonymous, regional)
    url = reverse("web:event-checkin", args=[event.pk])
    page = client.get(url, {"q": "lefevre anne"}).content.decode()
    assert "Pointer Anne-Sophie Lefèvre" in page and "Bruno" not in page
    assert "0</strong> arrivé sur <strong>2</strong>" in page
    code = Registration.objects.get(invitation=invitation).code
    response = client.post(
        reverse("web:checkin-mark", args=[event.pk]), {"code": code}, HTTP_HX_REQUEST="true"
    )
    text = response.content.decode()
    assert "Anne-Sophie Lefèvre : arrivée enregistrée" in text and "1</strong> arrivé" in text
    again = client.post(
        reverse("web:checkin-mark", args=[event.pk]), {"code": code}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "déjà arrivé(e)" in again
    unknown = client.post(
        reverse("web:checkin-mark", args=[event.pk]), {"code": "ZZZZ"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "inconnu pour cet événement" in unknown
    (interaction,) = Interaction.objects.filter(persons=person, kind="event")
    assert event.title in interaction.summary and interaction.source == "event"
    assert "Présence à" in client.get(reverse("web:person", args=[person.pk])).content.decode()
    lookup = client.get(reverse("web:checkin-lookup", args=[event.pk]), {"q": code}).json()
    assert lookup["results"][0]["present"] is True
    figures = services.stats([event])[event.pk]
    assert figures["registered"] == 2 and figures["attended"] == 1


def test_badges_pdf_has_a_qr_code_per_confirmed_person(personas, anonymous, tmp_path):
    import segno

    event = make_event(personas.regional)
    for name in ("Anne Premier", "Bruno Second"):
        services.record_answer(
            invite(event, name),
            services.AnswerData(
                answer="yes", sessions=[event.sessions.get().pk], answers={"q1": "Oui"}
            ),
        )
    client = login(anonymous, personas.regional)
    response = client.get(reverse("web:event-badges", args=[event.pk]))
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "badges.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    for registration in Registration.objects.all():
        assert registration.code in text and registration.invitation.name in text
    assert not segno.make_qr("ABCDEFGHJK").is_micro
    assert AuditLog.objects.filter(action="badges d'un événement").exists()


def test_exports_and_statistics(personas, anonymous):
    from openpyxl import load_workbook

    event = make_event(personas.regional, capacity=1)
    first, second, third = (
        invite(event, n) for n in ("Anne Premier", "Bruno Second", "Chloé Tiers")
    )
    for inv in (first, second):
        services.record_answer(
            inv,
            services.AnswerData(
                answer="yes", sessions=[event.sessions.get().pk], answers={"q1": "Non"}
            ),
        )
    services.record_answer(third, services.AnswerData(answer="no"))
    figures = services.stats([event])[event.pk]
    assert (
        figures["invited"],
        figures["answered"],
        figures["registered"],
        figures["waiting"],
        figures["no"],
    ) == (3, 3, 1, 1, 1)
    client = login(anonymous, personas.regional)
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("web:event-export", args=[event.pk, "csv"]))
                .getvalue()
                .decode("utf-8-sig")
            ),
            delimiter=";",
        )
    )
    assert rows[0][-1] == "Déjeunerez-vous sur place ?"
    assert {(r[0], r[7]) for r in rows[1:]} == {
        ("Anne Premier", "inscrit"),
        ("Bruno Second", "liste d'attente"),
    }
    book = load_workbook(
        io.BytesIO(client.get(reverse("web:event-export", args=[event.pk, "xlsx"])).getvalue())
    )
    assert book.active.max_row == 3
    assert AuditLog.objects.filter(action="export des inscriptions d'un événement").count() == 2
    listing = client.get(reverse("web:events")).content.decode()
    assert event.title in listing and "Par segment" in listing
    figures = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("web:events"), {"format": "csv"}).getvalue().decode("utf-8-sig")
            ),
            delimiter=";",
        )
    )
    assert figures[0][:5] == ["niveau", "nom", "segment", "date", "invites"]
    assert figures[1][:2] == ["evenement", event.title] and figures[1][4:] == [
        "3",
        "3",
        "2",
        "0",
        "1",
        "0",
        "1",
        "1",
        "0",
    ]
    assert figures[2][:2] == ["segment", event.segment.name]
    assert anonymous.get(reverse("web:event-export", args=[event.pk, "csv"])).status_code == 200
    login(anonymous, personas.reader)
    assert anonymous.get(reverse("web:event-export", args=[event.pk, "csv"])).status_code == 403


def test_event_page_shows_the_electoral_period_check(personas, anonymous):
    from mandature.compliance.enums import ElectionKind
    from mandature.compliance.models import Election

    event = make_event(personas.regional, days=20)
    client = login(anonymous, personas.regional)
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Période électorale : " in page and "Pas-de-Calais (62)" in page
    assert "Législatives test" not in page
    # An election 40 days after the session (not after today) in the audience's territory.
    day = timezone.localdate(event.sessions.get().starts_at)
    election = Election.objects.create(
        kind=ElectionKind.PARTIELLE,
        label="Législatives test",
        first_round=day + timedelta(days=40),
        national=False,
    )
    election.departements.set(["62"])
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Législatives test" in page


def test_follow_up_goes_to_those_who_came_or_not(personas):
    from mandature.campaigns.segments import evaluate
    from mandature.campaigns.services import audience

    regional = personas.regional
    event = make_event(regional, days=-1)
    members = evaluate(event.segment.filters, scope_of(regional)).members[:3]
    invitations = [
        invite(
            event, m.entry.person.display_name, person=m.entry.person, commune_id=m.entry.commune_id
        )
        for m in members
    ]
    session = event.sessions.get()
    registration = Registration.objects.create(
        invitation=invitations[0], session=session, status="confirmed"
    )
    services.check_in(registration, regional)
    present = Campaign(segment=event.segment, event=event, event_audience="present")
    absent = Campaign(segment=event.segment, event=event, event_audience="absent")
    assert [m.entry.person_id for m in audience(present, scope_of(regional)).members] == [
        members[0].entry.person_id
    ]
    assert {m.entry.person_id for m in audience(absent, scope_of(regional)).members} == {
        m.entry.person_id for m in members[1:]
    }


def test_more_seats_given_by_the_organiser_promote_the_waiting_list(
    personas, anonymous, django_capture_on_commit_callbacks
):
    event = make_event(personas.regional, capacity=1)
    first, second = invite(event, "Anne Premier"), invite(event, "Bruno Second")
    for invitation in (first, second):
        anonymous.post(rsvp_url(invitation), answer_post(event))
    assert Registration.objects.get(invitation=second).status == "waiting"
    session = event.sessions.get()
    client = login(anonymous, personas.regional)
    local = timezone.localtime
    data = {
        "title": event.title,
        "kind": event.kind,
        "venue": event.venue,
        "address": event.address,
        "segment": event.segment_id,
        "commune_code": "59350",
        "questions_text": "*Déjeunerez-vous sur place ? | Oui ; Non",
        "seances-TOTAL_FORMS": "2",
        "seances-INITIAL_FORMS": "1",
        "seances-1-slot_minutes": "0",
        "seances-MIN_NUM_FORMS": "1",
        "seances-MAX_NUM_FORMS": "1000",
        "seances-0-id": session.pk,
        "seances-0-event": event.pk,
        "seances-0-title": session.title,
        "seances-0-starts_at": local(session.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "seances-0-ends_at": local(session.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "seances-0-capacity": "2",
        "seances-0-slot_minutes": "0",
    }
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("web:event-edit", args=[event.pk]), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Registration.objects.get(invitation=second).status == "confirmed"
    assert [m.subject for m in mail.outbox] == [f"Une place s'est libérée : {event.title}"]
    assert Invitation.objects.get(pk=first.pk).answers == {"q1": "Oui"}  # nothing else moved


def test_a_formula_typed_in_the_public_form_stays_text_in_the_exports(personas, anonymous):
    from openpyxl import load_workbook

    event = make_event(personas.regional, public_registration=True)
    name = '=HYPERLINK("http://exemple.test","cliquez")'
    invitation = invite(event, name, email="x@exemple.test", source="public")
    services.record_answer(
        invitation,
        services.AnswerData(answer="yes", sessions=[event.sessions.get().pk], answers={"q1": "-3"}),
    )
    client = login(anonymous, personas.regional)
    text = client.get(reverse("web:event-export", args=[event.pk, "csv"])).getvalue().decode()
    row = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))[1]
    assert row[0] == "'" + name and row[-1] == "-3"
    book = load_workbook(
        io.BytesIO(client.get(reverse("web:event-export", args=[event.pk, "xlsx"])).getvalue())
    )
    cell = book.active["A2"]
    assert cell.value == name and cell.data_type == "s"
