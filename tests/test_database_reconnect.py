"""Persistent connections without Django's per-request health check (the default): a
connection the database dropped fails the one request that meets it, as an outage (503 with
Retry-After, ``integrity_portal.outage``), and Django discards it when that request ends, so
the next request reconnects. The check would instead cost every request one more
transaction (``SELECT 1``), which doubled the transactions per submitted complaint."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import OperationalError, connection, connections

from integrity_portal.outage import is_outage


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_dropped_connection_fails_one_request_then_is_replaced():
    db = connection.settings_dict
    assert db["CONN_HEALTH_CHECKS"] is False  # the default this test describes
    max_age, db["CONN_MAX_AGE"] = db["CONN_MAX_AGE"], 60  # persistent, as in production
    try:
        connection.close()
        request_started.send(sender=None)  # what Django's handler sends
        pid = backend_pid()
        request_finished.send(sender=None)
        # The database drops it (a restart, a failover), seen from another connection.
        other = connections.create_connection("default")
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        other.close()

        request_started.send(sender=None)
        with pytest.raises(OperationalError) as failed:
            backend_pid()
        assert is_outage(failed.value)  # answered 503 + Retry-After, not 500
        request_finished.send(sender=None)

        request_started.send(sender=None)
        assert backend_pid() != pid  # a new connection: this request works
        request_finished.send(sender=None)
    finally:
        db["CONN_MAX_AGE"] = max_age
        connection.close()
