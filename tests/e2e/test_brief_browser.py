"""A person opens a commune, reads its brief, downloads the PDF; the page passes axe-core."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
AXE = Path(__file__).parent / "vendor" / "axe.min.js"  # `make vendor`, from npm


def accessibility_violations(page) -> list[dict]:
    # Evaluated through the browser's debugging protocol: the page's Content-Security-Policy
    # (scripts from our own files only) rightly refuses a <script> added to it.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in result["violations"]
    ]


def test_from_a_commune_to_its_brief_and_its_pdf(page, tmp_path):
    page.goto("/communes/93066/")
    page.get_by_role("link", name=re.compile("Fiche commune")).click()
    expect(page).to_have_url(re.compile(r"/communes/93066/fiche$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Saint-Denis")
    expect(
        page.get_by_role("heading", name="Les 12 questions que se posent les maires")
    ).to_be_visible()
    expect(page.locator("ol.questions > li")).to_have_count(12)
    expect(page.get_by_role("img", name=re.compile("Taux de logements sociaux"))).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger la fiche en PDF").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "fiche-93066.pdf" and path.read_bytes().startswith(b"%PDF")


def test_brief_pages_pass_an_automated_accessibility_check(page):
    for code in ("93066", "97801"):  # with data, and without any
        page.goto(f"/communes/{code}/fiche")
        violations = accessibility_violations(page)
        assert violations == [], f"{code}: " + json.dumps(violations, indent=1, ensure_ascii=False)
