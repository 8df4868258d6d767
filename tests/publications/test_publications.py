"""Publications: versions with checked files, hand-overs and personal download links, each on
the official's timeline; campaigns send the personal link."""

from datetime import date, timedelta
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from mandature.campaigns.models import Campaign, Recipient
from mandature.core.models import AuditLog
from mandature.officials.services import commune_team
from mandature.publications.models import Distribution, Publication
from mandature.publications.services import personal_link
from mandature.relations.models import Interaction
from mandature.territories.models import Commune
from tests.conftest import login

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def brochure():
    return Publication.objects.get(title__startswith="Hlm : les 12 questions")


@pytest.fixture
def mayor():
    return commune_team(Commune.objects.get(code="59350")).mayor.person


def add_version(client, brochure, name="brochure.pdf", content=PDF):
    return client.post(
        f"/publications/{brochure.pk}/",
        {
            "label": "édition 2026 révisée",
            "published_on": "2026-10-01",
            "file": SimpleUploadedFile(name, content),
            "notes": "chiffres 2025",
        },
    )


def test_the_three_publications_are_seeded_and_listed(client):
    page = unescape(client.get("/publications/").content.decode())
    assert "Hlm : les 12 questions que se posent les maires" in page
    assert "Guide pratique" in page and "film" in page
    csv = client.get("/publications/?format=csv").getvalue().decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("titre;nature;public visé")
    assert len(csv.splitlines()) == 4
    assert AuditLog.objects.filter(action="export publications").exists()


def test_a_version_needs_a_real_file_of_an_allowed_type(client, personas, brochure):
    login(client, personas.admin)  # the movement's publications: national administrators
    page = unescape(add_version(client, brochure, "brochure.exe", b"MZ...").content.decode())
    assert "Type de fichier refusé (.exe)" in page
    page = unescape(add_version(client, brochure, "brochure.pdf", b"<html>").content.decode())
    assert "n'est pas celui d'un fichier PDF" in page
    assert brochure.versions.count() == 1
    add_version(client, brochure)
    assert brochure.current.label == "édition 2026 révisée"
    download = client.get(f"/publications/{brochure.pk}/versions/{brochure.current.pk}/fichier")
    assert b"".join(download.streaming_content) == PDF


def test_a_hand_over_is_recorded_on_the_officials_timeline(client, personas, brochure, mayor):
    login(client, personas.regional)
    page = client.get(mayor.get_absolute_url()).content.decode()
    today = timezone.localdate().isoformat()
    assert f'name="date" value="{today}"' in page  # what a date field can show: not 07/12/2026
    client.post(
        f"/elus/{mayor.pk}/remise/",
        {"publication": brochure.pk, "channel": "post", "date": "2026-11-20"},
    )
    distribution = Distribution.objects.get(person=mayor)
    assert distribution.channel == "post" and distribution.date == date(2026, 11, 20)
    interaction = distribution.interaction
    assert interaction.kind == "publication" and list(interaction.persons.all()) == [mayor]
    assert interaction.commune_id == "59350"
    page = unescape(client.get(f"/elus/{mayor.pk}/").content.decode())
    assert "envoyée par courrier le 20 novembre 2026" in page
    # « remise lors d'un événement » needs the event
    client.post(
        f"/elus/{mayor.pk}/remise/",
        {"publication": brochure.pk, "channel": "event", "date": "2026-11-21"},
    )
    assert Distribution.objects.filter(person=mayor).count() == 1
    login(client, personas.reader)
    assert client.post(f"/elus/{mayor.pk}/remise/", {}).status_code == 403


def test_the_personal_link_records_the_download_once(client, personas, anonymous, brochure, mayor):
    add_version(login(client, personas.admin), brochure)
    link = personal_link(brochure, mayor.pk).removeprefix("http://testserver")
    page = unescape(anonymous.get(link).content.decode())
    assert "Hlm : les 12 questions" in page and "Télécharger" in page
    assert not Distribution.objects.exists()  # opening the page is not a download
    first = anonymous.post(link)
    assert b"".join(first.streaming_content) == PDF
    anonymous.post(link)
    distribution = Distribution.objects.get(person=mayor)
    assert distribution.channel == "download" and distribution.downloads == 2
    assert Interaction.objects.filter(kind="publication", persons=mayor).count() == 1
    assert anonymous.get(link[:-3] + "xyz/").status_code == 404


def test_the_link_expires(anonymous, brochure, mayor, settings):
    link = personal_link(brochure, mayor.pk).removeprefix("http://testserver")
    settings.PUBLICATION_LINK_DAYS = -1
    page = anonymous.get(link)
    assert page.status_code == 404 and "a expiré" in unescape(page.content.decode())


def test_a_campaign_gives_each_recipient_a_personal_link(client, personas, brochure):
    from mandature.campaigns.models import Segment
    from mandature.campaigns.services import prepare

    segment = Segment.objects.create(
        name="Maires de Lille",
        organisation=personas.national.profile.organisation,
        filters={"function": "maire", "territory": "commune:59350"},
    )
    form = {
        "name": "Brochure",
        "channel": "email",
        "segment": segment.pk,
        "communication_kind": "information",
        "subject": "La brochure",
        "body": "Madame, Monsieur,\n\n[Télécharger]({lien_publication})",
        "rate_per_minute": 0,
    }
    page = unescape(client.post("/campagnes/nouvelle/", form).content.decode())
    assert "n'a pas de publication" in page
    client.post("/campagnes/nouvelle/", {**form, "publication": brochure.pk})
    campaign = Campaign.objects.get(name="Brochure")
    campaign.launched_by = personas.national
    prepare(campaign)
    recipient = Recipient.objects.get(campaign=campaign)
    assert recipient.values["lien_publication"].startswith("http://testserver/publication/")


def test_handed_over_to_everyone_checked_in_at_an_event(client, personas, brochure, mayor):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from mandature.events.models import Event, Invitation, Registration, Session

    login(client, personas.national)
    event = Event.objects.create(
        title="Congrès Hlm", kind="congress", organisation=personas.national.profile.organisation
    )
    start = datetime(2026, 11, 20, 9, tzinfo=ZoneInfo("Europe/Paris"))
    session = Session.objects.create(
        event=event, title="Jour 1", starts_at=start, ends_at=start + timedelta(hours=8)
    )
    came = Invitation.objects.create(event=event, person=mayor, name=str(mayor))
    Registration.objects.create(
        invitation=came, session=session, status="confirmed", checked_in_at=start
    )
    other = commune_team(Commune.objects.get(code="33063")).mayor.person
    absent = Invitation.objects.create(event=event, person=other, name=str(other))
    Registration.objects.create(invitation=absent, session=session, status="confirmed")
    for _ in range(2):  # twice: once each
        client.post(f"/evenements/{event.pk}/remise/", {"publication": brochure.pk})
    distribution = Distribution.objects.get()
    assert distribution.person == mayor and distribution.event == event
    assert distribution.channel == "event"


def test_only_national_administrators_change_the_movements_publications(client, personas, brochure):
    """Issue 22: a regional chargé de mission once rewrote the national brochure (and became
    its owner) and put up a « version pirate » that every official's link then offered."""
    version, title = brochure.current, brochure.title
    for persona in (personas.regional, personas.national):
        login(client, persona)
        assert client.get(f"/publications/{brochure.pk}/modifier/").status_code == 403
        edit = client.post(
            f"/publications/{brochure.pk}/modifier/",
            {
                "title": "Titre détourné",
                "kind": "brochure",
                "audience": "tous",
                "description": "",
            },
        )
        assert edit.status_code == 403
        pirate = client.post(
            f"/publications/{brochure.pk}/",
            {
                "label": "version pirate",
                "published_on": "2030-01-01",
                "file": SimpleUploadedFile("pirate.pdf", PDF),
            },
        )
        assert pirate.status_code == 403
        page = unescape(client.get(f"/publications/{brochure.pk}/").content.decode())
        assert "Nouvelle version" not in page
        assert f"/publications/{brochure.pk}/modifier/" not in page
    brochure.refresh_from_db()
    assert (brochure.title, brochure.organisation, brochure.current) == (title, None, version)
    login(client, personas.admin)
    client.post(
        f"/publications/{brochure.pk}/modifier/",
        {
            "title": title + " (2026)",
            "kind": "brochure",
            "audience": brochure.audience,
            "description": brochure.description,
        },
    )
    add_version(client, brochure)
    brochure.refresh_from_db()
    assert brochure.title == title + " (2026)" and brochure.organisation is None
    assert brochure.current.label == "édition 2026 révisée"


def test_an_organisation_changes_its_own_publications_only(client, personas):
    regional = personas.regional.profile.organisation
    login(client, personas.regional)
    client.post(
        "/publications/nouvelle/",
        {
            "title": "Le guide des maires des Hauts-de-France",
            "kind": "guide",
            "audience": "maires",
            "description": "",
        },
    )
    guide = Publication.objects.get(title="Le guide des maires des Hauts-de-France")
    assert guide.organisation == regional
    client.post(
        f"/publications/{guide.pk}/modifier/",
        {
            "title": "Le guide des maires (2026)",
            "kind": "guide",
            "audience": "maires",
            "description": "",
        },
    )
    add_version(client, guide)
    guide.refresh_from_db()
    assert guide.title == "Le guide des maires (2026)"
    assert guide.current.label == "édition 2026 révisée"
    login(client, personas.national)  # another organisation's chargé de mission
    assert client.get(f"/publications/{guide.pk}/modifier/").status_code == 403
    assert add_version(client, guide).status_code == 403
    guide.refresh_from_db()
    assert guide.title == "Le guide des maires (2026)" and guide.versions.count() == 1
