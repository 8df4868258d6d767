"""Postal campaigns: one PDF with a letter per recipient (address block in the window of a DL
envelope, signature image, date in French) and the printing house's CSV."""

import csv
import io
import re
import struct
import subprocess
import zlib
from datetime import date
from html import unescape

from mandature.campaigns.letters import folder
from mandature.campaigns.models import Campaign
from mandature.campaigns.services import launch
from mandature.core.french import with_preposition
from mandature.movement.scope import scope_of
from mandature.relations.models import Contact, Interaction
from tests.campaigns.test_campaigns import make_campaign
from tests.conftest import login

FILTERS = {
    "function": "maire",
    "status": "nouveau",
    "territory": "departement:62",
    "population": "3500-9999",
}
MM = 72 / 25.4


def png(width=120, height=40) -> bytes:
    """A small black-on-white PNG (a « signature »)."""
    rows = b"".join(
        b"\x00" + bytes([0 if 10 < x < 110 and 15 < y < 25 else 255 for x in range(width)])
        for y in range(height)
    )

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def words_with_boxes(path) -> list[tuple[int, float, float, str]]:
    """(page, x, y from the top, word) of every word, in points."""
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True)
    words, page = [], 0
    for line in out.stdout.decode().splitlines():
        if "<page " in line:
            page += 1
        found = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)".*>(.*)</word>', line)
        if found:
            words.append((page, float(found[1]), float(found[2]), unescape(found[3])))
    return words


def test_letters_for_the_new_mayors_with_the_printers_file(
    personas, django_capture_on_commit_callbacks, client
):
    regional = personas.regional
    organisation = regional.profile.organisation
    organisation.address = "Maison de l'habitat\n59000 Lille"
    organisation.signatory = "Marianne Louis\nPrésidente"
    organisation.signature = png()
    organisation.save()
    campaign = make_campaign(
        regional,
        filters=FILTERS,
        channel=Campaign.Channel.LETTER,
        subject="Votre élection à la tête de {commune}",
        letter_date=date(2026, 4, 1),
    )
    members = scope_of(regional)
    from mandature.campaigns.segments import evaluate

    members = evaluate(FILTERS, scope_of(regional)).members
    assert 5 < len(members) < 100
    known = members[0]
    Contact.objects.create(
        person=known.entry.person,
        postal_address="Hôtel de ville\n1 place du Général de Gaulle\n62000 ARRAS",
    )
    with django_capture_on_commit_callbacks(execute=True):
        launch(campaign, regional, scope_of(regional))
    campaign.refresh_from_db()
    assert campaign.status == "done"
    pdf = folder(campaign) / "courriers.pdf"
    # The printer's convention (docs/campaigns.md): UTF-8 with BOM, « ; », CRLF line ends.
    data = (folder(campaign) / "imprimeur.csv").read_bytes()
    assert data.startswith("\ufeff".encode()) and data.count(b"\r\n") == len(members) + 1
    assert data[3:].startswith(b"numero;premiere_page;nombre_pages;ligne_1;")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert len(rows) == len(members)
    assert [int(r["numero"]) for r in rows] == list(range(1, len(members) + 1))
    assert rows[0]["premiere_page"] == "1" and all(int(r["nombre_pages"]) >= 1 for r in rows)
    pages = [int(r["premiere_page"]) for r in rows]
    assert pages == sorted(pages) and len(set(pages)) == len(pages)
    assert rows[0]["ligne_3"] == "Hôtel de ville" and rows[0]["code_postal"] == "62000"
    mairie = rows[1]
    commune = members[1].entry.commune
    assert mairie["ligne_3"] == "Mairie" and mairie["code_insee"] == commune.code
    assert (
        mairie["localite"] == commune.name.upper().replace("-", " ").replace("'", " ")
        or mairie["localite"].isupper()
    )

    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert text.count("Le 1er avril 2026") == len(members)
    assert f"Votre élection à la tête {with_preposition('de', commune.named)}" in text
    assert "Marianne Louis" in text and "Présidente" in text
    assert re.search(rb"/Subtype\s*/Image", pdf.read_bytes())  # the signature
    # The address block sits in the window: 100 mm from the left, 50 to 90 mm from the top.
    words = words_with_boxes(pdf)
    second_page = int(mairie["premiere_page"])
    mairie_word = next(w for w in words if w[0] == second_page and w[3] == "Mairie")
    assert 99 * MM < mairie_word[1] < 110 * MM and 50 * MM < mairie_word[2] < 90 * MM

    person = members[1].entry.person
    assert Interaction.objects.filter(persons=person, kind="letter", source="campaign").count() == 1
    # Downloads are personal-data exports: logged.
    login(client, regional)
    response = client.get(f"/campagnes/{campaign.pk}/imprimeur.csv")
    assert response.status_code == 200 and b"ligne_1" in b"".join(response.streaming_content)
    assert client.get(f"/campagnes/{campaign.pk}/courriers.pdf").status_code == 200
    from mandature.core.models import AuditLog

    assert AuditLog.objects.filter(action="export des courriers d'une campagne").count() == 2


def test_the_printers_file_follows_the_one_export_convention():
    """An address typed by someone outside the movement cannot become a formula in the
    printing house's spreadsheet; the file is the export path's (BOM, « ; ») with CRLF."""
    from mandature.campaigns.letters import printer_csv
    from mandature.campaigns.models import Recipient

    recipient = Recipient(pk=7, campaign_id=3, address='=HYPERLINK("x")\nRue Haute\n59000 Lille')
    data = printer_csv([recipient], [1], 2)
    assert data.startswith("\ufeff".encode()) and data.endswith(b"\r\n")
    row = data.decode("utf-8-sig").splitlines()[1]
    assert row == '1;1;2;"\'=HYPERLINK(""x"")";Rue Haute;59000 Lille;;;;59000;Lille;;C3-D7'
