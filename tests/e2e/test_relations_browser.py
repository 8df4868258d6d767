"""A regional association's chargé de mission logs in, finds a new mayor of the région, records
a meeting and sees it on the commune's timeline; an organism's collaborator does not see it."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, make_personas
from tests.e2e.test_brief_browser import accessibility_violations

pytestmark = pytest.mark.e2e


def log_in(page, email, check=False):
    page.goto("/mon-territoire/")
    expect(page).to_have_url(re.compile(r"/connexion/\?next=/mon-territoire/"))
    if check:
        assert accessibility_violations(page) == []
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon territoire")


def test_log_in_find_a_new_mayor_record_a_meeting(anonymous_page, live_server):
    page = anonymous_page
    make_personas()
    log_in(page, "remi.regional@arhlm-hdf.test", check=True)
    expect(page.locator(".lead")).to_contain_text("Hauts-de-France")
    assert accessibility_violations(page) == []
    new_mayors = page.locator("#nouveaux-maires + .table-wrap tbody tr")
    row = new_mayors.first
    commune = row.locator("td").nth(0).inner_text()
    row.locator("td").nth(2).get_by_role("link").click()
    mayor = page.get_by_role("heading", level=1).inner_text()
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="Enregistrer un échange").click()
    assert accessibility_violations(page) == []
    page.get_by_label("Type").select_option("meeting")
    page.get_by_label("Compte rendu").fill(
        "Premier rendez-vous : présentation de la fiche commune."
    )
    page.get_by_label("Suivi à programmer").fill("Envoyer l'invitation au congrès")
    page.get_by_label("Échéance du suivi").fill("2026-12-15")
    page.get_by_role("button", name="Enregistrer l'échange").click()
    expect(page.get_by_role("status")).to_contain_text("Rendez-vous enregistré")
    page.get_by_role("link", name=commune, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(commune)
    timeline = page.get_by_role("region", name=re.compile("Échanges avec les élus"))
    expect(timeline).to_contain_text("Premier rendez-vous : présentation de la fiche commune.")
    expect(timeline).to_contain_text(mayor.split()[-1])
    commune_url = page.url
    page.get_by_role("link", name="Mes suivis").click()
    expect(page.locator("table")).to_contain_text("Envoyer l'invitation au congrès")
    # Another organisation's user, elsewhere, does not even find the commune.
    page.get_by_role("button", name="Se déconnecter").click()
    log_in(page, "olga.organisme@provence-habitat.test")
    assert page.goto(commune_url).status == 404
    page.goto("/suivis/")
    expect(page.get_by_role("main")).to_contain_text("Rien à faire pour le moment.")
