"""A regional association writes to the new mayors of a département from the browser: segment,
message, preview, test, send, statuses; then the postal letter of the same segment. The pages
pass axe-core."""

import re

import pytest
from playwright.sync_api import expect

from mandature.campaigns.segments import evaluate
from mandature.core.french import with_preposition
from mandature.movement.scope import scope_of
from tests.campaigns.test_campaigns import BODY, give_emails
from tests.conftest import PASSWORD, make_personas
from tests.e2e.test_brief_browser import accessibility_violations

pytestmark = pytest.mark.e2e


def test_congratulate_the_new_mayors_by_email_then_by_letter(anonymous_page, smtp_sink):
    page = anonymous_page
    personas = make_personas()
    members = evaluate(
        {"function": "maire", "status": "nouveau", "territory": "departement:62"},
        scope_of(personas.regional),
    ).members
    give_emails(members)
    page.goto("/segments/nouveau/")
    page.get_by_label("Adresse électronique").fill("remi.regional@arhlm-hdf.test")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Renouvellement").select_option("nouveau")
    page.get_by_label("Territoire").fill("departement:62")
    page.get_by_label("Nom du segment").fill("Nouveaux maires du Pas-de-Calais")
    page.get_by_role("button", name="Enregistrer le segment").click()
    page.get_by_role("link", name="Écrire à ce segment").click()

    page.get_by_label("Nom de la campagne").fill("Félicitations 2026")
    page.get_by_label("Canal").select_option("email")
    page.get_by_label("Objet").fill("Félicitations, {formule_appel}")
    page.get_by_label("Texte").fill("Bonjour {formule_apel}")
    page.get_by_role("button", name="Enregistrer et voir l'aperçu").click()
    expect(page.locator("form.form-card")).to_contain_text("vouliez-vous dire {formule_appel}")
    page.get_by_label("Texte").fill(BODY)
    page.get_by_label("Messages par minute").fill("0")  # as fast as the server takes them
    page.get_by_role("button", name="Enregistrer et voir l'aperçu").click()

    preview = page.locator("#preview")
    expect(preview).to_contain_text(f"(1 sur {len(members)})")
    expect(preview).to_contain_text(
        f"à la tête {with_preposition('de', members[0].entry.commune.named)}"
    )
    preview.get_by_role("link", name="destinataire suivant").click()
    expect(preview).to_contain_text(f"(2 sur {len(members)})")
    expect(preview).to_contain_text(
        f"à la tête {with_preposition('de', members[1].entry.commune.named)}"
    )
    expect(page.locator("#verif")).to_contain_text("Période électorale")
    assert accessibility_violations(page) == []

    page.get_by_role("button", name=re.compile("M'envoyer un essai")).click()
    expect(page.locator("body")).to_contain_text("Essai envoyé à remi.regional@arhlm-hdf.test")
    assert smtp_sink.messages[-1]["Subject"].startswith("[ESSAI]")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name=f"Envoyer {len(members)} courriels").click()
    expect(page.locator("body")).to_contain_text("Campagne lancée")
    assert asked == [f"Envoyer {len(members)} courriels ?"]
    counts = page.get_by_role("list", name="Destinataires par état")
    expect(counts).to_contain_text(f"{len(members)} envoyés")
    expect(page.locator("tbody tr").first).to_contain_text("envoyé")
    assert accessibility_violations(page) == []
    assert len(smtp_sink.messages) == 1 + len(members)

    # The same mayors by post: PDF and the printer's file.
    page.goto("/campagnes/nouvelle/")
    page.get_by_label("Nom de la campagne").fill("Courrier de félicitations")
    page.get_by_label("Canal").select_option("letter")
    page.get_by_label("Segment").select_option(label="Nouveaux maires du Pas-de-Calais")
    page.get_by_label("Objet").fill("Votre élection à la tête de {commune}")
    page.get_by_label("Texte").fill(BODY)
    page.get_by_role("button", name="Enregistrer et voir l'aperçu").click()
    expect(page.locator("#preview .address")).to_contain_text("Mairie")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Préparer {len(members)} courriers").click()
    pdf_link = page.get_by_role("link", name="Télécharger les courriers (PDF)")
    expect(pdf_link).to_be_visible()
    response = page.request.get(pdf_link.get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF")
    printer = page.request.get(
        page.get_by_role("link", name=re.compile("imprimeur")).get_attribute("href")
    )
    assert printer.text().count("\n") == len(members) + 1
