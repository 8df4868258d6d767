"""A regional association's chargé de mission builds the segment of the new mayors of a
département: the count follows the filters, the segment is saved and listed."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, make_personas

pytestmark = pytest.mark.e2e


def test_build_a_segment_with_a_live_count(anonymous_page):
    page = anonymous_page
    make_personas()
    page.goto("/segments/nouveau/")
    page.get_by_label("Adresse électronique").fill("remi.regional@arhlm-hdf.test")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    count = page.locator("#segment-count")
    expect(count).to_contain_text(re.compile(r"\d+ élus"))
    all_mayors = int(
        re.search(r"(\d[\d\u202f\u00a0 ]*) élu", count.inner_text())
        .group(1)
        .replace("\u202f", "")
        .replace("\u00a0", "")
        .replace(" ", "")
    )
    page.get_by_label("Renouvellement").select_option("nouveau")
    page.get_by_label("Territoire").fill("departement:62")
    page.get_by_label("Territoire").press("Tab")
    expect(count).not_to_contain_text(f"{all_mayors} élu")
    page.get_by_label("Nom du segment").fill("Nouveaux maires du Pas-de-Calais")
    page.get_by_role("button", name="Enregistrer le segment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouveaux maires du Pas-de-Calais")
    expect(page.locator("table tbody tr").first).to_contain_text("(62)")
