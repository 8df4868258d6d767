"""A property-based test of the whole API schema (schemathesis): for every operation, requests
built from the schema (valid and invalid parameters) never get a server error, and every answer
conforms to the schema (status code documented, body and content type as declared)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection

from tests.api.helpers import populate, token_for

pytestmark = pytest.mark.django_db


def _schema():
    """The schema the application serves, its requests sent in-process (WSGI)."""
    from django.core.wsgi import get_wsgi_application

    from mandature.api.views import api

    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema())
    loaded.app = get_wsgi_application()
    return loaded


schema = _schema()


@pytest.fixture(autouse=True)
def open_connection():
    """Like Django's test client: the test's database connection stays open between requests."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def headers(personas):
    populate(personas)
    return {"Authorization": f"Bearer {token_for(personas.national)}"}


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_conforms_to_its_schema_and_never_fails(case, headers):
    excluded = [negative_data_rejection] if unwritable_query(case) else []
    case.call_and_validate(headers=headers, excluded_checks=excluded)


def unwritable_query(case) -> bool:
    """An invalid value that no query string can carry: an object or an empty list given for
    a query parameter is dropped by the client (`{"nom": {}}` sends no `nom` at all), so the
    request that reaches the API is a valid one, rightly accepted. Every other check (no
    server error, answers as the schema declares) still applies to such a case."""
    return any(isinstance(value, dict) or value == [] for value in (case.query or {}).values())
