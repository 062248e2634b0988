"""The Celery application. Broker and beat schedule come from Django settings (CELERY_*).

Every task of the product is a ``HouseTask`` (the app's task class, so ``@shared_task`` gives
one): the house retry policy lives here once instead of on each decorator.
"""

import os

from celery import Celery, Task
from django.db import InterfaceError, OperationalError


class HouseTask(Task):
    """The house retry policy (STYLE.md, tasks): acknowledged only after it ran, so a worker
    that dies mid-task leaves the message to another; retried with exponential backoff (and
    jitter, capped at ten minutes, at most eight times) when the database is briefly
    unreachable or aborts the transaction (a deadlock or serialization failure is an
    ``OperationalError``). Every task is safe to run twice, so a retry never double-counts;
    what is still undone after the last retry is found by the task's sweep."""

    acks_late = True
    autoretry_for = (OperationalError, InterfaceError)
    retry_backoff = True
    retry_backoff_max = 600
    retry_jitter = True
    retry_kwargs = {"max_retries": 8}


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "integrity_portal.settings")

app = Celery("integrity_portal", task_cls=HouseTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
