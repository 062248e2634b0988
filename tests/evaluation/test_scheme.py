"""The evaluation scheme as versioned data: the default version 1, new versions through the
service (never an edit), direct deductions, and the score following the newest version."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from agencies.choices import StaffRole
from credit_records.choices import Kind, Severity, Source
from credit_records.services.records import credit_record_create
from evaluation.figures import evaluate
from evaluation.models import EvaluationScheme
from evaluation.scheme import DEFAULT_SCHEME, current_scheme
from evaluation.services.schemes import scheme_create
from tests.agencies.factories import StaffFactory

from .world import build_world

pytestmark = pytest.mark.django_db


def _row(world, scheme):
    rows = evaluate(period=world.period, group_by="respondent", scheme=scheme)
    return next(r for r in rows if r["key"] == world.respondent.pk)


def test_the_default_scheme_is_seeded_as_version_1_with_its_basis():
    scheme = current_scheme()
    assert scheme.version == 1 and scheme.pk is not None
    assert "004" in scheme.basis and "000" in scheme.basis
    assert sum(i["weight"] for i in scheme.indicators) == 100
    assert {d["code"] for d in scheme.deductions} == {
        "dishonest_debtor",
        "unrectified_breach",
        "overdue_supervised",
    }


def test_a_new_version_scores_from_then_on_and_the_old_one_is_kept():
    world = build_world()
    officer = StaffFactory(role=StaffRole.CREDIT_OFFICER)
    before = _row(world, current_scheme())["score"]
    saved = scheme_create(
        name="只看满意率",
        indicators=[{"figure": "satisfaction_rate", "weight": 100, "target": "1"}],
        deductions=[],
        basis="测试",
        actor=officer,
    )
    assert saved.version == 2 and current_scheme().pk == saved.pk
    assert _row(world, current_scheme())["score"] == "50.00"  # satisfaction 0.5 of 100
    assert EvaluationScheme.objects.get(version=1).indicators == DEFAULT_SCHEME["indicators"]
    assert _row(world, EvaluationScheme.objects.get(version=1))["score"] == before
    client = Client()
    client.force_login(officer)
    body = client.get(f"/api/v1/evaluation/?from={world.period.start}&to={world.period.end}").json()
    assert body["scheme_version"] == 2


@pytest.mark.parametrize(
    "indicators, deductions",
    [
        ([{"figure": "satisfaction_rate", "weight": 60}], []),  # not 100
        ([{"figure": "received", "weight": 100}], []),  # not a rate
        ([{"figure": "satisfaction_rate", "weight": 100, "target": "2"}], []),
        ([{"figure": "satisfaction_rate", "weight": 100}], [{"code": "late_lunch", "points": 1}]),
        ([{"figure": "satisfaction_rate", "weight": "x"}], []),
    ],
)
def test_a_malformed_scheme_is_refused_and_saves_nothing(indicators, deductions):
    with pytest.raises(ValidationError):
        scheme_create(
            name="坏方案",
            indicators=indicators,
            deductions=deductions,
            basis="",
            actor=StaffFactory(role=StaffRole.CREDIT_OFFICER),
        )
    assert EvaluationScheme.objects.count() == 1


def test_only_a_credit_officer_saves_a_version():
    for role in (StaffRole.AUDITOR, StaffRole.HANDLER):
        with pytest.raises(PermissionDenied):
            scheme_create(
                name="x",
                indicators=DEFAULT_SCHEME["indicators"],
                deductions=[],
                basis="",
                actor=StaffFactory(role=role),
            )


def test_a_dishonest_debtor_listing_deducts_points_directly():
    world = build_world()
    before = Decimal(_row(world, current_scheme())["score"])
    credit_record_create(
        agency_id=world.respondent.pk,
        kind=Kind.DISHONEST_DEBTOR,
        severity=Severity.SERIOUS,
        facts="被人民法院列入失信被执行人名单",
        decided_on=world.period.end - dt.timedelta(days=1),
        source=Source.COURT,
        source_ref="(2026)执0001号",
    )
    after = Decimal(_row(world, current_scheme())["score"])
    assert before - after == 10  # seed 000: 直接扣分


def test_the_dashboard_shows_the_scheme_beside_the_figures():
    client = Client()
    client.force_login(StaffFactory(role=StaffRole.AUDITOR))
    page = client.get("/console/evaluation/").content.decode()
    assert "被列入失信被执行人名单" in page and "种子文件004" in page


def test_the_admin_saves_a_new_version_and_explains_a_bad_one():
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "r@x.invalid", "pw"))
    url = "/admin/evaluation/evaluationscheme/add/"
    assert client.get(url).status_code == 200
    good = {
        "name": "v2",
        "indicators": '[{"figure": "satisfaction_rate", "weight": 100, "target": "0.9"}]',
        "deductions": '[{"code": "dishonest_debtor", "points": 10}]',
        "basis": "种子文件000",
    }
    assert client.post(url, good).status_code == 302
    assert current_scheme().version == 2
    bad = {**good, "indicators": '[{"figure": "satisfaction_rate", "weight": 10}]'}
    response = client.post(url, bad)
    assert response.status_code == 200 and "100" in response.content.decode()
    assert EvaluationScheme.objects.count() == 2
    page = client.get("/admin/evaluation/evaluationscheme/1/change/")
    assert page.status_code == 200 and b'name="indicators"' not in page.content  # read-only
