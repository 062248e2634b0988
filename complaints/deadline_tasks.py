"""Beat job of the deadline supervision (DESIGN section 5): thin, calls the service."""

from celery import shared_task


@shared_task(acks_late=True)
def deadline_sweep() -> dict:
    """Reminders, supervision notices (督办函) and escalations; safe to run twice."""
    from .services.deadlines import sweep_deadlines

    return sweep_deadlines()
