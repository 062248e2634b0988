"""The benchmarks' scratch database (benchmarks/scratch_database.py) is created and migrated for
one run and dropped at its end, also when the run fails; ``keep`` leaves it, ``reuse`` takes it
up again as it was.

Each run is a child process: the context manager sets up Django on the database it makes,
which this process (already set up on the test database) cannot do again."""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from scratch_database import admin_execute, database_exists

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.postgres

# Prints what the block saw: the database Django is on, whether it was reused, whether the
# migrations ran (a product table exists) and the agencies in it; then adds one agency.
RUN = """
import sys
sys.path[:0] = [{root!r}, {benchmarks!r}]
from scratch_database import scratch_database

with scratch_database({name!r}, server={server!r}, keep={keep}, reuse={reuse}) as reused:
    from django.db import connection

    from agencies.models import Agency

    print(connection.settings_dict["NAME"], reused,
          "agencies_agency" in connection.introspection.table_names(),
          list(Agency.objects.filter(name="留下的单位").values_list("name", flat=True)))
    Agency.objects.create(name="留下的单位", kind="department")
    if {fail}:
        raise RuntimeError("the run failed")
"""


@pytest.fixture
def server():
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=""))


@pytest.fixture
def name(server):
    name = f"ip_scratch_test_{uuid.uuid4().hex[:8]}"
    yield name
    admin_execute(f'DROP DATABASE IF EXISTS "{name}"', server=server)


def run(name, server, *, keep=False, reuse=False, fail=False) -> subprocess.CompletedProcess:
    script = RUN.format(
        root=str(ROOT),
        benchmarks=str(ROOT / "benchmarks"),
        name=name,
        server=server,
        keep=keep,
        reuse=reuse,
        fail=fail,
    )
    return subprocess.run(  # noqa: S603  (this interpreter, a fixed script)
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_database_is_made_migrated_used_and_dropped(name, server):
    result = run(name, server)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [name, "False", "True", "[]"]
    assert not database_exists(name, server=server)


def test_a_failed_run_drops_its_database_too(name, server):
    result = run(name, server, fail=True)
    assert result.returncode != 0
    assert "the run failed" in result.stderr
    assert not database_exists(name, server=server)


def test_keep_leaves_the_database_and_reuse_takes_it_up_as_it_was(name, server):
    kept = run(name, server, keep=True)
    assert kept.returncode == 0, kept.stderr
    assert database_exists(name, server=server)

    reused = run(name, server, reuse=True)
    assert reused.returncode == 0, reused.stderr
    assert reused.stdout.split() == [name, "True", "True", "['留下的单位']"]
    assert not database_exists(name, server=server)


def test_without_reuse_a_database_left_by_an_earlier_run_is_made_anew(name, server):
    assert run(name, server, keep=True).returncode == 0

    again = run(name, server)
    assert again.returncode == 0, again.stderr
    assert again.stdout.split() == [name, "False", "True", "[]"]
    assert not database_exists(name, server=server)
