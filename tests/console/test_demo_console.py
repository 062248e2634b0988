"""The demo fills every console page on first run: an overdue and a supervised case (the
overdue one the demo handler's), a pending objection and a repair application awaiting the
credit office; a second run changes none of it."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from complaints.models import Complaint, Feedback
from credit_records.choices import ObjectionStatus
from credit_records.models import Objection
from sanctions.choices import RepairStatus
from sanctions.models import Repair

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
