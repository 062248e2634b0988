"""Generated requests over the whole OpenAPI schema, anonymous and as a credit officer: no
answer is a 5xx (issue: "no 5xx on any input").

Every operation gets three kinds of input, the same ones in every run (derandomized):

- the schema's own examples;
- two generated examples (hypothesis, no shrinking);
- the coverage phase's systematic cases — wrong types, values past a boundary, invalid enum
  values and formats, missing required fields, unexpected properties, methods and content
  types, and the valid boundary values — one case per *scenario* and *parameter location*
  (path, query, header, body) of the operation. The coverage phase alone generates about 6,300
  cases (every scenario for every field, once per media type and per wrong type), which made
  this the suite's most expensive test by far; one case of each scenario at each location keeps
  every kind of bad input reaching every operation at about a ninth of the requests.

The schema is loaded, and its cases generated, once per session (at collection)."""

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
    phases=[Phase.explicit, Phase.generate],  # explicit = schema examples + coverage cases
    suppress_health_check=list(HealthCheck),
)

_coverage_kinds_seen: set[tuple] = set()


@schema.hook
def filter_case(context, case):
    """Keep the first coverage case of each (operation, mode, scenario, parameter location);
    cases of the other phases (schema examples, generated) all pass."""
    if case.meta is None or case.meta.phase.name != "coverage":
        return True
    kind = (
        context.operation.label,
        case.meta.generation.mode,
        case.meta.phase.data.scenario,
        case.meta.phase.data.parameter_location,
    )
    if kind in _coverage_kinds_seen:
        return False
    _coverage_kinds_seen.add(kind)
    return True


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
