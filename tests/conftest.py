"""Shared fixtures. Service-dependent tests skip with a reason when the service is absent,
except under REQUIRE_SERVICES=1 (CI), where a missing service is a failure, not a skip."""

import os

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from agencies.choices import StaffRole
from tests.agencies.factories import AgencyFactory, StaffFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str):
    """Skip locally; fail in CI, where every service is provided."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing under REQUIRE_SERVICES=1: {reason}")
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in item.keywords and not settings.USING_POSTGRES:
            item.add_marker(pytest.mark.usefixtures("_require_postgres"))


@pytest.fixture
def _require_postgres():
    if not settings.USING_POSTGRES:
        skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://…")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle counters live in the cache; one test's requests must not throttle the next.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def agency(db):
    return AgencyFactory()


@pytest.fixture
def make_staff(db):
    def _make(role: str = StaffRole.HANDLER, agency=None, **kwargs):
        if agency is None:
            agency = AgencyFactory()
        return StaffFactory(role=role, agency=agency, **kwargs)

    return _make


@pytest.fixture
def credit_officer(make_staff):
    return make_staff(role=StaffRole.CREDIT_OFFICER)


@pytest.fixture
def superuser(db):
    from agencies.models import User

    return User.objects.create_superuser("root", "root@example.invalid", "root-pass-123456")


@pytest.fixture
def client_for(api_client):
    """``client_for(user)`` → an APIClient authenticated as ``user`` (None = anonymous)."""

    def _client(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return _client
