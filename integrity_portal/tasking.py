"""Enqueueing that never loses work and never fails a request.

Every task the product enqueues mirrors a row already committed to the database (an outbox
row, an event row). If the broker is down the publish fails here, is logged, and the periodic
sweep that scans for unconsumed rows enqueues it again later.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, *args, countdown: float | None = None, **kwargs) -> bool:
    """Publish ``task`` now; return False (and log) instead of raising when the broker is down."""
    try:
        task.apply_async(args=args, kwargs=kwargs, countdown=countdown)
    except Exception:
        # Broad on purpose: kombu raises several connection error types; the sweep recovers.
        logger.warning("could not enqueue %s; the sweep will retry", task.name, exc_info=True)
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Publish ``task`` after the current transaction commits (immediately outside one)."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))


# Task -> monotonic time until which a published drain covers this process's commits. Keyed
# by the task object's identity (tasks are module-level objects that live as long as the
# process): its ``name`` resolves celery's task proxy, a cost paid on every commit otherwise.
_drain_due: dict[int, float] = {}
_drain_lock = threading.Lock()


def enqueue_drain_on_commit(task, *, window: float) -> None:
    """After commit, make sure a run of ``task`` (a drain that takes no arguments and handles
    every pending outbox row) starts no later than ``window`` seconds from now.

    For paths that write an outbox row on every request (the intake's receipts): publishing a
    message per request cost more CPU than the rest of the request's Python, so each process
    publishes one delayed drain per window and skips the publish while one is pending. A
    commit that skips is covered because it happened before that drain's ETA, and the drain
    reads every unsent row when it runs. If the worker runs it early anyway (clocks of web and
    worker hosts apart by more than the window), the periodic sweep delivers what it missed.
    Eager mode (embedded, no broker) runs the drain at once on every commit.
    """
    transaction.on_commit(lambda: _enqueue_drain(task, window))


def _enqueue_drain(task, window: float) -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        enqueue(task)
        return
    now, key = time.monotonic(), id(task)
    with _drain_lock:
        if _drain_due.get(key, 0.0) > now:
            return
        _drain_due[key] = now + window
    # Across processes: the first web process to ask in a window publishes, the others see
    # its mark in the shared cache and skip (at most one cache call per process and window).
    # Their commits are covered as this process's are: they came before that drain's ETA.
    # Each drain costs the worker a few transactions whatever it finds, so four web
    # processes publishing one each per window cost four times that at a light load.
    shared_key = f"drain-due:{task.name}"
    if not _cache_add(shared_key, window):
        return
    if not enqueue(task, countdown=window):
        with _drain_lock:
            _drain_due.pop(key, None)  # the next commit tries again
        _cache_delete(shared_key)


def _cache_add(key: str, window: float) -> bool:
    """Mark a drain as published for ``window`` seconds; True when nobody had. A cache that is
    down answers True: publishing one drain too many is harmless."""
    try:
        return cache.add(key, 1, timeout=window)
    except Exception:  # broad on purpose: the cache backend's connection errors vary
        logger.warning("cache unavailable for the drain mark; publishing", exc_info=True)
        return True


def _cache_delete(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:  # as above; the mark then simply expires
        logger.warning("cache unavailable to clear the drain mark", exc_info=True)


def drain_pending_forget() -> None:
    """Forget the pending drains of this process (tests, and after a fork)."""
    with _drain_lock:
        _drain_due.clear()
