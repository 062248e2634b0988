"""Instructions executed per request, counted by valgrind's callgrind: nearly the same figure
on every run, whatever else the machine is doing.

CPU seconds on a shared 2-core machine move by 30% within minutes, which hides a change worth
5%. An instruction count hardly moves (repeated runs of the same code, inputs and hash seed
agreed within 0.5% here, with a rare run well above the others: run it twice), so it is the
figure to compare a change by; the HTTP benchmarks then say what it bought in requests per
second.

``request_cpu.py --instructions`` re-runs itself under valgrind with instrumentation off
(Django's start-up runs at a few times native speed), and switches counting on only around the
measured loop through a client request: a few lines of C, compiled here with the machine's gcc
against valgrind's header into a temporary directory (nothing binary is kept in the repository).
Needs Debian's ``valgrind`` and ``gcc``.
"""

import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

# Set in the child that runs under valgrind: where its counts go.
OUT_FILE_ENV = "IP_CALLGRIND_OUT"

_TOGGLE_SOURCE = r"""
#include <valgrind/callgrind.h>
void counting_start(void) { CALLGRIND_START_INSTRUMENTATION; CALLGRIND_TOGGLE_COLLECT; }
void counting_stop(void) { CALLGRIND_TOGGLE_COLLECT; CALLGRIND_STOP_INSTRUMENTATION; }
"""


def under_valgrind() -> bool:
    return OUT_FILE_ENV in os.environ


def rerun_under_valgrind(argv: list[str]) -> int:
    """Run ``python argv`` under callgrind, counting only inside ``counted()``; returns the
    instructions counted."""
    missing = [tool for tool in ("valgrind", "gcc") if not shutil.which(tool)]
    if missing:
        raise SystemExit(f"--instructions needs {' and '.join(missing)} (Debian packages)")
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "callgrind.out"
        library = Path(work) / "toggle.so"
        source = Path(work) / "toggle.c"
        source.write_text(_TOGGLE_SOURCE)
        subprocess.run(
            ["gcc", "-shared", "-fPIC", "-O1", "-o", str(library), str(source)], check=True
        )
        env = {
            **os.environ,
            OUT_FILE_ENV: str(out),
            "IP_CALLGRIND_TOGGLE": str(library),
            # str hashes decide dict and set layouts, hence the instructions: fix them.
            "PYTHONHASHSEED": "0",
        }
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                "--collect-atstart=no",
                f"--callgrind-out-file={out}",
                sys.executable,
                *argv,
            ],
            env=env,
            check=True,
            stderr=subprocess.DEVNULL,
        )
        return _total(out)


def _total(out: Path) -> int:
    for line in out.read_text().splitlines():
        if line.startswith("totals:"):  # the "summary:" line before it stays 0 when toggled
            return int(line.split()[1])
    raise SystemExit(f"no instruction total in {out}")


@contextmanager
def counted():
    """Count the instructions of the block (a no-op outside valgrind)."""
    if not under_valgrind():
        yield
        return
    toggle = ctypes.CDLL(os.environ["IP_CALLGRIND_TOGGLE"])
    toggle.counting_start()
    try:
        yield
    finally:
        toggle.counting_stop()
