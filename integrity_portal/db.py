"""Retrying a transaction PostgreSQL aborted to break a conflict.

Lock order keeps the known pairs from deadlocking: rows that other rows point at (agencies,
credit records) are locked ``FOR NO KEY UPDATE``, which does not conflict with the ``KEY
SHARE`` locks PostgreSQL takes on them when a referencing row (an event, an outbox row, a
sanction's basis) is inserted. What remains — a deadlock among paths not foreseen, or a
serialization failure — is the database's "try again": the whole transaction is retried a few
times rather than answered as a 500.
"""

import functools
import logging
import random
import time

from django.db import DatabaseError, transaction

logger = logging.getLogger(__name__)

# SQLSTATE serialization_failure and deadlock_detected: the transaction was rolled back whole,
# so running it again is safe.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
ATTEMPTS = 4


def is_retryable(exc: BaseException) -> bool:
    return getattr(exc.__cause__, "pgcode", None) in RETRYABLE_SQLSTATES


def retry_on_conflict(func):
    """Run ``func`` (which opens its own ``transaction.atomic``) again when PostgreSQL aborted
    it as a deadlock victim or a serialization failure. Inside an outer transaction nothing is
    retried: the outer block is already aborted and its owner decides."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return func(*args, **kwargs)
            except DatabaseError as exc:
                outer = transaction.get_connection().in_atomic_block
                if outer or attempt == ATTEMPTS or not is_retryable(exc):
                    raise
                logger.warning(
                    "%s: %s, attempt %d of %d",
                    func.__qualname__,
                    exc.__cause__.pgcode,
                    attempt,
                    ATTEMPTS,
                )
                time.sleep(random.uniform(0.005, 0.05) * attempt)  # noqa: S311 — jitter only
        raise AssertionError("unreachable")

    return wrapper
