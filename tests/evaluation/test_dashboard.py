"""/console/evaluation/: who opens it, presets, sorting, and every figure's link landing on
exactly the rows behind it."""

import re

import pytest
from django.test import Client

from agencies.choices import StaffRole
from tests.agencies.factories import StaffFactory

from .world import build_world

pytestmark = pytest.mark.django_db

URL = "/console/evaluation/"


@pytest.fixture
def world():
    return build_world()


def logged_in(role=StaffRole.CREDIT_OFFICER):
    client = Client()
    client.force_login(StaffFactory(role=role))
    return client


def test_only_the_credit_office_and_auditors_open_the_dashboard():
    assert Client().get(URL).status_code == 302  # to the login page
    for role in (StaffRole.HANDLER, StaffRole.AGENCY_LIAISON, StaffRole.INTAKE_CLERK):
        assert logged_in(role).get(URL).status_code == 403
    assert logged_in(StaffRole.AUDITOR).get(URL).status_code == 200


@pytest.mark.parametrize("preset", ["month", "quarter", "year", "last_quarter"])
def test_every_preset_renders(world, preset):
    response = logged_in().get(URL, {"preset": preset, "group_by": "handling"})
    assert response.status_code == 200


def test_bad_dates_are_explained_not_a_500():
    response = logged_in().get(URL, {"from": "2026-05-01", "to": "2026-01-01"})
    assert response.status_code == 400
    assert "起始日期不能晚于截止日期" in response.content.decode()


def test_the_table_sorts_by_any_column(world):
    client = logged_in()
    q = {"from": world.period.start, "to": world.period.end}
    ascending = client.get(URL, {**q, "sort": "received"}).content.decode()
    descending = client.get(URL, {**q, "sort": "-received"}).content.decode()
    first = re.findall(r'<tr data-key="(\d*)"', ascending)
    assert first and first == list(reversed(re.findall(r'<tr data-key="(\d*)"', descending)))
    assert first[0] == str(world.other.pk)


@pytest.mark.parametrize("group_by", ["respondent", "handling", "region"])
def test_every_figure_links_to_as_many_rows_as_it_says(world, group_by):
    client = logged_in()
    q = {"from": world.period.start, "to": world.period.end, "group_by": group_by}
    page = client.get(URL, q).content.decode()
    cells = re.findall(r'data-figure="(\w+)"><a href="([^"]+)">([^<]+)</a>', page)
    assert len(cells) >= 19  # every figure but the score, per group
    checked = 0
    for figure, link, value in cells:
        listed = client.get(URL + link.replace("&amp;", "&"))
        assert listed.status_code == 200, (figure, link)
        total = int(re.search(r'id="rows-total">\D*(\d+)', listed.content.decode()).group(1))
        if figure.endswith("_rate") or figure.startswith("avg_") or figure.startswith("arrears"):
            continue  # the link lists the numerator (rates) or the rows averaged/summed
        assert total == int(value), (figure, link)
        checked += 1
    assert checked >= 9


def test_a_rate_links_to_its_numerator_rows(world):
    client = logged_in()
    q = {"from": world.period.start, "to": world.period.end}
    page = client.get(URL, q).content.decode()
    row = page[page.index(f'data-key="{world.respondent.pk}"') :]
    link = re.search(r'data-figure="founded_rate"><a href="([^"]+)">0.7500', row).group(1)
    listed = client.get(URL + link.replace("&amp;", "&")).content.decode()
    assert re.search(r'id="rows-total">\D*3\b', listed)


def test_the_charts_show_the_monthly_trend_and_the_outcomes_by_domain(world):
    client = logged_in()
    q = {"from": world.period.start, "to": world.period.end}
    page = client.get(URL, q).content.decode()
    trend = page[page.index('id="trend-chart"') : page.index("</svg>", page.index("trend-chart"))]
    received = [int(n) for n in re.findall(r"收到投诉：(\d+)", trend)]
    assert sum(received) == 11  # every complaint of the period, in its month of submission
    outcomes = page[page.index('id="outcome-chart"') :]
    assert "已整改：1" in outcomes and "认定违约失信：1" in outcomes


def test_the_dashboard_reads_a_fixed_number_of_queries_whatever_the_data(world):
    """The table is one aggregate over the complaints (plus the records, sanctions and
    repairs), both charts one more, the officer's region (levels) one: twice the data, the
    same queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = logged_in()
    url = f"{URL}?from={world.period.start}&to={world.period.end}&group_by=respondent"

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return [q["sql"] for q in ctx.captured_queries]

    queries()  # per-process caches (policies, the calendar) fill on the first request
    first = queries()
    build_world()  # twice the data, new groups
    assert len(queries()) == len(first)
    assert len(first) == 12


def test_the_table_is_paged_and_sorted_across_pages(world, monkeypatch):
    from evaluation.console import views

    monkeypatch.setattr(views, "TABLE_PAGE", 1)
    client = logged_in()
    url = (
        f"{URL}?from={world.period.start}&to={world.period.end}&group_by=respondent&sort=-received"
    )
    first = client.get(url).content.decode()
    second = client.get(url + "&page=2").content.decode()
    keys = [re.findall(r'<tr data-key="(\d+)"', page) for page in (first, second)]
    # Sorted by received, most first, over all groups: 10 against the respondent, 1 other.
    assert keys == [[str(world.respondent.pk)], [str(world.other.pk)]]
    assert 'id="table-pages"' in first and "page=2" in first
