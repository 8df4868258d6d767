"""A regional association creates the Congrès session for the new mayors, invites its segment,
watches the answers arrive, then checks people in from a phone: one by reading the QR code of
their badge with the camera (Chromium's fake camera plays a video of the code), one by name.
The pages pass axe-core."""

import re
from datetime import timedelta

import pytest
import segno
from django.utils import timezone
from playwright.sync_api import expect

from mandature.campaigns.models import Segment
from mandature.campaigns.segments import evaluate
from mandature.events.models import Registration
from mandature.movement.scope import scope_of
from tests.campaigns.test_campaigns import give_emails
from tests.conftest import PASSWORD, make_personas
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.test_brief_browser import accessibility_violations
from tests.events.helpers import LINK, NEW_MAYORS_62

pytestmark = pytest.mark.e2e
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


def qr_video(code: str, path) -> None:
    """A short YUV4MPEG2 video (Chromium's fake camera) showing the QR code of the badge."""
    width, height, scale = 640, 480, 8
    matrix = segno.make_qr(code, error="m").matrix
    border = 4
    size = (len(matrix) + 2 * border) * scale
    left, top = (width - size) // 2, (height - size) // 2
    luma = bytearray([235]) * (width * height)
    for row, modules in enumerate(matrix):
        for column, dark in enumerate(modules):
            if not dark:
                continue
            y0 = top + (row + border) * scale
            x0 = left + (column + border) * scale
            for y in range(y0, y0 + scale):
                luma[y * width + x0 : y * width + x0 + scale] = bytes([16]) * scale
    chroma = bytes([128]) * (width * height // 4)
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            video.write(b"FRAME\n" + bytes(luma) + chroma + chroma)


def test_congress_session_invitations_answers_and_check_in_on_a_phone(
    anonymous_page, smtp_sink, browser, live_server, tmp_path
):
    page = anonymous_page
    personas = make_personas()
    regional = personas.regional
    segment = Segment.objects.create(
        name="Nouveaux maires du Pas-de-Calais",
        organisation=regional.profile.organisation,
        created_by=regional,
        filters=NEW_MAYORS_62,
    )
    members = evaluate(NEW_MAYORS_62, scope_of(regional)).members
    by_address = give_emails(members[:2])

    page.goto("/evenements/")
    page.get_by_label("Adresse électronique").fill("remi.regional@arhlm-hdf.test")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Nouvel événement").click()
    page.get_by_label("Titre").fill("Congrès Hlm : session des nouveaux maires")
    page.get_by_label("Type").select_option(label="session du Congrès Hlm")
    page.get_by_label(re.compile(r"^Lieu")).fill("Lille Grand Palais")
    page.get_by_label(re.compile(r"^Adresse")).fill("1 boulevard des Cités Unies\n59777 Lille")
    page.get_by_label("Public invité (segment)").select_option(label=segment.name)
    page.get_by_label("Questions aux invités").fill("*Déjeunerez-vous sur place ? | Oui ; Non")
    start = (timezone.localtime() + timedelta(days=20)).replace(hour=9, minute=30)
    page.get_by_label("Intitulé").fill("Session des nouveaux maires")
    page.get_by_label("Début").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label(re.compile(r"^Fin")).fill(
        (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Places").fill("100")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("body")).to_contain_text(
        "Événement « Congrès Hlm : session des nouveaux maires » enregistré"
    )
    expect(page.locator("#verif")).to_contain_text("Période électorale")
    assert accessibility_violations(page) == []
    event_url = page.url

    page.get_by_role("button", name=re.compile("Inviter le segment")).click()
    page.get_by_label("Messages par minute").fill("0")
    page.get_by_role("button", name="Enregistrer et voir l'aperçu").click()
    expect(page.locator("#preview")).to_contain_text("/invitation-evenement/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Envoyer 2 courriels").click()
    expect(page.locator("body")).to_contain_text("Campagne lancée")
    assert len(smtp_sink.messages) == 2
    links = {
        m["To"].addresses[0].addr_spec: LINK.search(m.get_body(("plain",)).get_content()).group(1)
        for m in smtp_sink.messages
    }

    page.goto(event_url)
    expect(page.locator("#chiffres")).to_contain_text("2 invités")
    expect(page.locator("#chiffres")).to_contain_text("0 inscrit")
    # The mayors answer from their phones, without an account.
    mayor = browser.new_context(locale="fr-FR", base_url=live_server.url, **PHONE)
    answer = mayor.new_page()
    for link in links.values():
        answer.goto(link)
        expect(answer.get_by_role("heading", level=1)).to_have_text(
            "Congrès Hlm : session des nouveaux maires"
        )
        answer.get_by_label("Oui, je serai là").check()
        answer.get_by_label("Déjeunerez-vous sur place ?").select_option("Oui")
        answer.get_by_role("button", name="Envoyer ma réponse").click()
        expect(answer.locator("body")).to_contain_text("Votre place est confirmée")
        expect(answer.locator(".qr svg")).to_be_visible()
    assert accessibility_violations(answer) == []
    mayor.close()
    # The organiser's page updates by itself (polled every 10 seconds).
    expect(page.locator("#chiffres")).to_contain_text("2 inscrits", timeout=15_000)

    first, second = (by_address[a].entry.person for a in links)
    scanned = Registration.objects.get(invitation__person=first)
    video = tmp_path / "badge.y4m"
    qr_video(scanned.code, video)
    phone_browser = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        phone = phone_browser.new_context(locale="fr-FR", base_url=live_server.url, **PHONE)
        phone.grant_permissions(["camera"], origin=live_server.url)
        door = phone.new_page()
        door.set_default_timeout(15_000)
        door.goto(event_url + "accueil/")
        door.get_by_label("Adresse électronique").fill("remi.regional@arhlm-hdf.test")
        door.get_by_label("Mot de passe").fill(PASSWORD)
        door.get_by_role("button", name="Se connecter").click()
        expect(door.locator("#accueil-compteurs")).to_contain_text("0 arrivé sur 2 inscrits")
        door.get_by_role("button", name="Scanner un badge").click()
        expect(door.locator("#accueil-resultat")).to_contain_text(
            f"{first.first_name}", timeout=20_000
        )
        expect(door.locator("#accueil-resultat")).to_contain_text("arrivée enregistrée")
        expect(door.locator("#accueil-compteurs")).to_contain_text("1 arrivé sur 2 inscrits")
        door.get_by_role("button", name="Arrêter la caméra").click()
        door.get_by_placeholder("Nom ou code du badge").fill(second.last_name)
        door.get_by_role(
            "button", name=re.compile(f"Pointer .*{re.escape(second.last_name)}")
        ).click()
        expect(door.locator("#accueil-resultat")).to_contain_text("arrivée enregistrée")
        expect(door.locator("#accueil-compteurs")).to_contain_text("2 arrivés sur 2 inscrits")
        assert door.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone
        assert accessibility_violations(door) == []
    finally:
        phone_browser.close()
    assert Registration.objects.filter(checked_in_at__isnull=False).count() == 2
    page.goto(event_url)
    expect(page.locator("#chiffres")).to_contain_text("2 présents")
