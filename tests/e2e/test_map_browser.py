"""The map of France and the dashboards, in Debian's chromium (WebGL by SwiftShader)."""

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e


def test_the_map_and_the_dashboards(page):
    refused = []  # what the Content-Security-Policy blocked, if anything
    page.on(
        "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto("/carte/")
    expect(page.locator("body[data-map-ready='1']")).to_have_count(1, timeout=60_000)
    legend = page.locator("#legend")
    expect(legend).to_contain_text("premier mandat de maire")
    first_time = int(
        re.search(r"premier mandat de maire : ([\d\u202f\u00a0 ]+)", legend.inner_text())
        .group(1)
        .replace("\u202f", "")
        .replace("\u00a0", "")
        .replace(" ", "")
    )
    assert first_time > 10_000  # about 14,000 first-time mayors in March 2026
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "carte-nouveaux-maires.png"), full_page=True)
    # the map is drawn: the Gironde has pixels of the legend's colours, the sea is not white
    page.get_by_label("Colorier selon").select_option("taux-hlm")
    # The colouring's data arrive by a request of their own: on a machine busy with other work
    # they may take more than the default 5 s (speed is measured by bench/, not here).
    expect(page.locator("#legend-title")).to_have_text(
        re.compile("logements sociaux"), timeout=30_000
    )
    expect(page.locator("body[data-map-ready='1']")).to_have_count(1, timeout=60_000)
    assert "indicateur=taux-hlm" in page.url
    page.screenshot(path=str(ARTIFACTS / "carte-taux-hlm.png"), full_page=True)
    # zoom to a commune, then click it: its page opens
    page.get_by_label("Aller à une commune").fill("Bordeaux (33063)")
    page.get_by_label("Aller à une commune").dispatch_event("change")
    expect(page.locator("#map-hover")).to_contain_text("Bordeaux (33063)")
    page.wait_for_function("() => !window.mandatureMap.map.isMoving()")
    point = page.evaluate("""() => {
        const m = window.mandatureMap.map, box = m.getContainer().getBoundingClientRect();
        const p = m.project([-0.5792, 44.8378]);
        return {x: box.left + p.x, y: box.top + p.y};
    }""")
    page.mouse.click(point["x"], point["y"])
    expect(page).to_have_url(re.compile(r"/communes/33063/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bordeaux")
    # (one test for the map and the dashboards: each browser test reloads the national data)
    every_commune_is_drawn_metropolitan_and_overseas(page)
    dashboards_national_and_regional(page)
    the_api_documentation(page)
    assert refused == []


def the_api_documentation(page):
    """Swagger UI from our static files, under the same Content-Security-Policy."""
    page.goto("/api/docs")
    expect(page.get_by_text("/api/v1/communes/{code}")).to_be_visible(timeout=30_000)
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Mandature")


def every_commune_is_drawn_metropolitan_and_overseas(page):
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto("/carte/?indicateur=nouveau-maire")
    expect(page.locator("body[data-map-ready='1']")).to_have_count(1, timeout=60_000)
    drawn = page.evaluate("""() => {
        const count = (m) => {
            const seen = {};
            for (const f of m.queryRenderedFeatures({layers: ["communes"]})) {
                seen[f.properties.code] = f.properties.v;
            }
            return seen;
        };
        const maps = window.mandatureMap.maps;
        return maps.map(count);
    }""")
    metropolitan, overseas = drawn[0], drawn[1:]
    assert len(metropolitan) > 34_000
    assert sum(1 for v in metropolitan.values() if v == "0") > 10_000  # first-time mayors
    assert sorted(len(m) for m in overseas) == [17, 22, 24, 32, 34]  # 976, 973, 974, 971, 972
    assert overseas[3]["97411"] in "0123"  # Saint-Denis de La Réunion has its colour


def dashboards_national_and_regional(page):
    page.set_viewport_size({"width": 1300, "height": 1000})
    page.goto("/tableau-de-bord/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("France entière")
    expect(page.locator(".kpis")).to_contain_text("contactés")
    expect(page.locator("svg[aria-labelledby='evolution-t evolution-d']")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "tableau-de-bord-france.png"), full_page=True)
    page.get_by_label("Région").select_option(label="Hauts-de-France")
    expect(page).to_have_url(re.compile(r"/tableau-de-bord/32/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hauts-de-France")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(5)  # Aisne, Nord, Oise, Pas-de-Calais, Somme
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le graphique (SVG)").click()
    path = download.value.path()
    svg = Path(path).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "Hauts-de-France" in svg
    assert date.today().strftime("%d/%m/%Y") in svg
    page.screenshot(path=str(ARTIFACTS / "tableau-de-bord-hauts-de-france.png"), full_page=True)
