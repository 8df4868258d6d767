"""Browser tests: Playwright driving Debian's chromium against the live server."""

import shutil

import pytest

from tests.conftest import ARTIFACTS, load_national_territories

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--enable-unsafe-swiftshader",  # WebGL (the map) without a GPU
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def national_data(transactional_db):
    """Transactional tests empty the tables when they end: reload the territories if needed."""
    load_national_territories()


def _browser_page(request, browser, live_server, cookies=()):
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    if cookies:
        context.add_cookies(list(cookies))
    page = context.new_page()
    # Generous: a launch sends its messages inside the request (immediate task backend), and
    # CI machines may be busy; a broken page still fails, only later.
    page.set_default_timeout(30_000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(request, browser, live_server, national_data):
    """A browser logged in as a national chargé de mission (all of France)."""
    from django.test import Client

    from tests.conftest import login, make_personas

    personas = make_personas()
    session = login(Client(), personas.national).cookies["sessionid"].value
    host = live_server.url.split("//")[1].split(":")[0]
    cookie = {"name": "sessionid", "value": session, "domain": host, "path": "/"}
    yield from _browser_page(request, browser, live_server, [cookie])


@pytest.fixture
def anonymous_page(request, browser, live_server, national_data):
    yield from _browser_page(request, browser, live_server)
