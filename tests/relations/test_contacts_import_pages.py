"""The contact import's pages: upload, preview, « Appliquer », result; rights and territory."""

import csv
import html
import io
from datetime import timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mandature.core.models import AuditLog
from mandature.core.spreadsheet import xlsx_bytes
from mandature.directory.loader import load_bundled
from mandature.directory.services import mairie_card
from mandature.relations.models import Contact, ContactUpload
from tests.conftest import login
from tests.directory.conftest import compressed

from .test_contacts_import import council, mayor_of

pytestmark = pytest.mark.django_db
URL = "/elus/import-coordonnees/"


def upload(client, text: str, name: str = "coordonnees.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, text.encode())})


def test_the_preview_numbers_are_what_apply_writes_and_the_apply_is_audited(client, personas):
    mayor = mayor_of("33063")
    Contact.objects.create(person=mayor, phone="05 56 10 20 30")
    anne, paul = council("59350", ("Anne", "Martin"), ("Paul", "Martin"))
    answer = upload(
        client,
        "code INSEE;nom;prénom;courriel;téléphone\n"
        f"33063;{mayor.last_name};;maire@bordeaux.fr;05 56 10 20 30\n"
        "59350;Martin;Anne;anne@lille.fr;\n"
        "59350;Martin;;qui@lille.fr;\n"
        "59350;Martin;Paul;;\n",  # nothing to say about Paul: unchanged
    )
    assert answer.status_code == 302
    stored = ContactUpload.objects.get()
    page = client.get(answer["Location"]).content.decode()
    assert "2\u00a0fiches mises à jour, 1\u00a0inchangée, 1\u00a0ligne non rapprochée" in page
    assert "Appliquer : mettre à jour 2 fiches de contact (2 valeurs)" in page
    assert "indiquez le prénom" in page
    assert "05 56 10 20 30" not in page  # the phone is the same: not a change
    assert (
        Contact.objects.filter(email="anne@lille.fr").count() == 0
    )  # nothing before « Appliquer »
    fingerprint = page.split('name="fingerprint" value="')[1].split('"')[0]
    done = client.post(answer["Location"], {"fingerprint": fingerprint}, follow=True)
    text = done.content.decode()
    assert "Import appliqué" in text and "2\u00a0fiches mises à jour" in text
    assert Contact.objects.get(person=anne).email == "anne@lille.fr"
    assert Contact.objects.get(person=mayor).email == "maire@bordeaux.fr"
    assert not Contact.objects.filter(person=paul).exists()
    entry = AuditLog.objects.get(action="import de coordonnées")
    assert entry.channel == "web" and entry.user == personas.national
    assert entry.detail["updated"] == 2 and entry.detail["values"] == 2
    stored.refresh_from_db()
    assert stored.applied_at and bytes(stored.content) == b""
    # the same file again: nothing to apply, and the page says so
    again = client.get(upload(client, _file_of(mayor))["Location"]).content.decode()
    assert "Appliquer" not in again and "Ce fichier ne change rien" in again


def _file_of(mayor) -> str:
    return f"code INSEE;nom;courriel\n33063;{mayor.last_name};maire@bordeaux.fr\n"


def test_a_card_changed_after_the_preview_is_not_overwritten(client):
    mayor = mayor_of("33063")
    answer = upload(client, _file_of(mayor))
    page = client.get(answer["Location"]).content.decode()
    fingerprint = page.split('name="fingerprint" value="')[1].split('"')[0]
    Contact.objects.create(person=mayor, email="autre@bordeaux.fr")  # a colleague, meanwhile
    again = client.post(answer["Location"], {"fingerprint": fingerprint}, follow=True)
    text = html.unescape(again.content.decode())
    assert "Les fiches ont changé depuis l'aperçu" in text
    assert "autre@bordeaux.fr" in text  # the new preview shows the value it would replace
    assert Contact.objects.get(person=mayor).email == "autre@bordeaux.fr"
    assert not AuditLog.objects.filter(action="import de coordonnées").exists()


def test_a_bad_file_is_refused_by_line_and_column_and_nothing_is_kept(client):
    answer = upload(client, "code INSEE;nom;courriel\n33063;Dupont;pas-une-adresse\n")
    page = html.unescape(answer.content.decode())
    assert "Fichier refusé, rien n'a été modifié" in page
    assert "Ligne 2, colonne « courriel » : adresse « pas-une-adresse » invalide" in page
    assert not ContactUpload.objects.exists()


def test_communes_outside_the_territory_are_not_applied(client, personas):
    login(client, personas.regional)  # Hauts-de-France
    mayor = mayor_of("33063")
    anne, _paul = council("59350", ("Anne", "Martin"), ("Paul", "Martin"))
    answer = upload(
        client,
        f"code INSEE;nom;prénom;courriel\n33063;{mayor.last_name};;maire@bordeaux.fr\n"
        "59350;Martin;Anne;anne@lille.fr\n",
    )
    page = client.get(answer["Location"]).content.decode()
    assert "commune hors de votre territoire" in page
    assert "Appliquer : mettre à jour 1 fiche de contact (1 valeur)" in page
    fingerprint = page.split('name="fingerprint" value="')[1].split('"')[0]
    client.post(answer["Location"], {"fingerprint": fingerprint})
    assert Contact.objects.get(person=anne).email == "anne@lille.fr"
    assert not Contact.objects.filter(person=mayor).exists()


def test_a_mairie_file_shows_as_a_colleagues_correction(client, personas):
    load_bundled(compressed())
    answer = upload(client, "code INSEE;téléphone\n59350;03 20 49 50 99\n")
    page = client.get(answer["Location"]).content.decode()
    assert "Mairie de Lille" in page and "03 20 49 50 00" in page
    assert "Appliquer : mettre à jour 1 mairie (1 valeur)" in page
    fingerprint = page.split('name="fingerprint" value="')[1].split('"')[0]
    client.post(answer["Location"], {"fingerprint": fingerprint})
    value = mairie_card("59350").values["phone"]
    assert value.text == "03 20 49 50 99" and value.from_colleague
    assert value.correction.author == personas.national


def test_readers_may_not_import_and_nobody_sees_anothers_file(client, personas):
    mayor = mayor_of("33063")
    answer = upload(client, _file_of(mayor))
    login(client, personas.reader)
    assert client.get(URL).status_code == 403
    login(client, personas.regional)
    assert client.get(answer["Location"]).status_code == 404


def test_the_templates_download_as_csv_with_bom_and_xlsx(client):
    raw = b"".join(client.get(f"{URL}modele-elus.csv").streaming_content)
    assert raw.startswith("\ufeffcode INSEE;commune;nom;prénom".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][-1] == "formule d'appel"
    answer = client.get(f"{URL}modele-mairies.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(answer.streaming_content)))
    assert [c.value for c in book.active[1]][:3] == ["code INSEE", "commune", "courriel"]
    assert client.get(f"{URL}modele-autre.csv").status_code == 404


def test_the_page_is_linked_from_the_search_of_officials_and_links_its_templates(client):
    assert URL in client.get("/elus/recherche/").content.decode()
    page = client.get(URL).content.decode()
    for name in (
        "modele-elus.csv",
        "modele-elus.xlsx",
        "modele-mairies.csv",
        "modele-mairies.xlsx",
    ):
        assert f"{URL}{name}" in page


def test_a_file_not_applied_is_not_kept(client, personas):
    mayor = mayor_of("33063")
    first = upload(client, _file_of(mayor))["Location"]
    old = ContactUpload.objects.get()
    ContactUpload.objects.filter(pk=old.pk).update(uploaded_at=old.uploaded_at - timedelta(days=2))
    login(client, personas.regional)
    upload(client, "code INSEE;nom;courriel\n59350;Martin;m@lille.fr\n")
    assert not ContactUpload.objects.filter(pk=old.pk).exists()  # a day old, not applied
    login(client, personas.national)
    assert client.get(first).status_code == 404


def test_a_workbook_is_previewed_like_a_csv_file(client):
    mayor = mayor_of("33063")
    raw = xlsx_bytes(["Code INSEE", "Nom", "Courriel"], [[33063, mayor.last_name, "m@b.fr"]])
    answer = client.post(URL, {"file": SimpleUploadedFile("elus.xlsx", raw)})
    page = html.unescape(client.get(answer["Location"]).content.decode())
    assert "Fichier « elus.xlsx », par élu : 1 ligne lue." in page
    assert "Appliquer : mettre à jour 1 fiche de contact (1 valeur)" in page
