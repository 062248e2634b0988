"""The stage outcomes a complaint stores when a stage ends (what the figures aggregate), the
migration that filled them from the events, and the routing cutoff for pending complaints."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from complaints.models import Complaint
from complaints.services.outcomes import OUTCOME_FIELDS, routing_due
from evaluation.figures import routing_cutoff
from integrity_portal.workdays import Calendar

from .world import build_world

pytestmark = pytest.mark.django_db


def _outcomes():
    return {
        row["pk"]: row for row in Complaint.objects.values("pk", *OUTCOME_FIELDS).order_by("pk")
    }


def test_each_stage_records_its_outcome_when_it_ends():
    c = build_world().complaints
    late = Complaint.objects.get(pk=c["late"].pk)
    # Routed on submission, the acceptance stage still running (overdue, judged at read time).
    assert late.routed_at is not None and late.routed_on_time is True
    assert late.accepted_on_time is None and late.founded_at is None
    rectified = Complaint.objects.get(pk=c["rectified"].pk)
    assert rectified.accepted_on_time is True and rectified.verified_on_time is True
    assert rectified.founded_at is not None and rectified.first_closed_at is not None
    assert rectified.handling_workdays == 0  # submitted and closed the same day
    assert rectified.reopened_at is None
    reopened = Complaint.objects.get(pk=c["reopened"].pk)
    assert reopened.reopened_at is not None and reopened.first_closed_at is not None
    assert reopened.status == "verifying"
    withdrawn = Complaint.objects.get(pk=c["withdrawn"].pk)
    assert withdrawn.first_closed_at is not None and withdrawn.handling_workdays is None


def test_the_migration_fills_the_same_outcomes_from_the_events():
    build_world()
    stored = _outcomes()
    assert any(row["reopened_at"] for row in stored.values())
    Complaint.objects.update(**dict.fromkeys(OUTCOME_FIELDS))
    migration = importlib.import_module("complaints.migrations.0016_stage_outcomes")
    migration.backfill(apps, None)
    assert _outcomes() == stored


def test_the_routing_cutoff_agrees_with_the_routing_limit_of_each_submission_day():
    calendar = Calendar()
    # Around the National Day holiday and a weekend: every submission day, several reads.
    days = [dt.date(2025, 9, 25) + dt.timedelta(days=n) for n in range(20)]
    for read_day in days[5:]:
        as_of = timezone.make_aware(dt.datetime.combine(read_day, dt.time(10)))
        cutoff = routing_cutoff(as_of, calendar)
        for day in days:
            submitted = timezone.make_aware(dt.datetime.combine(day, dt.time(15)))
            if submitted >= as_of:
                continue
            late = routing_due(submitted, calendar) < as_of
            assert (submitted < cutoff) == late, (day, read_day)
