"""Generated requests over the whole OpenAPI schema, anonymous and as a credit officer: no
answer is a 5xx (issue: "no 5xx on any input"). Two examples per operation (67 operations)
keep the run short; the generator still sends wrong types, huge numbers, odd strings and
missing fields to every operation, the same ones in every run."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token

from agencies.choices import StaffRole
from integrity_portal.wsgi import application
from tests.agencies.factories import StaffFactory

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

FUZZ = settings(
    max_examples=2,
    deadline=None,
    derandomize=True,  # the same inputs in every run: a failure reproduces
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The requests go straight to the WSGI application, whose request signals would close the
    test's database connection (it is inside the test's transaction); Django's test client
    disconnects the same handler for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def officer_token(db):
    return Token.objects.create(user=StaffFactory(role=StaffRole.CREDIT_OFFICER)).key


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_no_generated_request_gets_a_server_error(case, officer_token):
    for headers in ({}, {"Authorization": f"Token {officer_token}"}):
        response = case.call(headers=headers)
        assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
