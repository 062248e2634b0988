"""The PostgreSQL backend's health check: no ``SELECT 1`` for a connection in steady use, and
Django's check whenever the connection may have ended since its last request.

Each test drives its own connection (a copy of the default settings with persistent
connections) through what Django does around a request: ``close_if_unusable_or_obsolete`` when
a request starts and when it ends, and the health check before the request's first query.
"""

import time
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection as default_connection
from django.db import connections
from django.db.utils import load_backend

from integrity_portal.db.postgresql import base as backend

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def persistent():
    settings_dict = {**default_connection.settings_dict, "CONN_MAX_AGE": 600}
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "persistent")
    yield wrapper
    wrapper.close()


def request_using(wrapper, sql="SELECT pg_backend_pid()"):
    """One request: start, one query (after the health check, as Django does), end."""
    wrapper.close_if_unusable_or_obsolete()
    with wrapper.cursor() as cursor:
        cursor.execute(sql)
        (value,) = cursor.fetchone()
    wrapper.close_if_unusable_or_obsolete()
    return value


def test_the_configured_engine_is_this_backend():
    assert settings.DATABASES["default"]["ENGINE"] == "integrity_portal.db.postgresql"
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert isinstance(connections["default"], backend.DatabaseWrapper)


def test_a_connection_in_steady_use_is_reused_without_a_select_1(persistent):
    first = request_using(persistent)
    with mock.patch.object(persistent, "is_usable", wraps=persistent.is_usable) as check:
        assert request_using(persistent) == first
        assert request_using(persistent) == first
    assert check.call_count == 0


def test_a_connection_quiet_for_longer_than_a_second_is_checked_as_django_does(persistent):
    first = request_using(persistent)
    persistent.finished_healthy_at = time.monotonic() - backend.QUIET_SECONDS - 0.01
    with mock.patch.object(persistent, "is_usable", wraps=persistent.is_usable) as check:
        assert request_using(persistent) == first
    assert check.call_count == 1


def test_a_connection_the_server_ended_is_replaced_before_the_first_query(persistent):
    first = request_using(persistent)
    with default_connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [first])
    # The backend's goodbye (an error message, then the close) reaches the socket.
    deadline = time.monotonic() + 5
    while not backend.has_something_to_read(persistent.connection):
        assert time.monotonic() < deadline, "the ended connection never became readable"
        time.sleep(0.01)
    assert time.monotonic() - persistent.finished_healthy_at < backend.QUIET_SECONDS

    second = request_using(persistent)  # would raise OperationalError without a check

    assert second != first


def test_a_request_that_ended_with_an_error_does_not_vouch_for_the_connection(persistent):
    request_using(persistent)
    persistent.finished_healthy_at = time.monotonic() - backend.QUIET_SECONDS - 0.01
    persistent.close_if_unusable_or_obsolete()
    with persistent.cursor() as cursor:
        cursor.execute("SELECT 1")
    persistent.errors_occurred = True  # as Django marks it after a database error
    persistent.close_if_unusable_or_obsolete()  # request end: Django's own check runs
    with mock.patch.object(persistent, "is_usable", wraps=persistent.is_usable) as check:
        request_using(persistent)
    assert check.call_count == 1


def test_a_request_that_did_not_use_the_connection_does_not_vouch_for_it(persistent):
    request_using(persistent)
    persistent.finished_healthy_at = time.monotonic() - backend.QUIET_SECONDS - 0.01
    # A request that never touched the database: started and ended, nothing in between.
    persistent.close_if_unusable_or_obsolete()
    persistent.close_if_unusable_or_obsolete()
    with mock.patch.object(persistent, "is_usable", wraps=persistent.is_usable) as check:
        request_using(persistent)
    assert check.call_count == 1


def test_an_idle_healthy_socket_has_nothing_to_read(persistent):
    request_using(persistent)
    assert backend.has_something_to_read(persistent.connection) is False
