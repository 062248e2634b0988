"""Django's PostgreSQL backend, with a health check that costs no round trip for a
connection in steady use.

With ``CONN_HEALTH_CHECKS``, Django sends ``SELECT 1`` before the first query of every request
that reuses a connection. On the credit check that was one of a request's four round trips,
with the server's work and two context switches on a machine whose two cores are shared by
gunicorn, PostgreSQL and Redis.

What the check finds is a connection that ended while it sat between requests. When the
server ends one (a restart, ``pg_terminate_backend``, ``idle_session_timeout``), it sends an
error message and closes the socket, so the socket has something to read; asking the kernel
whether it has is one ``poll`` without waiting. So ``SELECT 1`` is skipped when both hold:

- the socket has nothing to read; and
- the connection finished its previous request in good health (used, with no error
  that called its health into question) less than ``QUIET_SECONDS`` ago.

Otherwise Django's check runs as before. What is given up: a connection that died without a
word (the database host gone, or an address moved to another host by a failover) within that
second is found by the request's own first query instead of by the check. That request fails
as if the database had failed while it ran, as it could have a moment later, and Django drops
the connection when the request ends. A connection quiet for longer is checked as before.
"""

import select
import time

from django.db.backends.postgresql import base

QUIET_SECONDS = 1.0


def has_something_to_read(connection) -> bool:
    """Whether the driver connection's socket has data or an end waiting (never blocks).
    Any event counts: data, the server's close, an error or a hang-up."""
    poller = select.poll()
    poller.register(connection.fileno(), select.POLLIN)
    return bool(poller.poll(0))


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Whether the request under way has asked for a cursor or a transaction.
        self.used_since_last_boundary = False
        # When the connection last finished a request in good health (monotonic).
        self.finished_healthy_at = None

    def close_if_unusable_or_obsolete(self):
        # Django calls this when a request starts and when it ends (Celery closes connections
        # around each task instead, so a task always starts on a new one). A boundary after
        # use with no error that puts the connection's health in doubt (``errors_occurred``;
        # an IntegrityError does not) is the end of a request the connection served well.
        if self.used_since_last_boundary and not self.errors_occurred:
            self.finished_healthy_at = time.monotonic()
        self.used_since_last_boundary = False
        super().close_if_unusable_or_obsolete()

    def close_if_health_check_failed(self):
        # Django calls this before every cursor and transaction, opening one or not.
        self.used_since_last_boundary = True
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self.finished_healthy_at is not None
            and time.monotonic() - self.finished_healthy_at < QUIET_SECONDS
            and not has_something_to_read(self.connection)
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def close(self):
        super().close()
        if self.connection is None:
            self.finished_healthy_at = None
