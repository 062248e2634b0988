"""The annual publication of overdue payments to SMEs (DESIGN sections 9 and 12), and the
issue's scenario end to end: a firm files an arrears complaint with its dates, the handler
records a partial payment, the interest is right to the fen, a breach makes an arrears record
with the arrears measures, and the publication lists it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from agencies.choices import StaffRole
from credit_records.models import ArrearsPublication, CreditRecord
from credit_records.services.publication import arrears_publication_sweep
from sanctions.models import Sanction
from tests.agencies.factories import AgencyFactory, StaffFactory
from tests.complaints.factories import complaint_data

pytestmark = pytest.mark.django_db

URL = "/api/v1/arrears-publication/"


@pytest.fixture
def credit_officer(make_staff):
    """The deployment's credit office, without a region: the one that publishes (a
    deployment-wide act, levels in DESIGN section 13)."""
    return make_staff(
        role=StaffRole.CREDIT_OFFICER, agency=AgencyFactory(name="市信用办", region_id=None)
    )


@pytest.fixture
def county_officer(make_staff):
    """A county's credit office (region 330106 and below), in a deployment that has another
    county too: it does not cover the whole deployment."""
    AgencyFactory(name="拱墅区人民政府", region_id="330105")
    return make_staff(
        role=StaffRole.CREDIT_OFFICER,
        agency=AgencyFactory(name="西湖区信用办", region_id="330106"),
        email="xihu@xyb.example.cn",
    )


def test_the_whole_arrears_story(
    client_for, credit_officer, eager_tasks, django_capture_on_commit_callbacks
):
    supervisor = AgencyFactory(name="市经信局")
    respondent = AgencyFactory(name="某街道办事处", supervisor=supervisor)
    handler = StaffFactory(role=StaffRole.HANDLER, agency=supervisor)
    body = complaint_data(respondent_agency=respondent)
    body.update(
        respondent_agency=respondent.pk,
        contract_signed_on="2025-01-10",
        delivered_on="2025-03-01",
        payment_due_on="2025-03-31",
        contract_amount="300000.00",
        amount_outstanding="100000.00",
    )
    with django_capture_on_commit_callbacks(execute=True):
        created = client_for(None).post("/api/v1/complaints/", body, format="json")
        assert created.status_code == 201, created.content
        reference = created.json()["reference"]
        api = client_for(handler)
        base = f"/api/v1/complaints/{reference}"
        assert api.post(f"{base}/accept/", {}, format="json").status_code == 200
        paid = api.post(
            f"{base}/record_payment/", {"paid_on": "2025-04-11", "amount": "40000"}, format="json"
        )
        assert paid.status_code == 200, paid.content
        interest = api.get(f"{base}/late-interest/?as_of=2025-04-30").json()
        # 保障中小企业款项支付条例 第十七条: 100000×0.0005×10 + 60000×0.0005×20 = 1100.00
        assert interest["interest"] == "1100.00"
        assert api.post(f"{base}/find_founded/", {"note": "属实"}, format="json").status_code == 200
        breach = api.post(
            f"{base}/determine_breach/",
            {"severity": "general", "facts": "拒不支付剩余款项"},
            format="json",
        )
        assert breach.status_code == 200, breach.content
    record = CreditRecord.objects.get(complaint__reference=reference)
    assert (record.kind, record.amount) == ("arrears", Decimal("60000.00"))
    measures = set(
        Sanction.objects.filter(agency=respondent, status="active").values_list(
            "measure_id", flat=True
        )
    )
    assert {"official_spending", "office_space", "budget_allocation"} <= measures

    listed = client_for(credit_officer).get(URL, {"year": 2025})
    assert listed.status_code == 200, listed.content
    assert listed.json()["results"] == [
        {
            "agency": respondent.pk,
            "name": "某街道办事处",
            "overdue_contracts": 1,
            "overdue_amount": "100000.00",
        }
    ]
    assert listed.json()["status"] == "draft"
    # Not public before the credit office publishes it.
    assert Client().get("/credit/arrears/2025/").status_code == 404
    published = client_for(credit_officer).post(f"{URL}publish/", {"year": 2025}, format="json")
    assert published.status_code == 200, published.content
    page = Client().get("/credit/arrears/2025/")
    assert page.status_code == 200
    assert "某街道办事处" in page.content.decode()
    again = client_for(credit_officer).post(f"{URL}publish/", {"year": 2025}, format="json")
    assert again.status_code == 409


def test_a_pushed_arrears_record_counts_and_a_revoked_one_does_not(client_for, credit_officer):
    from tests.sanctions.helpers import record

    agency = AgencyFactory(name="某局")
    record(agency, kind="arrears", decided_on=dt.date(2025, 6, 1), amount=Decimal("5000"))
    revoked = record(agency, kind="arrears", decided_on=dt.date(2025, 7, 1), amount=Decimal("9"))
    CreditRecord.objects.filter(pk=revoked.pk).update(status="revoked")
    rows = client_for(credit_officer).get(URL, {"year": 2025}).json()["results"]
    assert rows == [
        {"agency": agency.pk, "name": "某局", "overdue_contracts": 1, "overdue_amount": "5000.00"}
    ]


@pytest.mark.parametrize("query", [{}, {"year": "abc"}, {"year": 1800}])
def test_a_missing_or_bad_year_is_400(client_for, credit_officer, query):
    response = client_for(credit_officer).get(URL, query)
    assert response.status_code == 400
    assert "year" in response.json()


def test_only_the_credit_office_and_auditors_read_it(client_for, make_staff):
    assert (
        client_for(make_staff(role=StaffRole.AUDITOR)).get(URL, {"year": 2025}).status_code == 200
    )
    assert (
        client_for(make_staff(role=StaffRole.HANDLER)).get(URL, {"year": 2025}).status_code == 403
    )
    assert client_for(None).get(URL, {"year": 2025}).status_code == 401


def test_the_beat_job_drafts_the_previous_year_once_from_1_january():
    assert arrears_publication_sweep(today=dt.date(2027, 1, 1)) == 2026
    assert ArrearsPublication.objects.get(year=2026).status == "draft"
    assert arrears_publication_sweep(today=dt.date(2027, 1, 2)) is None


def test_the_march_reminder_is_weekly_while_the_previous_year_is_unpublished(
    credit_officer, client
):
    """Published by 31 March (条例, DESIGN section 12): in March, while 2026 is unpublished,
    each credit officer gets one e-mail a week; nothing outside March or once published."""
    import time_machine

    from complaints.models import Notification
    from credit_records.services.publication import (
        arrears_publication_publish,
        arrears_publication_reminder,
    )

    credit_officer.email = "office@xyb.example.cn"
    credit_officer.save(update_fields=["email"])
    assert arrears_publication_reminder(today=dt.date(2027, 2, 27)) == 0
    assert arrears_publication_reminder(today=dt.date(2027, 3, 2)) == 1
    assert arrears_publication_reminder(today=dt.date(2027, 3, 7)) == 0  # same week
    assert arrears_publication_reminder(today=dt.date(2027, 3, 8)) == 1
    mail = Notification.objects.order_by("id").first()
    assert mail.recipient == "office@xyb.example.cn"
    assert "2026" in mail.subject and "2027-03-31" in mail.body
    with time_machine.travel(dt.datetime(2027, 3, 20, 10, tzinfo=dt.UTC), tick=False):
        client.force_login(credit_officer)
        page = client.get("/console/credit/").content.decode()
        assert 'id="arrears-publication-pending"' in page and "2027-03-31" in page
        arrears_publication_publish(year=2026, actor=credit_officer)
        assert (
            'id="arrears-publication-pending"'
            not in client.get("/console/credit/").content.decode()
        )
    assert arrears_publication_reminder(today=dt.date(2027, 3, 22)) == 0
    assert Notification.objects.count() == 2


def test_the_console_page_reviews_and_publishes_a_year_after_confirmation(
    credit_officer, make_staff, client
):
    from agencies.choices import StaffRole as Role
    from credit_records.services.records import credit_record_create

    agency = AgencyFactory(name="某区城管局")
    credit_record_create(
        agency_id=agency.pk,
        kind="arrears",
        severity="general",
        facts="逾期未付",
        amount="5000.00",
        decided_on=dt.date(2026, 5, 1),
        source="payment_platform",
        source_ref="PAY-CONSOLE-1",
    )
    url = "/console/credit/arrears/2026/"
    auditor = make_staff(role=Role.AUDITOR, agency=credit_officer.agency)
    client.force_login(auditor)
    page = client.get(url).content.decode()
    # Amounts with thousands separators (the column label says 元).
    assert "某区城管局" in page and "5,000.00" in page and 'id="arrears-draft"' in page
    assert '<form method="post">' not in page  # no publish button for an auditor
    assert client.post(url, {"confirmed": "1"}).status_code == 403
    import time_machine

    with time_machine.travel(dt.datetime(2027, 1, 10, 10, tzinfo=dt.UTC), tick=False):
        client.force_login(credit_officer)
        confirm = client.post(url).content.decode()
        assert 'id="confirm"' in confirm
        assert ArrearsPublication.objects.filter(status="published").count() == 0
        assert client.post(url, {"confirmed": "1"}).status_code == 302
        assert ArrearsPublication.objects.get(year=2026).status == "published"
        assert 'id="arrears-published"' in client.get(url).content.decode()
        assert "5,000.00" in client.get("/credit/arrears/2026/").content.decode()
    assert client.get("/console/credit/arrears/1900/").status_code == 404


def test_a_year_that_has_not_ended_cannot_be_published(credit_officer, client, client_for):
    """The previous year's contracts are published (by 31 March): publishing the current
    year would freeze an unfinished list and, publishing being final, block the real one."""
    import time_machine

    with time_machine.travel(dt.datetime(2026, 12, 4, 10, tzinfo=dt.UTC), tick=False):
        api = client_for(credit_officer).post(f"{URL}publish/", {"year": 2026}, format="json")
        assert api.status_code == 400 and "year" in api.json()
        assert "2025" in api.json()["year"][0]
        client.force_login(credit_officer)
        page = client.get("/console/credit/arrears/2026/").content.decode()
        assert '<form method="post">' not in page  # no publish button
        refused = client.post("/console/credit/arrears/2026/", {"confirmed": "1"}, follow=True)
        assert "2025" in refused.content.decode()
        assert not ArrearsPublication.objects.filter(status="published").exists()
        assert (
            '<form method="post">' in client.get("/console/credit/arrears/2025/").content.decode()
        )


def test_the_record_list_links_to_last_years_publication_all_year(credit_officer, client):
    """Outside January–March there is no notice, but the page stays one click away."""
    import time_machine

    with time_machine.travel(dt.datetime(2026, 12, 4, 10, tzinfo=dt.UTC), tick=False):
        client.force_login(credit_officer)
        page = client.get("/console/credit/").content.decode()
        assert 'id="arrears-publication-pending"' not in page
        assert 'href="/console/credit/arrears/2025/" id="arrears-publication-link"' in page


def test_a_region_scoped_office_reads_the_publication_but_does_not_publish_it(
    county_officer, superuser, client, client_for
):
    """One list per deployment (条例 art. 16, DESIGN sections 12 and 13): a county's credit
    office reads the draft but is refused publishing (403) and offered no button or notice;
    a superuser publishes."""
    import time_machine

    from agencies.policy import may

    assert not may(county_officer, "arrears_publication.publish")
    assert may(county_officer, "arrears_publication.read")
    with time_machine.travel(dt.datetime(2027, 3, 2, 10, tzinfo=dt.UTC), tick=False):
        api = client_for(county_officer)
        assert api.get(f"{URL}?year=2026").status_code == 200
        refused = api.post(f"{URL}publish/", {"year": 2026}, format="json")
        assert refused.status_code == 403
        client.force_login(county_officer)
        page = client.get("/console/credit/arrears/2026/")
        assert page.status_code == 200 and 'id="arrears-draft"' in page.content.decode()
        assert '<form method="post">' not in page.content.decode()
        assert client.post("/console/credit/arrears/2026/", {"confirmed": "1"}).status_code == 403
        records = client.get("/console/credit/").content.decode()
        assert 'id="arrears-publication-pending"' not in records
        assert 'id="arrears-publication-link"' in records  # still one click away to read
        assert not ArrearsPublication.objects.filter(status="published").exists()
        published = client_for(superuser).post(f"{URL}publish/", {"year": 2026}, format="json")
        assert published.status_code == 200, published.content
    assert ArrearsPublication.objects.get(year=2026).published_by == superuser


def test_the_march_reminder_goes_only_to_the_officers_who_may_publish(
    credit_officer, county_officer, make_staff
):
    """The officer without a region and the city's office, whose region holds every agency of
    this deployment, may publish and are reminded; the county's office is not."""
    from agencies.policy import may
    from complaints.models import Notification
    from credit_records.services.publication import arrears_publication_reminder

    credit_officer.email = "office@xyb.example.cn"
    credit_officer.save(update_fields=["email"])
    city = make_staff(
        role=StaffRole.CREDIT_OFFICER,
        agency=AgencyFactory(name="杭州市信用办", region_id="330100"),
        email="city@xyb.example.cn",
    )
    assert may(city, "arrears_publication.publish")
    assert arrears_publication_reminder(today=dt.date(2027, 3, 1)) == 2
    assert sorted(Notification.objects.values_list("recipient", flat=True)) == [
        "city@xyb.example.cn",
        "office@xyb.example.cn",
    ]
