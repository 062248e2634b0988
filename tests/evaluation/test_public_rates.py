"""/stats/ shows 按时办结率, 整改率 and 满意率 for the city and per domain from the evaluation's
counts, rankings only with STATS_MIN_CASES, fresh within ten minutes in embedded mode."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from evaluation import tasks
from evaluation.figures import rate
from evaluation.public import public_rates
from tests.complaints.factories import ComplaintFactory

from .world import build_world

pytestmark = pytest.mark.django_db

# Mid-year, so that the world's complaints (up to three weeks old) fall in this year.
MID_YEAR = time_machine.travel(dt.datetime(2026, 6, 20, 2, tzinfo=dt.UTC))


@MID_YEAR
def test_city_and_domain_rates_follow_the_evaluation_counts():
    world = build_world()
    rates = public_rates()
    city = rates["city"]
    assert city["received"] == 11
    # founded 3 (rectified, settled, breach): rectified or settled 2
    assert city["rectification_rate"] == rate(2, 3)
    assert city["satisfaction_rate"] == "0.5000"
    arrears = next(d for d in rates["domains"] if d["domain"] == "payment_arrears")
    assert arrears["received"] == 11  # the world's complaints are all payment arrears
    procurement = next(d for d in rates["domains"] if d["domain"] == "procurement")
    assert procurement["received"] == 0 and procurement["on_time_rate"] is None
    assert [r["agency"] for r in rates["ranking"]] == [world.respondent.name]


@MID_YEAR
def test_the_page_shows_the_rates_and_the_chart(client):
    build_world()
    page = client.get("/stats/").content.decode()
    assert "按时办结率" in page and "整改率" in page and "0.6667" in page
    assert 'id="rates"' in page and "<svg" in page and "某区教育局" in page
    english = client.get("/stats/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "On-time completion rate" in english


def test_embedded_mode_recomputes_figures_older_than_ten_minutes(client, settings):
    settings.CELERY_BROKER_URL = ""  # embedded mode: no broker, hence no beat
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert client.get("/stats/").status_code == 200
        ComplaintFactory()
        assert public_rates()["city"]["received"] == 0  # cached
    with time_machine.travel(start + dt.timedelta(minutes=11), tick=False):
        assert public_rates()["city"]["received"] == 1
        page = client.get("/stats/").content.decode()
    assert "<td>1</td>" in page


def test_with_a_broker_beat_refreshes_them_every_ten_minutes(settings):
    job = settings.CELERY_BEAT_SCHEDULE["evaluation-public-rates-refresh"]
    assert job["task"] == "evaluation.tasks.public_rates_refresh" and job["schedule"] <= 600
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # never contacted here
    public_rates()
    ComplaintFactory()
    assert public_rates()["city"]["received"] == 0  # read from the cache
    assert tasks.public_rates_refresh() == 1
    assert public_rates()["city"]["received"] == 1
