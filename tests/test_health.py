"""/healthz (process alive) and /readyz (database and, when configured, broker reachable)."""

import time

import pytest
from django.test import override_settings

from integrity_portal.celery import app as celery_app

pytestmark = pytest.mark.django_db

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def broker_url(monkeypatch):
    """Point Django settings and the (already configured) Celery app at a broker URL.

    Celery's ``conf.broker_url`` prefers the ``CELERY_BROKER_URL`` environment variable over
    its configuration, so under CI (which sets it) the variable has to change as well.
    """
    saved = celery_app.conf.broker_url

    def _set(url):
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        celery_app.conf.broker_url = url
        return override_settings(CELERY_BROKER_URL=url)

    yield _set
    celery_app.conf.broker_url = saved


def test_healthz_answers_ok_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}


def test_readyz_is_ok_with_a_reachable_database_and_no_broker(client):
    with override_settings(CELERY_BROKER_URL=""):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_readyz_is_503_when_the_broker_port_is_closed(client, broker_url):
    started = time.monotonic()
    with broker_url(CLOSED_PORT_BROKER):
        response = client.get("/readyz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] != "ok"
    assert "Error" in body["checks"]["broker"] or "refused" in body["checks"]["broker"].lower()
    # The probe really tried the closed port (not some other configured broker).
    connection = celery_app.connection_for_write()
    assert (connection.transport_cls, connection.hostname, connection.port) == (
        "redis",
        "127.0.0.1",
        1,
    )
    # A probe must answer quickly even when the broker is down.
    assert elapsed < 10


def test_readyz_is_503_when_the_database_fails(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("server closed the connection unexpectedly")

    with override_settings(CELERY_BROKER_URL=""):
        monkeypatch.setattr(connection, "cursor", broken_cursor)
        response = client.get("/readyz")
        monkeypatch.undo()
    assert response.status_code == 503
    assert "OperationalError" in response.json()["checks"]["database"]


def test_readyz_is_ok_with_a_reachable_redis_broker(client, broker_url):
    from django.conf import settings

    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis://"):
        from tests.conftest import skip_or_fail

        skip_or_fail("needs Redis: set CELERY_BROKER_URL=redis://…")
    with broker_url(url):
        response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}
