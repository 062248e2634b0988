"""Enqueueing that never loses work and never fails a request.

Every task the product enqueues mirrors a row already committed to the database (an outbox
row, an event row). If the broker is down the publish fails here, is logged, and the periodic
sweep that scans for unconsumed rows enqueues it again later.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> bool:
    """Publish ``task`` now; return False (and log) instead of raising when the broker is down."""
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except Exception:
        # Broad on purpose: kombu raises several connection error types; the sweep recovers.
        logger.warning("could not enqueue %s; the sweep will retry", task.name, exc_info=True)
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Publish ``task`` after the current transaction commits (immediately outside one)."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))
