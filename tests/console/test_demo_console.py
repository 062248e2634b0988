"""The demo fills every console page on first run: an overdue and a supervised case (the
overdue one the demo handler's), a pending objection and a repair application awaiting the
credit office; an active webhook subscription with the delivery log of the demo's own changes
(a failed attempt, its error logged: nothing listens at the demo receiver); a second run
changes none of it."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from agencies.models import User
from complaints.models import Complaint, Feedback
from credit_records.choices import ObjectionStatus
from credit_records.models import Objection
from sanctions.choices import RepairStatus
from sanctions.models import Repair
from sharing.demo import DEMO_WEBHOOK_NAME, DEMO_WEBHOOK_URL
from sharing.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db


def state():
    return (
        sorted(
            Complaint.objects.values_list(
                "reference", "due_at", "supervised_at", "assignee_id", "status"
            )
        ),
        sorted(Feedback.objects.values_list("complaint_id", "satisfaction")),
        sorted(Objection.objects.values_list("pk", "status")),
        sorted(Repair.objects.values_list("pk", "status")),
        sorted(WebhookSubscription.objects.values_list("pk", "url", "cursor")),
        sorted(WebhookDelivery.objects.values_list("pk", "status", "attempts")),
    )


def test_demo_has_overdue_supervised_objection_and_repair_and_is_idempotent():
    call_command("load_demo", "--quiet", stdout=StringIO())
    now = timezone.now()
    # Overdue cases are supervised by the demo's own sweep (as in production): overdue is
    # what the handler's queue counts, supervised or not.
    overdue = Complaint.objects.filter(due_at__lt=now)
    assert overdue.filter(handling_agency__name="杭州市教育局").exists()
    assert Complaint.objects.filter(supervised_at__isnull=False).exists()
    assert Objection.objects.filter(status=ObjectionStatus.PENDING).count() == 1
    assert Repair.objects.filter(status=RepairStatus.PENDING).count() == 1
    # Deliverable 9: a case assigned to the demo handler, a dissatisfied follow-up.
    assert Complaint.objects.filter(assignee__username="handler").count() == 1
    followed = Feedback.objects.get(complaint__contract_title="专精特新中小企业奖励政策")
    assert followed.flagged and followed.satisfaction == "dissatisfied" and followed.comment
    before = state()
    call_command("load_demo", "--quiet", stdout=StringIO())
    assert state() == before


def test_demo_webhook_page_shows_a_subscription_and_its_failed_delivery():
    call_command("load_demo", "--quiet", stdout=StringIO())
    subscription = WebhookSubscription.objects.get()
    assert subscription.is_active and subscription.name == DEMO_WEBHOOK_NAME
    assert subscription.region == "3301"  # the demo city's officer registered it
    deliveries = list(subscription.deliveries.order_by("id"))
    assert len(deliveries) == 3
    head = deliveries[0]
    assert head.attempts == 1 and head.status == "pending" and head.last_error
    attempt = WebhookAttempt.objects.get()
    assert attempt.delivery_id == head.pk and attempt.error and attempt.status_code is None
    officer = Client()
    officer.force_login(User.objects.get(username="credit_officer"))
    listing = officer.get("/console/sharing/webhooks/").content.decode()
    row = listing.split(f'id="subscription-{subscription.pk}"')[1].split("</tr>")[0]
    assert DEMO_WEBHOOK_URL in row and "信用记录、失信惩戒" in row and "启用" in row
    log = officer.get(f"/console/sharing/webhooks/{subscription.pk}/").content.decode()
    first = log.split(f'id="delivery-{head.pk}"')[1].split("</tr>")[0]
    # Nothing listens on the demo address: the attempt says so in words, not as a code.
    assert attempt.error == "connection" and "无法连接接收方" in first
    assert "connection" not in first.replace("http://", "")
    assert head.payload["entity"] not in first  # the change as labels, not codes


def test_demo_publishes_last_years_arrears_list_and_credit_links_to_it():
    """On first run /credit/ links to last year's published list of overdue payments to SMEs,
    published by the province's office, with the overdue contract the platform pushed."""
    from credit_records.models import ArrearsPublication

    call_command("load_demo", "--quiet", stdout=StringIO())
    year = timezone.localdate().year - 1
    publication = ArrearsPublication.objects.get(year=year)
    assert publication.status == ArrearsPublication.Status.PUBLISHED
    assert publication.published_by.username == "credit_officer_province"
    public = Client()
    listing = public.get("/credit/").content.decode()
    assert f'href="/credit/arrears/{year}/"' in listing.split('id="arrears-years"')[1]
    page = public.get(f"/credit/arrears/{year}/").content.decode()
    assert "杭州市余杭区实验中学" in page and "96,500.00" in page
