"""Where a benchmark's CPU went: seconds of CPU per kind of process over a measured window.

On a 2-core machine the server, PostgreSQL, Redis and the load generator share the cores, so
a throughput figure alone does not say which of them to make cheaper. ``snapshot`` reads every
process's user and system time from ``/proc`` (Linux; elsewhere it reads nothing and the
report is empty) and this process's finished children's (the load generator, run to its end
inside the window); ``report`` turns two snapshots into CPU per answered request by kind.
"""

import os
import resource
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")

# Process names (``comm``) as the report names them; gunicorn is found by its master's pid.
KINDS = {"postgres": "PostgreSQL", "redis-server": "Redis"}
LOAD_GENERATOR = -1  # the pseudo-pid under which the finished children's time is kept


def _stat(pid) -> tuple[str, int, float, float]:
    """Process ``pid``'s name, parent pid, user and system CPU seconds (``/proc/<pid>/stat``;
    raises OSError when it has exited)."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    return name, int(fields[1]), int(fields[11]) / TICKS, int(fields[12]) / TICKS


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of one process of this machine."""
    _name, _parent, user, system = _stat(pid)
    return user + system


def snapshot(
    server_pid: int, others: dict[int, str] | None = None
) -> dict[int, tuple[str, float, float]]:
    """``{pid: (kind, user s, system s)}`` of every readable process; the server is
    ``server_pid`` (gunicorn's master) and its children; ``others`` names more process trees
    by their root's pid (e.g. ``{celery_pid: "celery worker"}``)."""
    others = others or {}
    seen = {}
    for entry in Path("/proc").glob("[0-9]*"):
        pid = int(entry.name)
        if pid == os.getpid():
            continue  # the benchmark itself, waiting for the load generator
        try:
            name, parent, user, system = _stat(pid)
        except OSError:
            continue  # exited meanwhile
        if server_pid in (pid, parent):
            kind = "gunicorn"
        else:
            kind = others.get(pid) or others.get(parent) or KINDS.get(name, "other")
        seen[pid] = (kind, user, system)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    seen[LOAD_GENERATOR] = ("load generator", children.ru_utime, children.ru_stime)
    return seen


def seconds_by_kind(before: dict, after: dict) -> dict[str, tuple[float, float]]:
    """``{kind: (user s, system s)}`` used between the snapshots (a process started in
    between counts from zero)."""
    totals: dict[str, tuple[float, float]] = {}
    for pid, (kind, user, system) in after.items():
        _, user_before, system_before = before.get(pid, (kind, 0.0, 0.0))
        used = (user - user_before, system - system_before)
        if sum(used) > 0:
            total = totals.get(kind, (0.0, 0.0))
            totals[kind] = (total[0] + used[0], total[1] + used[1])
    return totals


def report(
    before: dict, after: dict, *, requests: int, seconds: float, per: str = "request"
) -> str:
    """One line: each kind's CPU ms per request, its share of all the machine's cores and
    how much of it was spent in the kernel."""
    totals = seconds_by_kind(before, after)
    if not totals or requests <= 0:
        return ""
    cores = os.cpu_count() or 1
    parts = [
        f"{kind} {1000 * (user + system) / requests:.2f} ms "
        f"({100 * (user + system) / (seconds * cores):.0f}% of cores, "
        f"{100 * system / (user + system):.0f}% kernel)"
        for kind, (user, system) in sorted(totals.items(), key=lambda item: -sum(item[1]))
    ]
    return f"CPU per {per}: " + "; ".join(parts)
