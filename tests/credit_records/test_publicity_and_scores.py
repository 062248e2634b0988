import datetime

import pytest
from django.test import override_settings

from credit_records.models import (
    AgencyCreditScore,
    AgencyCreditScoreHistory,
    AgencyRecordChange,
    CreditRecordEvent,
)
from credit_records.selectors import published_records
from credit_records.services.publicity import credit_records_expire_due
from credit_records.services.scoring import agency_scores_recompute, score_compute
from credit_records.tasks import expire_publicity, recompute_all_agency_scores

from .factories import CreditRecordFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def test_records_past_publicity_end_expire_in_batches_with_events_and_announcements(agency):
    due = [CreditRecordFactory(agency=agency, decided_on=D(2025, 1, 1)) for _ in range(5)]
    not_yet = CreditRecordFactory(agency=agency, decided_on=D(2025, 6, 1))  # ends 2026-06-01
    # Inside the minor term (3 months by default): a minor record is never published, so it
    # does not expire with the windows.
    minor = CreditRecordFactory(
        agency=agency, decided_on=D(2025, 11, 1), severity="minor", publicity_ends=None
    )
    revoked = CreditRecordFactory(agency=agency, decided_on=D(2020, 1, 1), status="revoked")
    assert credit_records_expire_due(today=D(2026, 1, 1), batch_size=2) == 5
    for record in due:
        record.refresh_from_db()
        assert record.status == "expired"
    for record, status in ((not_yet, "active"), (minor, "active"), (revoked, "revoked")):
        record.refresh_from_db()
        assert record.status == status
    assert CreditRecordEvent.objects.filter(action="expire").count() == 5
    assert AgencyRecordChange.objects.filter(reason="expire").count() == 5
    # Running again changes nothing.
    assert credit_records_expire_due(today=D(2026, 1, 1)) == 0
    assert CreditRecordEvent.objects.count() == 5


def test_publicity_ends_on_the_day_of_publicity_ends(agency):
    record = CreditRecordFactory(agency=agency, decided_on=D(2025, 3, 1))  # general: 2026-03-01
    assert credit_records_expire_due(today=D(2026, 2, 28)) == 0
    assert list(published_records(today=D(2026, 2, 28))) == [record]
    assert list(published_records(today=D(2026, 3, 1))) == []
    assert expire_publicity.apply(kwargs={}).get() == 1  # today is later than 2026-03-01


def test_minor_and_positive_records_are_never_published(agency):
    CreditRecordFactory(agency=agency, severity="minor", publicity_ends=None)
    CreditRecordFactory(agency=agency, kind="promise_kept")
    serious = CreditRecordFactory(agency=agency, severity="serious", decided_on=D(2026, 1, 1))
    assert list(published_records(today=D(2026, 6, 1))) == [serious]


@pytest.mark.parametrize(
    ("negatives", "positives", "expected"),
    [
        ({}, 0, (100, "A")),
        ({"minor": 1}, 0, (98, "A")),
        ({"general": 1}, 0, (90, "A")),
        ({"general": 2}, 0, (80, "B")),
        ({"serious": 1, "general": 1}, 0, (65, "C")),
        ({"serious": 2}, 0, (50, "D")),
        ({"serious": 5}, 0, (0, "D")),
        ({"general": 2}, 3, (86, "B")),
        ({"general": 2}, 50, (90, "A")),  # positive credit is capped
        ({}, 5, (100, "A")),  # never above 100
    ],
)
def test_score_and_grade_follow_the_weights(negatives, positives, expected):
    score, grade = score_compute(negatives=negatives, positives=positives)
    assert (int(score), grade) == expected


@override_settings(CREDIT_SCORE_WEIGHTS={"negative": {"general": 30}})
def test_weights_are_configurable():
    assert score_compute(negatives={"general": 1}, positives=0) == (70, "C")


def test_recompute_writes_history_only_when_the_score_changes(agency):
    record = CreditRecordFactory(agency=agency, severity="serious")
    CreditRecordFactory(agency=agency, status="revoked")  # not in force
    assert agency_scores_recompute(agency_ids=[agency.pk]) == 1
    assert agency_scores_recompute(agency_ids=[agency.pk]) == 0
    score = AgencyCreditScore.objects.get(agency=agency)
    assert (score.score, score.grade, score.active_negative_records) == (75, "B", 1)
    record.status = "expired"
    record.save()
    agency_scores_recompute(agency_ids=[agency.pk])
    assert list(
        AgencyCreditScoreHistory.objects.filter(agency=agency).values_list("score", "grade")
    ) == [(75, "B"), (100, "A")]


def test_nightly_recompute_covers_every_agency(agency):
    CreditRecordFactory(agency=agency, severity="general")
    CreditRecordFactory(severity="serious")
    assert recompute_all_agency_scores.apply().get() >= 2
    assert AgencyCreditScore.objects.get(agency=agency).score == 90
