"""``manage.py load_demo`` gives every evaluation count something to show, and is idempotent."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from complaints.models import Complaint
from evaluation.definitions import COUNTS
from evaluation.figures import Period, count_tallies

# Transactional: breaches reach credit records and sanctions through on-commit tasks.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_fills_every_count_and_loads_once():
    call_command("load_demo", "--quiet", stdout=io.StringIO())
    today = timezone.localdate()
    tally = count_tallies(period=Period(today - dt.timedelta(days=230), today), group_by="all")
    empty = [code for code in COUNTS if not tally["all"].counts[code]]
    assert empty == []
    before = Complaint.objects.count()
    call_command("load_demo", "--quiet", stdout=io.StringIO())
    assert Complaint.objects.count() == before
