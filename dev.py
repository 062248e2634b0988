#!/usr/bin/env python3
"""The two commands of the README, runnable on a fresh machine with nothing but Python 3.11+.

    python3 dev.py run     # virtualenv, install, migrate, demo data, serve (embedded mode)
    python3 dev.py test    # virtualenv, install, run the test suite (extra args go to pytest)
    python3 dev.py install # only the virtualenv and the installation (CI, editors)

Environment variables (DATABASE_URL, CELERY_BROKER_URL, REDIS_URL, ...) are passed through, so
the same test command runs against PostgreSQL and Redis when they are set.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("PORTAL_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".installed-from"


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(*args: str | Path, **kwargs) -> None:
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, **kwargs)


def ensure_environment() -> None:
    if not PYTHON.exists():
        say(f"creating virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        say("installing dependencies (first run takes a minute)")
        run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(PYTHON, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
        STAMP.write_text(wanted)


def manage(*args: str) -> None:
    run(PYTHON, "manage.py", *args)


def cmd_run(args: list[str]) -> None:
    ensure_environment()
    address = args[0] if args else os.environ.get("PORTAL_ADDRESS", "127.0.0.1:8000")
    say("migrating the database")
    manage("migrate", "--noinput", "-v0")
    say("loading demo data")
    manage("load_demo")
    host, _, port = address.rpartition(":")
    shown_host = "127.0.0.1" if host in ("", "0.0.0.0") else host  # noqa: S104
    say(f"serving on http://{shown_host}:{port}/  (console: /console/, API docs: /api/docs/)")
    say("press Ctrl+C to stop")
    os.execv(PYTHON, [str(PYTHON), str(ROOT / "manage.py"), "runserver", address, "--noreload"])


def cmd_install(args: list[str]) -> None:
    ensure_environment()
    say(f"ready: {PYTHON}")


def cmd_test(args: list[str]) -> None:
    ensure_environment()
    os.chdir(ROOT)
    os.execv(PYTHON, [str(PYTHON), "-m", "pytest", *args])


def main() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036  (runs under whatever python3 the machine has)
        sys.exit("Python 3.11 or newer is required / 需要 Python 3.11 或更高版本")
    commands = {"run": cmd_run, "test": cmd_test, "install": cmd_install}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
