"""A PostgreSQL database of the benchmarks' own, made for one run: ``scratch_database`` points
this process's Django at it, creates it (dropping one left by an earlier run), migrates it,
and drops it when the run ends, however it ends, unless ``keep``.

    with scratch_database("ip_credit_bench", broker_url=args.broker_url, keep=args.keep):
        ...  # Django is set up on the migrated database

Shared by ``ingest.py``, ``sweep.py``, ``reconcile.py`` and ``credit_check.py``;
``intake.py`` uses ``admin_execute`` and ``database_exists`` to create its (kept) database.
"""

import contextlib
import os
from collections.abc import Iterator

SERVER = "postgres://postgres@127.0.0.1:5432"


def admin_execute(sql: str, *, server: str = SERVER) -> None:
    """Run ``sql`` (CREATE or DROP DATABASE) on ``server``'s maintenance database: neither
    statement runs inside a transaction or on the database it names."""
    import psycopg2

    conn = psycopg2.connect(f"{server}/postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
    finally:
        conn.close()


def database_exists(name: str, *, server: str = SERVER) -> bool:
    import psycopg2

    conn = psycopg2.connect(f"{server}/postgres")
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None
    finally:
        conn.close()


@contextlib.contextmanager
def scratch_database(
    name: str,
    *,
    server: str = SERVER,
    broker_url: str = "",
    redis_url: str = "",
    keep: bool = False,
    reuse: bool = False,
) -> Iterator[bool]:
    """Set up Django in this process on a new, migrated database ``name`` on ``server``; drop
    it on the way out unless ``keep``. Without ``broker_url`` tasks run inline (embedded mode);
    without ``redis_url`` the cache is the local-memory one; logging is at WARNING (the runs
    print their own figures). With ``reuse`` an existing database of that name (an earlier
    ``keep``) is migrated and used as it is. Yields whether it was reused. The environment is
    set for child processes too: a server started inside the block runs on the same database."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "integrity_portal.settings"
    os.environ["DATABASE_URL"] = f"{server}/{name}"
    os.environ["CELERY_BROKER_URL"] = broker_url
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
    else:
        os.environ.pop("REDIS_URL", None)
    os.environ["LOG_LEVEL"] = "WARNING"
    reused = reuse and database_exists(name, server=server)
    if not reused:
        admin_execute(f'DROP DATABASE IF EXISTS "{name}"', server=server)
        admin_execute(f'CREATE DATABASE "{name}"', server=server)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        yield reused
    finally:
        if not keep:
            from django.db import connections

            # DROP DATABASE refuses while a session is connected, this process's included.
            connections.close_all()
            admin_execute(f'DROP DATABASE IF EXISTS "{name}"', server=server)
