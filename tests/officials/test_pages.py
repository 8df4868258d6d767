"""Pages about elected officials, as a visitor sees them."""

from tests.conftest import login


def test_home_shows_the_renewal_first(client, db):
    page = client.get("/").content.decode()
    assert "nouveaux maires" in page and "premiers mandats de maire" in page
    assert page.index("nouveaux maires") < page.index('<label for="q">')
    assert "RNE maires au 17 avril 2026" in page


def test_changes_page_with_filters(client, db):
    page = client.get("/elus/changements/", {"type": "first-time-mayor", "departement": "32"})
    html = page.content.decode()
    assert "27 janvier 2022" in html and "17 avril 2026" in html
    assert "premier mandat" in html and "/communes/32" in html
    assert "/communes/33" not in html


def test_commune_page_shows_the_new_mayor_and_the_previous_one(client, db):
    html = client.get("/communes/32013/").content.decode()  # Auch
    assert "BONNE" in html and "nouveau" in html and "LAPREBENDE" in html
    assert "Maire précédent" in html


def test_commune_not_yet_reported(client, db):
    html = client.get("/communes/53130/").content.decode()  # Laval
    assert "Maire non encore renseigné dans le RNE au 17 avril 2026" in html


def test_no_birth_date_on_person_page(client, db):
    from mandature.officials.models import Person

    person = Person.objects.filter(last_name="BONNE", first_name="Camille").get()
    html = client.get(person.get_absolute_url()).content.decode()
    assert person.birth_date.strftime("%d/%m/%Y") not in html
    assert str(person.birth_date.year) not in html
    assert "ans" in html


def test_exports_need_a_role_that_exports_and_are_logged(anonymous, client, personas):
    url = "/elus/changements/export.csv?type=new-mayor&departement=32"
    assert anonymous.get(url).status_code == 302  # to the login page
    assert login(anonymous, personas.reader).get(url).status_code == 403  # lecture seule
    staff = personas.national
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    from mandature.core.models import AuditLog

    assert AuditLog.objects.filter(user=staff, channel="web").count() == 1


def test_snapshot_and_identity_pages(client, personas):
    from mandature.officials.models import Snapshot

    login(client, personas.admin)
    snapshot = Snapshot.objects.get(file_name="elus-maires-mai_2026-04.csv.gz")
    html = client.get(snapshot.get_absolute_url()).content.decode()
    assert "17 avril 2026" in html and "32\xa0475" in html
    html = client.get("/elus/identites/").content.decode()
    assert "La règle d'identité" in html and "fusionnés" in html


def test_admin_never_shows_birth_dates(client, personas):
    from mandature.officials.models import Person

    login(client, personas.admin)
    person = Person.objects.filter(last_name="BONNE", first_name="Camille").get()
    html = client.get(f"/admin/officials/person/{person.pk}/change/").content.decode()
    assert "BONNE" in html
    assert person.birth_date.strftime("%d/%m/%Y") not in html
    assert person.birth_date.isoformat() not in html


def test_commune_page_and_brief_show_a_new_import_at_once(client, tmp_path):
    """The commune's team is kept in the process between requests (core.memo) until an import
    changes the national data: the page seen before an import must not be shown after it."""
    from datetime import date

    from mandature.officials.importer import import_rne
    from tests.officials.files import HEADER

    for url in ("/communes/01002/", "/communes/01002/fiche"):
        html = client.get(url).content.decode()
        assert "NOUVEAU" not in html  # and the team before the import is kept
    row = (
        "01;Ain;;;01002;L'Abergement-De-Varey;NOUVEAU;Aurore;F;21/02/1971;31;Libéral;"
        "15/03/2026;01/06/2026"
    )
    path = tmp_path / "maires.csv"
    path.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
    import_rne(path, data_date=date(2026, 6, 2))
    html = client.get("/communes/01002/").content.decode()
    assert "Aurore NOUVEAU" in html and "Maire précédent" in html
    brief = client.get("/communes/01002/fiche").content.decode()
    assert "Aurore NOUVEAU" in brief and "nouvelle maire" in brief


def test_the_changes_csv_opens_in_a_french_spreadsheet(client, personas):
    """Issue 23: the changes CSV had no BOM (broken accents in French Excel) and let formulas
    through. It now goes through the one export path, like every other download."""
    login(client, personas.national)
    response = client.get("/elus/changements/export.csv?type=new-mayor&departement=32")
    data = b"".join(response.streaming_content)
    assert data.startswith("\ufeff".encode()) and data[3:].startswith(b"type;libelle_type;")
    assert all(line.count(";") == 18 for line in data.decode("utf-8-sig").splitlines())


def test_the_changes_export_neutralises_formulas(db):
    from datetime import date

    from mandature.officials.changes import compute_changes, snapshot_at
    from mandature.officials.exports import export_response

    changes = compute_changes(
        snapshot_at("maires", date(2022, 3, 1)), snapshot_at("maires", date(2026, 5, 1))
    )
    change = next(c for c in changes.changes if c.person and c.departement_code == "32")
    change.person.last_name = '=HYPERLINK("http://exemple.invalid")'
    response = export_response(changes, [change], "csv", "changements")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(" in text and ";=HYPERLINK" not in text
    assert response["Content-Disposition"] == 'attachment; filename="changements.csv"'
