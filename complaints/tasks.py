"""Celery tasks of the complaints app: thin wrappers around services, safe to run twice."""

from celery import shared_task


@shared_task(acks_late=True)
def notification_deliver(notification_ids: list[int]) -> int:
    """Deliver outbox rows written by a committed transaction (claimed, so never sent twice)."""
    from .services.notifications import notification_send

    return sum(notification_send(notification_id=pk) for pk in notification_ids)


@shared_task(acks_late=True)
def notification_drain() -> int:
    """Deliver the outbox rows not yet tried (receipts, published once per window per web
    process by ``enqueue_drain_on_commit``)."""
    from .services.notifications import notification_drain as drain

    return drain()


@shared_task(acks_late=True)
def notification_sweep() -> int:
    """Beat job: deliver whatever the on-commit task could not (broker or mail server down)."""
    from .services.notifications import notification_sweep as sweep

    return sweep()


@shared_task(acks_late=True)
def stats_refresh() -> int:
    """Beat job: recompute the public statistics (/stats/) so visitors only read them."""
    from .selectors import public_statistics

    return public_statistics(refresh=True)["total"]


from .deadline_tasks import deadline_sweep  # noqa: E402, F401  (Celery autodiscovery)
