"""A colleague reads a mairie's contact on the commune page and corrects its phone; the page
says which value comes from the directory and which from the colleague; it passes axe-core."""

import json
import re

import pytest
from playwright.sync_api import expect

from mandature.directory.loader import load_bundled
from tests.directory.conftest import compressed
from tests.e2e.test_brief_browser import accessibility_violations

pytestmark = pytest.mark.e2e


def test_a_colleague_corrects_the_phone_of_the_mairie(page):
    load_bundled(compressed())
    page.goto("/communes/59350/")
    section = page.locator("section", has=page.get_by_role("heading", name="Écrire à la mairie"))
    expect(section.get_by_role("heading", name="Mairie de Lille")).to_be_visible()
    expect(section).to_contain_text("Place Augustin-Laurent")
    expect(section).to_contain_text("ne publie pas de courriel pour cette mairie")
    violations = accessibility_violations(page)
    assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)
    section.get_by_role("link", name="Corriger les coordonnées de cette mairie").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Corriger : Mairie de Lille")
    page.get_by_label("Téléphone").fill("03 20 49 50 99")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page).to_have_url(re.compile(r"/communes/59350/#mairie$"))
    expect(page.locator(".mairie-card")).to_contain_text(
        re.compile(r"03 20 49 50 99 corrigé par \S+ \S+ le")
    )
    expect(page.locator(".mairie-card")).to_contain_text("Place Augustin-Laurent")
