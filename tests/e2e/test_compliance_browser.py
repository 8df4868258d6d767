"""Before a meeting with elected officials, a chargé de mission checks the rules in force on the
commune and whether an invitation is allowed on that date; the pages pass axe-core."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_brief_browser import accessibility_violations

pytestmark = pytest.mark.e2e


def test_from_the_commune_to_the_verdict(page):
    page.goto("/communes/33063/")
    page.get_by_role("link", name="Période électorale : règles en vigueur").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Communication en période électorale")
    expect(page.locator("#a-venir + .table-wrap")).to_contain_text("Présidentielle 2027")
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="Vérifier une communication").click()
    page.get_by_label("Communication").select_option("invitation")
    page.get_by_label("Date (ou début de la période)").fill("2027-04-10")
    page.get_by_label("Territoire").fill("commune:33063")
    page.get_by_label("Public").select_option("elected")
    page.get_by_role("button", name="Vérifier").click()
    verdict = page.get_by_role("region", name=re.compile("Verdict"))
    expect(verdict).to_contain_text("Verdict : interdit")
    expect(verdict).to_contain_text("L.49")
    assert accessibility_violations(page) == []
