"""The HTTP benchmarks' server helper (benchmarks/gunicorn_server.py) starts gunicorn with the
deployed settings, returns once it answers, stops it with its workers, and gives up at once on
a busy port or a server that dies while starting."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import gunicorn_server

APP = """
def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["PATH_INFO"].encode()]
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def group_alive(pgid: int) -> bool:
    """Whether a process of the group is still running (exited ones may linger unreaped)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            raw = stat.read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


@pytest.fixture
def app_dir(tmp_path):
    (tmp_path / "tiny_app.py").write_text(APP)
    return tmp_path


def test_started_server_answers_and_stops_with_its_workers(app_dir):
    port = free_port()
    process = gunicorn_server.start(
        ["tiny_app:application", "--pythonpath", str(app_dir)],
        port=port,
        env=dict(os.environ),
        workers=2,
    )
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            assert answer.read() == b"/healthz"
        assert group_alive(process.pid)
    finally:
        gunicorn_server.stop(process)
    assert process.returncode is not None
    deadline = time.monotonic() + 5
    while group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not group_alive(process.pid), "a worker outlived the stop"
    assert not gunicorn_server.port_in_use(port)


# A master that ignores SIGTERM, with a child that inherits the disposition (as a hung worker).
STUBBORN = """
import signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
print("ready", flush=True)
time.sleep(60)
"""


def test_a_server_that_ignores_sigterm_is_killed_with_its_whole_group():
    process = subprocess.Popen(  # noqa: S603  (fixed interpreter and arguments)
        [sys.executable, "-c", STUBBORN],
        start_new_session=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline() == "ready\n"
    gunicorn_server.stop(process, timeout=0.5)
    deadline = time.monotonic() + 5
    while group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not group_alive(process.pid), "the child outlived the stop"


def test_a_busy_port_is_refused_before_anything_starts(app_dir):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(SystemExit, match="already in use"):
            gunicorn_server.start(["tiny_app:application"], port=port, env={}, workers=1)


def test_a_server_that_dies_while_starting_is_reported_without_waiting_out_the_timeout(app_dir):
    started = time.monotonic()
    with pytest.raises(SystemExit, match="did not start"):
        gunicorn_server.start(
            ["no_such_module:application", "--pythonpath", str(app_dir)],
            port=free_port(),
            env=dict(os.environ),
            workers=1,
            timeout=60,
        )
    assert time.monotonic() - started < 30


def test_threads_only_reach_gthread_workers():
    def threads(worker_class):
        line = gunicorn_server.command(
            ["app:application"], port=1, workers=1, worker_class=worker_class, threads=4
        )
        return line[line.index("--threads") + 1]

    assert (threads("sync"), threads("gthread")) == ("1", "4")
