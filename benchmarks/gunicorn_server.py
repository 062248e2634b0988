"""The HTTP benchmarks' server (the benchmarks' own helper, used by ``intake.py``, ``workflow.py``
through it, and ``credit_check.py``): gunicorn on 127.0.0.1 with docker/gunicorn.conf.py, as
deployed, overriding only what a benchmark must; started in its own process group, ready once
``/healthz`` answers 200, and stopped with all its workers.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "docker" / "gunicorn.conf.py"


def port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def command(
    app: Sequence[str],
    *,
    port: int,
    workers: int,
    worker_class: str = "sync",
    threads: int = 1,
    options: Sequence[str] = (),
) -> list[str]:
    """gunicorn's command line serving ``app`` (the WSGI target and any options of its own)."""
    return [
        # The interpreter running the benchmark, so the server has the same packages.
        sys.executable,
        "-m",
        "gunicorn",
        *app,
        # The deployed settings (access log, worker recycling, heartbeat directory);
        # the options below override only where the benchmark must differ.
        "--config",
        str(CONFIG),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        # gunicorn turns sync workers into gthread ones when given threads > 1.
        "--threads",
        str(threads if worker_class == "gthread" else 1),
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
        *options,
    ]


def start(
    app: Sequence[str],
    *,
    port: int,
    env: dict,
    workers: int,
    worker_class: str = "sync",
    threads: int = 1,
    options: Sequence[str] = (),
    timeout: float = 30.0,
) -> subprocess.Popen:
    """Start gunicorn and return once it answers; exit the benchmark when it does not within
    ``timeout`` seconds (a busy port, a server that dies while starting)."""
    if port_in_use(port):
        raise SystemExit(f"127.0.0.1:{port} is already in use; pass another --port")
    process = subprocess.Popen(
        command(
            app,
            port=port,
            workers=workers,
            worker_class=worker_class,
            threads=threads,
            options=options,
        ),
        cwd=ROOT,
        env=env,
        start_new_session=True,  # its own process group, so a SIGKILL reaches every worker
        stdout=subprocess.DEVNULL,  # the access log: written, as deployed, then dropped
    )
    if not wait_ready(process, port, timeout):
        stop(process)
        raise SystemExit(f"gunicorn did not start on 127.0.0.1:{port}")
    return process


def wait_ready(process: subprocess.Popen, port: int, timeout: float) -> bool:
    """Whether ``/healthz`` answered 200 within ``timeout`` seconds while ``process`` ran."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return True
        except (OSError, http.client.HTTPException):
            pass  # not listening yet, or a worker still booting
        finally:
            conn.close()
        time.sleep(0.2)
    return False


def stop(process: subprocess.Popen, timeout: float = 15.0) -> None:
    """Stop gunicorn: SIGTERM to the master, which stops its workers gracefully (a signal sent
    to the workers themselves is logged as an error); SIGKILL to the whole process group when
    it has not exited after ``timeout`` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
