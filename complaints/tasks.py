"""Celery tasks of the complaints app: thin, take ids, call a service, safe to run twice (the
house retry policy is the app's task class, ``integrity_portal.celery.HouseTask``)."""

from celery import shared_task


@shared_task
def notification_deliver(notification_ids: list[int]) -> int:
    """Deliver outbox rows written by a committed transaction (claimed, so never sent twice)."""
    from .services.notifications import notification_deliver as deliver

    return deliver(ids=notification_ids)


@shared_task
def notification_drain() -> int:
    """Deliver the outbox rows not yet tried (published once per window per web process by
    ``enqueue_drain_on_commit``)."""
    from .services.notifications import notification_drain as drain

    return drain()


@shared_task
def notification_sweep() -> int:
    """Beat job: deliver whatever the on-commit task could not (broker or mail server down)."""
    from .services.notifications import notification_sweep as sweep

    return sweep()


@shared_task
def stats_refresh() -> int:
    """Beat job: recompute the public statistics (/stats/) so visitors only read them."""
    from .selectors import public_statistics

    return public_statistics(refresh=True)["total"]


@shared_task
def deadline_sweep() -> dict:
    """Beat job: reminders, supervision notices (督办函) and escalations (DESIGN section 5)."""
    from .services.supervision import sweep_deadlines

    return sweep_deadlines()


@shared_task
def staged_uploads_purge() -> int:
    """Beat job: remove evidence staged on public forms that were never submitted (a day)."""
    from .services.staging import staged_uploads_purge as purge

    return purge()
