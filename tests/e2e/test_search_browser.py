"""A person types in the search box and lands on the commune page."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_type_in_search_box_and_open_the_commune(page):
    page.goto("/")
    box = page.get_by_label("Rechercher une commune")
    box.press_sequentially("saint etienne", delay=30)
    first = page.locator("#resultats .result-list a").first
    expect(first).to_contain_text("Saint-Étienne")
    box.press("ArrowDown")  # keyboard: ↓ goes to the first result
    expect(first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/communes/42218/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Saint-Étienne")
