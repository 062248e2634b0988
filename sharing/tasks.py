"""Thin tasks of the sharing app (the house retry policy: integrity_portal.celery.HouseTask)."""

import time

from celery import shared_task

from .services.webhooks import webhooks_deliver, webhooks_fan_out

RUN_SECONDS = 50  # a run ends before the next beat one starts


@shared_task
def webhooks_run() -> int:
    """Number new changes, fan them out to the subscriptions and deliver what is due, until
    nothing is left or the time box ends; return how many were delivered."""
    deadline = time.monotonic() + RUN_SECONDS
    delivered = 0
    while time.monotonic() < deadline:
        queued = webhooks_fan_out()
        sent = webhooks_deliver()
        delivered += sent
        if not queued and not sent:
            break
    return delivered
