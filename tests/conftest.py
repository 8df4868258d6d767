"""Shared fixtures: the national territories are loaded once per test session."""

import os
from pathlib import Path

import pytest
from django.conf import settings

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API beside Django

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


RNE = settings.DATA_DIR / "rne"
# Two real national mayors files around the renewal of March 2026, loaded once per session.
SESSION_RNE_FILES = [RNE / "rne-maires_2022-02.csv.gz", RNE / "elus-maires-mai_2026-04.csv.gz"]


def load_national_territories():
    """Territories, two mayors files, the bundled housing data and the seeded content (which
    transactional tests flush with everything else)."""
    from mandature.briefs.models import BriefContent, BriefQuestion
    from mandature.briefs.seed import seed_first_content
    from mandature.housing.importer import import_dgcl
    from mandature.housing.models import KeyFigure
    from mandature.housing.seed import seed_key_figures
    from mandature.officials.importer import import_rne
    from mandature.officials.services import renewal_summary
    from mandature.territories.loader import load_territories
    from mandature.territories.models import Commune

    if not Commune.objects.exists():
        load_territories(settings.DATA_DIR / "geo")
        for path in SESSION_RNE_FILES:
            import_rne(path)
        for path in sorted((settings.DATA_DIR / "housing").glob("dgcl_*.csv.gz")):
            import_dgcl(path)
        renewal_summary()  # as `load-data` does: the home page does not compute it on a visit
    seed_key_figures(KeyFigure)
    seed_first_content(BriefContent, BriefQuestion)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_national_territories()


def pytest_collection_modifyitems(items):
    """Browser tests flush the database when they end: run them last."""
    items.sort(key=lambda item: "/e2e/" in str(item.fspath))


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
