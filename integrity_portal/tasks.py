"""Diagnostic task: proves that a message travels broker → worker → database → cache.

Operators run it after a deployment (``diagnostic_ping.delay("x")`` in ``manage.py shell``,
then read the cache key); the integration test sends it to a real worker process.
"""

import os
import socket

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection

DIAGNOSTIC_KEY = "diagnostic-ping:{token}"
DIAGNOSTIC_TTL = 300


def diagnostic_key(token: str) -> str:
    return DIAGNOSTIC_KEY.format(token=token)


@shared_task(name="integrity_portal.diagnostic_ping", ignore_result=True)
def diagnostic_ping(token: str) -> dict:
    """Write what this worker sees (database name, user count, pid) under the token's key."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT current_database()")
            database = cursor.fetchone()[0]
        else:
            database = str(connection.settings_dict["NAME"])
    report = {
        "token": token,
        "database": database,
        "users": get_user_model().objects.count(),
        "hostname": socket.gethostname(),
        "pid": os.getpid(),
    }
    cache.set(diagnostic_key(token), report, timeout=DIAGNOSTIC_TTL)
    return report
