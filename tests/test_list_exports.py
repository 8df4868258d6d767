"""Every list page downloads as CSV and XLSX, with the page's filters and the user's scope; each
download is in the audit log; lists of people need the « export » right."""

import io
import zipfile

import pytest

from mandature.core.models import AuditLog
from tests.conftest import login

pytestmark = pytest.mark.django_db

LISTS = [  # (address, first column of the header, holds personal data)
    ("/departements/", "code", False),
    ("/departements/33/", "code INSEE", False),
    ("/regions/", "code", False),
    ("/regions/75/", "code", False),
    ("/epci/243300316/", "code INSEE", False),
    ("/recherche?q=saint", "nature", False),
    ("/organisations/", "nature", False),
    ("/segments/", "nom", False),
    ("/campagnes/", "nom", False),
    ("/enquetes/", "titre", False),
    ("/evenements/", "niveau", False),
    ("/publications/", "titre", False),
    ("/fiches/", "sélection", False),
    ("/periode-electorale/", "élection", False),
    ("/elus/instantanes/", "fichier RNE", False),
    ("/elus/changements/", None, False),
    ("/mon-territoire/", "code INSEE", True),
    ("/suivis/", "à faire", True),
    ("/elus/recherche/?q=martin", "nom", True),
    ("/elus/identites/", "instantané", True),
    ("/utilisateurs/", "nom", True),
    ("/journal/", "le", True),
]


def csv_of(response) -> list[list[str]]:
    text = response.getvalue().decode("utf-8-sig")
    return [line.split(";") for line in text.splitlines()]


@pytest.mark.parametrize(("url", "first", "personal"), LISTS)
def test_every_list_downloads_as_csv_and_xlsx(client, personas, url, first, personal):
    login(client, personas.admin)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "format=csv" in html or "export.csv" in html, "the page offers the download"
    if first is None:
        return  # the changes page has its own downloads (tested with the changes)
    joiner = "&" if "?" in url else "?"
    response = client.get(f"{url}{joiner}format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert csv_of(response)[0][0] == first
    xlsx = client.get(f"{url}{joiner}format=xlsx")
    assert zipfile.is_zipfile(io.BytesIO(xlsx.getvalue()))
    assert AuditLog.objects.filter(user=personas.admin, action__startswith="export").count() >= 2


def test_downloads_keep_the_scope_and_the_filters(client, personas):
    login(client, personas.regional)  # Hauts-de-France
    rows = csv_of(client.get("/departements/?format=csv"))
    assert sorted(r[0] for r in rows[1:]) == ["02", "59", "60", "62", "80"]
    rows = csv_of(client.get("/organisations/?nature=federation&format=csv"))
    assert {r[0] for r in rows[1:]} == {"fédération"}
    communes = csv_of(client.get("/departements/59/?format=csv"))
    assert len(communes) > 600 and all(r[2] == "59" for r in communes[1:])
    assert client.get("/departements/33/?format=csv").status_code == 404


def test_lists_of_people_need_the_export_right(client, personas):
    login(client, personas.reader)
    assert client.get("/mon-territoire/?format=csv").status_code == 403
    assert client.get("/suivis/?format=xlsx").status_code == 403
    assert client.get("/departements/?format=csv").status_code == 200  # no personal data
    entry = AuditLog.objects.filter(user=personas.reader).latest("at")
    assert entry.action == "export departements" and entry.detail["format"] == "csv"


def test_lists_inside_a_page_download_too(client, personas):
    """A snapshot's report, a campaign's recipients, a segment's members (XLSX too)."""
    from mandature.campaigns.models import Campaign, Recipient, Segment
    from mandature.officials.models import Snapshot

    login(client, personas.admin)
    snapshot = Snapshot.objects.order_by("pk").first()
    report = client.get(f"/elus/instantanes/{snapshot.pk}/?format=csv")
    assert csv_of(report)[0] == ["ligne", "colonne", "remarque", "ligne écartée"]
    segment = Segment.objects.create(
        name="Maires du Gers", filters={"function": "maire", "territory": "departement:32"}
    )
    xlsx = client.get(f"/segments/{segment.pk}/export.xlsx")
    assert zipfile.is_zipfile(io.BytesIO(xlsx.getvalue()))
    campaign = Campaign.objects.create(
        name="Vœux",
        channel="email",
        subject="Vœux",
        body="Bonne année",
        segment=segment,
        status="done",
    )
    Recipient.objects.create(
        campaign=campaign, name="Marie Dupont", email="m@exemple.fr", status="sent"
    )
    Recipient.objects.create(
        campaign=campaign, name="Jean Martin", status="skipped", reason="pas de courriel"
    )
    rows = csv_of(client.get(f"/campagnes/{campaign.pk}/?statut=skipped&format=csv"))
    assert [r[0] for r in rows[1:]] == ["Jean Martin"] and rows[1][-1] == "pas de courriel"
    login(client, personas.reader)
    assert client.get(f"/campagnes/{campaign.pk}/?format=csv").status_code in (403, 404)


def test_times_in_downloads_are_paris_times(client, personas):
    """A time a person reads is Paris time, never the database's UTC."""
    from datetime import UTC, datetime

    from mandature.officials.models import Snapshot

    login(client, personas.admin)
    snapshot = Snapshot.objects.order_by("pk").first()
    Snapshot.objects.filter(pk=snapshot.pk).update(
        imported_at=datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    )
    response = client.get("/elus/instantanes/?format=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "24/11/2026 00:30" in text and "23/11/2026 23:30" not in text
