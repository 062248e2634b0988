"""The figures of DESIGN section 8, from complaints driven through the real services, and the
rows behind each count (the dashboard's drill-down) equal to it."""

import datetime as dt

import pytest
from django.test import override_settings

from evaluation.definitions import COUNTS
from evaluation.figures import Period, count_tallies, evaluate, rate, rows_behind
from evaluation.scheme import current_scheme

from .world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def _row(rows, key):
    return next(r for r in rows if r["key"] == key)


def test_respondent_figures_follow_the_definitions(world):
    rows = evaluate(period=world.period, group_by="respondent", scheme=current_scheme())
    row = _row(rows, world.respondent.pk)
    assert row["name"] == "某区教育局"
    assert row["received"] == 10  # withdrawn and rejected included
    assert row["unfounded"] == 1 and row["rectified"] == 1 and row["settled"] == 1
    assert row["breaches"] == 1
    # founded: rectified, settled (via negotiating), breach; ended: + unfounded (now) = 4
    assert row["founded_rate"] == "0.7500"
    # (satisfied + neutral) / rated
    assert row["satisfaction_rate"] == "0.5000" and row["dissatisfied"] == 1
    # reopened 1 of the closed (unfounded, rectified, settled, breach, rejected, withdrawn,
    # reopened) = 7
    assert row["reopen_rate"] == rate(1, 7)
    # payment_arrears: 30 days from routing to verify (条例 第二十五条): only "late" is overdue
    assert row["overdue_open"] == 1
    # acceptance: ten stages ended on time, the late one fell overdue
    assert row["accepted_on_time_rate"] == rate(8, 9)
    assert row["routed_on_time_rate"] == "1.0000"
    assert row["arrears_outstanding"] == "1000.00" and row["arrears_cleared"] == "700.00"
    assert row["ranked"] is True and row["rank"] == 1
    assert row["avg_handling_workdays"] is not None
    assert row["sanctions_imposed"] >= 0 and row["avg_repair_workdays"] is None


def test_a_group_below_the_minimum_is_listed_unranked(world):
    rows = evaluate(period=world.period, group_by="respondent", scheme=current_scheme())
    other = _row(rows, world.other.pk)
    assert other["received"] == 1 and other["ranked"] is False and other["rank"] is None
    assert rows[-1]["key"] == world.other.pk  # the unranked come after the ranked
    with override_settings(EVALUATION_MIN_CASES=1):
        rows = evaluate(period=world.period, group_by="respondent", scheme=current_scheme())
    assert _row(rows, world.other.pk)["ranked"] is True


def test_handling_and_region_groupings_add_up_to_the_same_complaints(world):
    scheme = current_scheme()
    handling = evaluate(period=world.period, group_by="handling", scheme=scheme)
    assert _row(handling, world.department.pk)["received"] == 11
    region = evaluate(period=world.period, group_by="region", scheme=scheme)
    county = world.respondent.region_id
    assert _row(region, county)["received"] == 11
    city = evaluate(period=world.period, group_by="region", level="city", scheme=scheme)
    assert _row(city, county[:4] + "00")["received"] == 11


def test_a_complaint_counts_in_the_period_it_was_submitted(world):
    before = Period(world.period.start - dt.timedelta(days=100), world.period.start)
    assert evaluate(period=before, group_by="respondent", scheme=current_scheme()) == []
    recent = Period(world.period.end - dt.timedelta(days=5), world.period.end)
    rows = evaluate(period=recent, group_by="respondent", scheme=current_scheme())
    assert _row(rows, world.respondent.pk)["received"] == 8  # the two late ones left out


@pytest.mark.parametrize("group_by", ["respondent", "handling", "region"])
def test_every_count_equals_the_rows_behind_it(world, group_by):
    tallies = count_tallies(period=world.period, group_by=group_by)
    assert tallies, "the world produced no group"
    for key, tally in tallies.items():
        for code in COUNTS:
            rows = rows_behind(period=world.period, group_by=group_by, key=key, count=code)
            assert rows.count() == tally.counts[code], (group_by, key, code)
