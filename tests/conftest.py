"""Shared fixtures: the national territories are loaded once per test session."""

import os
from dataclasses import dataclass
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
    from mandature.compliance.seed import seed_elections
    from mandature.housing.importer import import_dgcl
    from mandature.housing.models import KeyFigure
    from mandature.housing.seed import seed_key_figures
    from mandature.movement.seed import seed_organisations
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
    seed_organisations()
    seed_elections()
    from mandature.surveys.seed import seed_example_survey

    seed_example_survey()
    from mandature.publications.seed import seed_publications

    seed_publications()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_national_territories()


def pytest_collection_modifyitems(items):
    """Browser tests and the tests marked `flushes` empty the database when they end: run them
    last (browser tests reload the national data they need)."""
    items.sort(
        key=lambda item: "/e2e/" in str(item.fspath) or bool(item.get_closest_marker("flushes"))
    )


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


# --- personas -------------------------------------------------------------------------------
# Everyone works inside a scope: page tests act as a national chargé de mission (a federation's
# staff: all of France, no two-factor) unless they take another persona. `anonymous` is a client
# with no login.
PASSWORD = "Logement-social-2026"


@dataclass
class Personas:
    admin: object  # administrateur national (the Union), two-factor set up
    national: object  # chargé de mission of a federation: all of France
    regional: object  # chargé de mission of the regional association of Hauts-de-France (32)
    organism: object  # collaborateur of an organism with homes in Bouches-du-Rhône and Vaucluse
    reader: object  # lecture seule, regional association of Hauts-de-France
    organism_org: object


def make_user(email, organisation, role, **narrowed):
    from mandature.movement.accounts import create_account

    first, last = email.split("@")[0].split(".")
    return create_account(
        email,
        first.capitalize(),
        last.capitalize(),
        organisation,
        role,
        narrowed=narrowed,
        password=PASSWORD,
    )


def make_personas() -> Personas:
    from mandature.movement.enums import Family, OrganisationKind, Role
    from mandature.movement.models import Organisation

    union = Organisation.objects.get(kind=OrganisationKind.UNION)
    federation = Organisation.objects.get(kind=OrganisationKind.FEDERATION, short_name="FOPH")
    regional = Organisation.objects.get(kind=OrganisationKind.REGIONAL, regions="32")
    organism, _ = Organisation.objects.get_or_create(
        siren="552046484",
        defaults={
            "kind": OrganisationKind.ORGANISM,
            "name": "Provence Habitat (test)",
            "family": Family.OPH,
            "head_office_id": "13055",
            "federation": federation,
        },
    )
    organism.departements.set(["13", "84"])
    return Personas(
        admin=make_user("alice.admin@union-habitat.test", union, Role.ADMIN),
        national=make_user("nina.national@foph.test", federation, Role.CHARGE),
        regional=make_user("remi.regional@arhlm-hdf.test", regional, Role.CHARGE),
        organism=make_user("olga.organisme@provence-habitat.test", organism, Role.ORGANISM),
        reader=make_user("lea.lecture@arhlm-hdf.test", regional, Role.READER),
        organism_org=organism,
    )


@pytest.fixture
def personas(db) -> Personas:
    return make_personas()


def login(client, user, verified: bool = True):
    """Log the client in as the user; a national administrator also passes the two-factor step
    (a confirmed TOTP device, verified in the session)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user, backend="mandature.movement.auth.EmailBackend")
    if verified and user.profile.role == "admin":
        device, _ = TOTPDevice.objects.get_or_create(user=user, defaults={"name": "test"})
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def anonymous():
    from django.test import Client

    return Client()


@pytest.fixture
def client(client, personas):
    return login(client, personas.national)


# --- a real SMTP server on localhost -------------------------------------------------------
class SmtpSink:
    """Messages received by a local SMTP server (aiosmtpd), parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's name
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_smtp(handler, port: int | None = None):
    """An aiosmtpd server on 127.0.0.1 (a free port unless given): (controller, port)."""
    from aiosmtpd.controller import Controller

    port = port or free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


@pytest.fixture
def smtp_sink(settings):
    """Mandature sends through SMTP (django's smtp backend) to a server on 127.0.0.1."""
    sink = SmtpSink()
    controller, port = start_smtp(sink)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield sink
    controller.stop()
