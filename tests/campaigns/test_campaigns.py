"""Email campaigns over a real SMTP server on 127.0.0.1 (aiosmtpd): one message per recipient,
statuses with the server's reason, unsubscribe (RFC 8058) honoured by later campaigns, the
timeline, the electoral-period check and its override."""

from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from mandature.campaigns.models import Campaign, OptOut, Recipient, Segment
from mandature.campaigns.segments import evaluate
from mandature.campaigns.sending import run
from mandature.campaigns.services import LaunchError, launch, status_counts
from mandature.compliance.enums import ElectionKind
from mandature.compliance.models import Election
from mandature.core.french import preposition_parts
from mandature.core.models import AuditLog
from mandature.movement.scope import scope_of
from mandature.relations.models import Contact, Interaction
from tests.conftest import login, start_smtp

FILTERS = {"function": "maire", "status": "nouveau", "territory": "departement:62"}
BODY = (
    "{formule_appel},\n\nAu nom de {expediteur}, félicitations pour votre élection à la tête de "
    "**{commune}**. Votre commune compte {logements_sociaux} logements sociaux.\n\n"
    "La fiche de votre commune : [{commune}]({lien_fiche})."
)


def make_campaign(user, filters=FILTERS, **fields) -> Campaign:
    organisation = user.profile.organisation
    segment = Segment.objects.create(
        name="Nouveaux maires", organisation=organisation, created_by=user, filters=filters
    )
    values = {
        "name": "Félicitations",
        "channel": "email",
        "segment": segment,
        "organisation": organisation,
        "created_by": user,
        "rate_per_minute": 0,
        "subject": "Félicitations, {formule_appel}",
        "body": BODY,
    } | fields
    return Campaign.objects.create(**values)


def give_emails(members) -> dict[str, object]:
    """A contact card with a professional address for each member; address → member."""
    by_address = {}
    for member in members:
        address = f"maire-{member.entry.commune_id}@mairies.test"
        Contact.objects.update_or_create(person=member.entry.person, defaults={"email": address})
        by_address[address] = member
    return by_address


def received_by(sink) -> dict[str, list]:
    found = {}
    for message in sink.messages:
        found.setdefault(message["To"].addresses[0].addr_spec, []).append(message)
    return found


@pytest.fixture
def new_mayors_62(personas):
    members = evaluate(FILTERS, scope_of(personas.regional)).members
    assert len(members) > 50
    return members


def test_congratulations_to_the_new_mayors_of_a_departement(
    personas, new_mayors_62, smtp_sink, django_capture_on_commit_callbacks
):
    by_address = give_emails(new_mayors_62)
    invalid, opted, without = new_mayors_62[0], new_mayors_62[1], new_mayors_62[2]
    Contact.objects.filter(person=invalid.entry.person).update(email="pas-une-adresse")
    OptOut.objects.create(email=f"maire-{opted.entry.commune_id}@mairies.test")
    Contact.objects.filter(person=without.entry.person).update(email="")
    regional = personas.regional
    organisation = regional.profile.organisation
    organisation.sender_name, organisation.reply_to = "AR Hlm Hauts-de-France", "ar@hlm-hdf.test"
    organisation.save()
    campaign = make_campaign(regional)
    with django_capture_on_commit_callbacks(execute=True):
        launch(campaign, regional, scope_of(regional))
    counts = status_counts(campaign)
    assert counts["failed"] == 1 and counts["skipped"] == 2
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DONE

    received = received_by(smtp_sink)
    expected = set(by_address) - {
        f"maire-{m.entry.commune_id}@mairies.test" for m in (invalid, opted, without)
    }
    assert set(received) == expected
    assert all(len(messages) == 1 for messages in received.values())  # exactly one each
    address, (message,) = next(iter(received.items()))
    member = by_address[address]
    commune = member.entry.commune
    assert message["From"].addresses[0].display_name == "AR Hlm Hauts-de-France"
    assert message["Reply-To"] == "ar@hlm-hdf.test"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    salutation = "Madame la Maire" if member.entry.person.sex == "F" else "Monsieur le Maire"
    assert message["Subject"] == f"Félicitations, {salutation}"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    head, bare = preposition_parts("de", commune.named)  # « d'Abzac », « du Havre »
    assert f"à la tête {head}{bare}." in text
    assert f"à la tête {head}<strong>{bare}</strong>" in unescape(html)
    assert "http://testserver/partage/fiche/" + commune.code in text

    recipients = {r.email: r for r in campaign.recipients.all()}
    assert recipients["pas-une-adresse"].status == "failed"
    assert "adresse électronique invalide" in recipients["pas-une-adresse"].reason
    sent = [r for r in recipients.values() if r.status == "sent"]
    assert len(sent) == len(expected) and all(r.interaction_id for r in sent)
    timeline = Interaction.objects.filter(persons=member.entry.person, source="campaign")
    assert timeline.count() == 1 and timeline.get().kind == "email"

    # The shared brief opens without an account; a forged link does not.
    link = text.split("http://testserver", 1)[1].split(")")[0].split()[0]
    from django.test import Client

    assert commune.name in Client().get(link).content.decode()
    assert Client().get(link.replace(commune.code, "75056")).status_code == 404


def test_one_click_unsubscribe_is_honoured_by_every_later_campaign(
    personas, new_mayors_62, smtp_sink, django_capture_on_commit_callbacks, anonymous
):
    give_emails(new_mayors_62[:5])
    regional = personas.regional
    first = make_campaign(regional, rate_per_minute=0)
    with django_capture_on_commit_callbacks(execute=True):
        launch(first, regional, scope_of(regional))
    message = smtp_sink.messages[0]
    link = message["List-Unsubscribe"].strip("<>")
    address = message["To"].addresses[0].addr_spec
    path = link.replace("http://testserver", "")
    page = anonymous.get(path)
    assert "Me désinscrire" in page.content.decode() and not OptOut.objects.exists()  # GET: no
    # what the official read, never the template: « Félicitations, Madame la Maire »
    shown = unescape(page.content.decode()).split("Vous avez reçu le message")[1].split("</p>")[0]
    assert f"«\u00a0{message['Subject']}\u00a0»" in shown and "{" not in shown
    summary = Interaction.objects.filter(persons__contact__email=address).get().summary
    assert summary == f"Campagne « Félicitations » : {message['Subject']}"
    # What a mail client does (RFC 8058): POST, no cookie, no CSRF token.
    response = anonymous.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert OptOut.objects.get().email == address and OptOut.objects.get().one_click
    assert anonymous.get(path[:-5] + "xxxx/").status_code == 404

    smtp_sink.messages.clear()
    second = make_campaign(personas.national, filters=FILTERS, name="Invitation")
    with django_capture_on_commit_callbacks(execute=True):
        launch(second, personas.national, scope_of(personas.national))
    counts = status_counts(second)
    assert counts["sent"] == 4 and counts["skipped"] == len(new_mayors_62) - 4
    assert address not in received_by(smtp_sink)
    assert second.recipients.get(email=address).reason.startswith("désinscrit(e) le ")


class Picky:
    """An SMTP handler that refuses one address for good and puts another off once."""

    def __init__(self, sink, refused, busy):
        self.sink, self.refused, self.busy, self.seen_busy = sink, refused, busy, 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refused:
            return "550 5.1.1 Adresse inconnue"
        if address == self.busy and not self.seen_busy:
            self.seen_busy += 1
            return "451 4.2.1 Boîte occupée, réessayez plus tard"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        return await self.sink.handle_DATA(server, session, envelope)


def test_refused_address_fails_with_the_reason_and_a_put_off_one_is_retried(
    personas, new_mayors_62, smtp_sink, django_capture_on_commit_callbacks, settings
):
    by_address = give_emails(new_mayors_62[:6])
    refused, busy = list(by_address)[1], list(by_address)[3]
    controller, settings.EMAIL_PORT = start_smtp(Picky(smtp_sink, refused, busy))
    try:
        campaign = make_campaign(personas.regional)
        with django_capture_on_commit_callbacks(execute=True):
            launch(campaign, personas.regional, scope_of(personas.regional))
        statuses = {r.email: r for r in campaign.recipients.exclude(email="")}
        assert statuses[refused].status == "failed"
        assert "550 5.1.1 Adresse inconnue" in statuses[refused].reason
        assert statuses[busy].status == "queued" and "451" in statuses[busy].reason
        assert statuses[busy].next_attempt_at > timezone.now()
        campaign.refresh_from_db()
        assert campaign.status == "sending" and campaign.next_attempt_at is not None
        # The time comes (the worker's supervisor would enqueue it): the retry goes through.
        Recipient.objects.filter(pk=statuses[busy].pk).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1)
        )
        run(campaign.pk)
        campaign.refresh_from_db()
        assert campaign.status == "done"
        assert campaign.recipients.get(email=busy).status == "sent"
        received = received_by(smtp_sink)
        assert refused not in received and len(received[busy]) == 1 and len(received) == 5
    finally:
        controller.stop()


def test_a_forbidden_verdict_blocks_unless_a_national_admin_gives_a_reason(
    personas, new_mayors_62, django_capture_on_commit_callbacks, mailoutbox
):
    commune = new_mayors_62[0].entry.commune
    election = Election.objects.create(
        kind=ElectionKind.PARTIELLE,
        label=f"Municipale partielle de {commune.name}",
        first_round=timezone.localdate() + timedelta(days=40),
        national=False,
    )
    election.communes.add(commune)
    give_emails(new_mayors_62[:3])
    campaign = make_campaign(personas.regional, communication_kind="promotion")
    with pytest.raises(LaunchError, match="seul un administrateur national"):
        launch(campaign, personas.regional, scope_of(personas.regional))
    admin = personas.admin
    with pytest.raises(LaunchError, match="motif écrit"):
        launch(campaign, admin, scope_of(admin), override_reason="")
    with django_capture_on_commit_callbacks(execute=True):
        launch(
            campaign,
            admin,
            scope_of(admin),
            override_reason="Lettre de félicitations validée par le service juridique.",
        )
    campaign.refresh_from_db()
    assert campaign.compliance_verdict == "interdit" and campaign.override_by == admin
    log = AuditLog.objects.get(action="campagne lancée")
    assert log.detail["override_reason"].startswith("Lettre de félicitations")
    assert len(mailoutbox) == 3  # the default (non-SMTP) backend also works


def test_pages_preview_test_send_launch_and_statuses(
    client, personas, new_mayors_62, smtp_sink, django_capture_on_commit_callbacks
):
    give_emails(new_mayors_62)
    client = login(client, personas.regional)
    segment = Segment.objects.create(
        name="Nouveaux maires 62",
        filters=FILTERS,
        organisation=personas.regional.profile.organisation,
    )
    form = {
        "name": "Félicitations 62",
        "channel": "email",
        "segment": segment.pk,
        "communication_kind": "information",
        "subject": "Félicitations, {formule_appel}",
        "body": "Bonjour {comune}",
        "rate_per_minute": 0,
    }
    refused = client.post("/campagnes/nouvelle/", form)
    assert (
        "Champ de fusion inconnu dans le texte : {comune} ; vouliez-vous dire {commune} ?"
        in unescape(refused.content.decode())
    )
    response = client.post("/campagnes/nouvelle/", form | {"body": BODY})
    campaign = Campaign.objects.get(name="Félicitations 62")
    assert response.url == f"/campagnes/{campaign.pk}/"
    page = unescape(client.get(response.url).content.decode())
    first = new_mayors_62[0]
    assert f"Aperçu pour {first.entry.person.display_name} (1 sur {len(new_mayors_62)})" in page
    assert "Période électorale :" in page
    second = unescape(client.get(response.url, {"n": 1}, HTTP_HX_REQUEST="true").content.decode())
    head, bare = preposition_parts("de", new_mayors_62[1].entry.commune.named)
    assert f"à la tête {head}<strong>{bare}</strong>" in second

    client.post(f"/campagnes/{campaign.pk}/essai/", {"n": 1})
    (test,) = smtp_sink.messages
    assert test["To"].addresses[0].addr_spec == personas.regional.email
    assert test["Subject"].startswith("[ESSAI] Félicitations")
    assert not campaign.recipients.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/campagnes/{campaign.pk}/lancer/")
    status = unescape(client.get(f"/campagnes/{campaign.pk}/").content.decode())
    assert f"{len(new_mayors_62)} envoyés" in status and "Terminée" in status
    assert len(smtp_sink.messages) == 1 + len(new_mayors_62)
    # Another organisation's user does not see the campaign; a reader cannot write one.
    assert login(client, personas.organism).get(f"/campagnes/{campaign.pk}/").status_code == 404
    assert login(client, personas.reader).get("/campagnes/").status_code == 403


def test_the_pace_spreads_the_messages(
    personas, new_mayors_62, smtp_sink, django_capture_on_commit_callbacks
):
    give_emails(new_mayors_62[:8])
    campaign = make_campaign(personas.regional, rate_per_minute=1200)  # one every 50 ms
    with django_capture_on_commit_callbacks(execute=True):
        launch(campaign, personas.regional, scope_of(personas.regional))
    times = sorted(campaign.recipients.filter(status="sent").values_list("sent_at", flat=True))
    assert len(times) == 8
    assert (times[-1] - times[0]).total_seconds() >= 7 * 0.05 * 0.9


def test_sender_identity_and_signature_of_an_organisation(client, personas):
    from mandature.movement.models import Organisation
    from tests.campaigns.test_letters import png

    login(client, personas.admin)
    organisation = personas.regional.profile.organisation
    url = f"/organisations/{organisation.pk}/modifier/"
    form = {
        "name": organisation.name,
        "sender_name": "AR Hlm HdF",
        "sender_email": "elus@ar.test",
        "reply_to": "contact@ar.test",
        "signatory": "Marianne Louis\nPrésidente",
        "active": "on",
    }
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = client.post(url, form | {"signature_file": SimpleUploadedFile("s.png", b"GIF89a...")})
    assert "n'est pas une image PNG ou JPEG" in unescape(bad.content.decode())
    good = client.post(url, form | {"signature_file": SimpleUploadedFile("s.png", png())})
    assert good.status_code == 302
    organisation = Organisation.objects.get(pk=organisation.pk)
    assert organisation.sender_email == "elus@ar.test" and bytes(organisation.signature).startswith(
        b"\x89PNG"
    )
