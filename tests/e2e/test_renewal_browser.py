"""A person opens Mandature, sees the 2026 renewal, and finds a new mayor's commune."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_from_the_renewal_to_a_new_mayor(page):
    page.goto("/")
    renewal = page.get_by_role("region", name=re.compile("nouveaux maires"))
    expect(renewal).to_contain_text("17 avril 2026")
    renewal.get_by_role("link", name=re.compile("premiers mandats de maire")).click()
    expect(page).to_have_url(re.compile(r"/elus/changements/\?type=first-time-mayor"))
    page.get_by_label("Département (code)").fill("32")
    page.get_by_role("button", name="Comparer").click()
    first_commune = page.locator("table tbody tr td:nth-child(2) a").first
    name = first_commune.inner_text()
    first_commune.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator(".mayor .badge-new")).to_have_text("nouveau")
    expect(page.locator(".mayor")).to_contain_text("premier mandat de maire")
