"""A task travels through Redis to a real ``celery worker`` process and back via the cache."""

import os
import uuid

import pytest
from django.core.cache import cache
from django.db import connection

from integrity_portal.tasking import enqueue
from integrity_portal.tasks import diagnostic_key, diagnostic_ping
from tests.agencies.factories import StaffFactory

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_task_sent_through_redis_runs_in_the_worker_process_on_the_test_database(
    celery_worker_process,
):
    StaffFactory()  # committed (transactional_db): the worker must see it
    token = uuid.uuid4().hex

    assert enqueue(diagnostic_ping, token) is True

    report = celery_worker_process.wait_for(
        lambda: cache.get(diagnostic_key(token)), what="the diagnostic ping's report"
    )
    assert report["token"] == token
    assert report["database"] == connection.settings_dict["NAME"]
    assert report["users"] == 1
    assert report["pid"] == celery_worker_process.process.pid
    assert report["pid"] != os.getpid()


def test_task_is_not_run_in_process_when_a_broker_is_configured(celery_worker_process):
    from django.conf import settings

    token = uuid.uuid4().hex
    assert settings.CELERY_TASK_ALWAYS_EAGER is False

    diagnostic_ping.delay(token)

    report = celery_worker_process.wait_for(
        lambda: cache.get(diagnostic_key(token)), what="the diagnostic ping's report"
    )
    assert report["pid"] != os.getpid()


def test_receipts_are_delivered_by_the_drain_in_the_worker(celery_worker_process):
    """Two submissions share one delayed drain (published once per window by this process);
    the worker sends both receipts (console mail backend: they appear in its log)."""
    from complaints.models import Notification
    from tests.complaints.factories import complaint_submit_for_test

    first, _ = complaint_submit_for_test()
    second, _ = complaint_submit_for_test(contact_phone="13900000002")
    ours = Notification.objects.filter(complaint__in=[first, second])
    assert ours.count() == 4  # email and SMS for each

    celery_worker_process.wait_for(
        lambda: not ours.filter(sent_at__isnull=True).exists(), what="both receipts to be sent"
    )
    log = celery_worker_process.log_tail(400)
    assert first.reference in log and second.reference in log
    assert "notification_drain" in log


def test_breaches_are_ingested_by_the_drain_in_the_worker(celery_worker_process):
    """Two breach determinations committed here ask for one ingestion drain; the worker
    turns both into credit records (each exactly once)."""
    from credit_records.models import ConsumedComplaintEvent, CreditRecord
    from tests.credit_records.helpers import breach

    first, first_event = breach()
    second, second_event = breach()
    records = CreditRecord.objects.filter(complaint__in=[first, second])

    celery_worker_process.wait_for(
        lambda: records.count() == 2, what="both breaches to become credit records"
    )
    assert ConsumedComplaintEvent.objects.filter(event__in=[first_event, second_event]).count() == 2
    assert "drain_complaint_events" in celery_worker_process.log_tail(400)
