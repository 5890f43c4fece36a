"""The API against its own OpenAPI schema (/api/schema/), fuzzed with schemathesis:
every operation, called by backbone staff of the shared world with generated
valid and invalid input, never answers 5xx, and every answer (its status code,
content type, headers and body) is one the schema describes.

Bounded and reproducible: a few examples per operation, derandomized.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.conf import settings
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from partnership.tests.factories import (
    CategoryFactory,
    DataPointFactory,
    DimensionFactory,
    GeographyFactory,
    period,
)

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# The schema as the app serves it (generating it reads no database). Every
# ``partnership_slug`` is the world's riverside: other slugs answer a documented 404
# and would test little.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
schema.config.update(parameters={"path.partnership_slug": "riverside"})
schema = schema.include(path_regex="^/api/v1/")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def backbone_token(world):
    from partnership.tokens import token_create

    kind = world.indicator.period_kind
    dimension = DimensionFactory(partnership=world.partnership, code="income")
    CategoryFactory(dimension=dimension, code="low")
    GeographyFactory(partnership=world.partnership, code="D1")
    for label in ("2020-21", "2021-22"):
        DataPointFactory(indicator=world.indicator, period=period(label, kind), numerator=5,
                         denominator=10, value=50)  # fmt: skip
    return token_create(user=world.users["backbone"], name="fuzz").key


@pytest.fixture
def generous_rates():
    rates = {"anon": "100000/minute", "user": "100000/minute"}
    cache.clear()
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK,
                                           "DEFAULT_THROTTLE_RATES": rates}):  # fmt: skip
        yield


@pytest.fixture
def keep_test_connection():
    """schemathesis calls the WSGI app directly, so each request's start and end
    would close the database connection (it is inside the test's transaction, not
    in autocommit) and lose the test data on PostgreSQL. Django's own test client
    disconnects the same handler for the same reason."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis_settings(
    max_examples=5,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, backbone_token, generous_rates, keep_test_connection):
    case.call_and_validate(headers={"Authorization": f"Token {backbone_token}"}, checks=CHECKS)
