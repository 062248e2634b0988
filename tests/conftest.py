"""Shared fixtures. Service-dependent tests skip with a reason when the service is absent,
except when the run promises the service, where a missing service is a failure, not a skip:

- ``REQUIRE_SERVICES=1`` (CI's PostgreSQL + Redis run): every service is required.
- ``REQUIRE_BROWSER=1`` (CI's embedded run): Chromium is required for tests marked ``browser``;
  tests marked ``postgres`` / ``redis`` still skip, since an embedded run has neither.

Markers do the check before the test starts: ``postgres`` (DATABASE_URL is PostgreSQL),
``redis`` (CELERY_BROKER_URL or REDIS_URL set), ``browser`` (``chromium`` on PATH).
"""

import os
import shutil

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from agencies.choices import StaffRole
from tests.agencies.factories import AgencyFactory, StaffFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
REQUIRE_BROWSER = REQUIRE_SERVICES or os.environ.get("REQUIRE_BROWSER") == "1"

_current_item: pytest.Item | None = None


def skip_or_fail(reason: str):
    """Skip locally; fail when the run promises the service (see the module docstring)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing under REQUIRE_SERVICES=1: {reason}")
    if (
        REQUIRE_BROWSER
        and _current_item is not None
        and _current_item.get_closest_marker("browser")
    ):
        pytest.fail(f"Chromium missing under REQUIRE_BROWSER=1: {reason}")
    pytest.skip(reason)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # A hook, not a marker-added fixture: fixtures added after collection are never set up.
    global _current_item  # the test being set up, for skip_or_fail
    _current_item = item
    if item.get_closest_marker("postgres") and not settings.USING_POSTGRES:
        skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://…")
    if item.get_closest_marker("redis") and not (settings.CELERY_BROKER_URL or settings.REDIS_URL):
        skip_or_fail("needs Redis: set CELERY_BROKER_URL=redis://… and REDIS_URL=redis://…")
    if item.get_closest_marker("browser") and shutil.which("chromium") is None:
        skip_or_fail("needs Chromium: install the Debian package chromium")


@pytest.fixture
def _require_postgres():
    if not settings.USING_POSTGRES:
        skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://…")


DB_FIXTURES = {"db", "transactional_db", "live_server"}


@pytest.fixture(autouse=True)
def _migration_seeds_after_flush(request):
    """Transactional tests (live_server, transactional_db, a real worker) end by truncating every
    table, which also empties what the data migrations seeded: the national region list, the
    default time limits and the sanction catalogue. Put it back, through the functions those
    migrations call, before any test that uses the database. Cost: one query while it is there."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if marker is None and not DB_FIXTURES & set(request.fixturenames):
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    restore_migration_seeds()


def restore_migration_seeds() -> bool:
    """One query when the seeded rows are there; otherwise the migrations' own seeding functions
    insert what is missing. Returns whether anything had to be restored."""
    from django.db.models import Exists

    from agencies.models import Region
    from credit_records.models import RecordPolicy
    from evaluation.models import EvaluationScheme
    from integrity_portal.models import TimeLimitPolicy
    from sanctions.models import Measure

    seeded = Region.objects.filter(
        Exists(TimeLimitPolicy.objects.all()),
        Exists(Measure.objects.all()),
        Exists(EvaluationScheme.objects.all()),
        Exists(RecordPolicy.objects.all()),
    )
    if seeded.exists():
        return False
    from agencies.regions import load_regions
    from evaluation.scheme import seed_default_scheme
    from integrity_portal.seeding import seed_time_limits
    from sanctions.catalogue import seed_catalogue

    if not Region.objects.exists():
        load_regions(Region)
    seed_time_limits()
    seed_catalogue()
    seed_default_scheme(EvaluationScheme)
    RecordPolicy.objects.get_or_create(pk=1)  # credit_records migration 0005
    return True


FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Every staff factory, demo login and ``client.login`` hashes a password; PBKDF2 at Django's
    iteration count costs a large part of a second per hash on a busy machine and dominated many
    tests. No test is about the hasher's strength (production settings keep Django's default);
    the tests that check a password round trip (set, then ``check_password`` / login) still do,
    through the fast hasher. ``override_settings`` sends ``setting_changed``, which empties
    Django's cached hasher list."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle counters live in the cache; one test's requests must not throttle the next.
    # The per-process configuration caches may hold rows a rolled-back test created, and a
    # pending drain remembered by one test would silence the next test's publish.
    from django.core.cache import cache

    from credit_records.models import record_policy_cache
    from integrity_portal.models import policies_cache
    from integrity_portal.tasking import drain_pending_forget
    from integrity_portal.workdays import overrides_cache

    clears = (
        cache.clear,
        policies_cache.clear,
        overrides_cache.clear,
        record_policy_cache.clear,
        drain_pending_forget,
    )
    for clear in clears:
        clear()
    yield
    for clear in clears:
        clear()


@pytest.fixture
def eager_tasks(settings):
    """Tasks run in-process as in embedded mode, even when a broker is set. Through the
    setting, never by assigning ``app.conf.task_always_eager``: celery reads Django's
    settings live, but a value assigned to ``app.conf`` stays for the rest of the session,
    and the tests after it could no longer switch eager mode by the setting."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


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


@pytest.fixture
def cache_calls(monkeypatch):
    """The cache calls made from here on, as ``(method, key or sorted keys)``, outermost only:
    Django's local-memory cache answers ``get_many`` with a ``get`` per key."""
    from django.core.cache import caches

    backend = caches["default"]
    calls = []
    depth = [0]

    def counted(name, original):
        def call(keys, *args, **kwargs):
            if depth[0] == 0:
                calls.append((name, keys if isinstance(keys, str) else sorted(keys)))
            depth[0] += 1
            try:
                return original(keys, *args, **kwargs)
            finally:
                depth[0] -= 1

        return call

    for name in ("get", "get_many", "set", "set_many", "add", "incr", "delete", "delete_many"):
        monkeypatch.setattr(backend, name, counted(name, getattr(backend, name)))
    return calls


@pytest.fixture(autouse=True)
def _default_language():
    # A request through the test client in English leaves English active in this thread
    # (LocaleMiddleware activates, nothing deactivates); each test starts in the source language.
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
