"""Payment arrears (DESIGN sections 9 and 12; 保障中小企业款项支付条例, 国务院令第802号): the facts
filed with a complaint, the payments the handler records, and the late interest by code."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from agencies.choices import StaffRole
from complaints import arrears
from complaints.choices import Action, Domain
from complaints.models import Complaint, ComplaintEvent
from tests.agencies.factories import AgencyFactory, StaffFactory
from tests.complaints.factories import complaint_data, complaint_submit_for_test

D = dt.date.fromisoformat
TODAY = timezone.localdate()

# Hand-checked cases: (article, principal, due, as_of, payments, rate, from, to, days, interest)
LATE_INTEREST_CASES = [
    # 第十七条: none agreed → 0.05% a day. 100000 × 0.0005 × 10 (1–10 Feb) = 500.00
    ("art17 statutory", "100000", "2026-01-31", "2026-02-10", [], "0.0005",
     "2026-02-01", "2026-02-10", 10, "500.00"),
    # Interest runs from the day after the due date: on the due date itself, nothing.
    ("art17 on due date", "100000", "2026-01-31", "2026-01-31", [], "0.0005",
     None, None, 0, "0.00"),
    ("art17 as_of before due", "100000", "2026-01-31", "2026-01-01", [], "0.0005",
     None, None, 0, "0.00"),
    # A partial payment reduces the principal from its date:
    # 1–10 Apr 100000 × 0.0005 × 10 = 500; 11–30 Apr 60000 × 0.0005 × 20 = 600 → 1100.00
    ("art17 partial payment", "100000", "2026-03-31", "2026-04-30",
     [("2026-04-11", "40000")], "0.0005", "2026-04-01", "2026-04-30", 30, "1100.00"),
    # Paid in full on 21 Jun: interest 1–20 Jun, 50000 × 0.0005 × 20 = 500.00, then stops.
    ("art17 paid in full", "50000", "2026-05-31", "2026-07-31",
     [("2026-06-21", "50000")], "0.0005", "2026-06-01", "2026-06-20", 20, "500.00"),
    # Two payments: 1–5 Jan 10000×5; 6–10 Jan 6000×5; 11–15 Jan 1000×5 (rate 0.0005)
    # = (50000 + 30000 + 5000) × 0.0005 = 42.50
    ("art17 two payments", "10000", "2025-12-31", "2026-01-15",
     [("2026-01-06", "4000"), ("2026-01-11", "5000")], "0.0005",
     "2026-01-01", "2026-01-15", 15, "42.50"),
    # An agreed rate (第十七条): 200000 × 0.0003 × 30 = 1800.00
    ("art17 agreed rate", "200000", "2026-01-01", "2026-01-31", [], "0.0003",
     "2026-01-02", "2026-01-31", 30, "1800.00"),
    # Rounded once, to the fen, half up: 12345.67 × 0.0005 × 3 = 18.518505 → 18.52
    ("rounding to the fen", "12345.67", "2026-02-28", "2026-03-03", [], "0.0005",
     "2026-03-01", "2026-03-03", 3, "18.52"),
    # A payment after as_of changes nothing before it.
    ("art17 payment after as_of", "100000", "2026-01-31", "2026-02-10",
     [("2026-03-01", "100000")], "0.0005", "2026-02-01", "2026-02-10", 10, "500.00"),
]  # fmt: skip


@pytest.mark.parametrize(
    (
        "article",
        "principal",
        "due",
        "as_of",
        "payments",
        "rate",
        "start",
        "end",
        "days",
        "interest",
    ),
    LATE_INTEREST_CASES,
    ids=[case[0] for case in LATE_INTEREST_CASES],
)
def test_late_interest_is_right_to_the_fen(
    article, principal, due, as_of, payments, rate, start, end, days, interest
):
    result = arrears.late_interest(
        principal=Decimal(principal),
        due_on=D(due),
        as_of=D(as_of),
        payments=[(D(day), Decimal(amount)) for day, amount in payments],
        rate=Decimal(rate),
    )
    body = result.as_contract()
    assert body["from"] == start
    assert body["to"] == end
    assert body["days"] == days
    assert body["interest"] == interest
    assert body["daily_rate"] == rate


LPR = [(D("2024-07-22"), Decimal("0.0335")), (D("2024-10-21"), Decimal("0.0310"))]


def test_without_an_agreed_rate_the_statutory_rate_applies():
    assert arrears.daily_rate(agreed=None, signed_on=D("2024-08-01"), table=LPR) == (
        Decimal("0.0005"),
        "statutory",
    )


def test_an_agreed_rate_below_the_lpr_at_signing_is_raised_to_it():
    # 第十七条: 0.0335 / 365 = 0.0000917808219… → 0.0000917808 (ten places).
    rate, basis = arrears.daily_rate(
        agreed=Decimal("0.00005"), signed_on=D("2024-08-01"), table=LPR
    )
    assert (rate, basis) == (Decimal("0.0000917808"), "lpr_floor")
    # The LPR in force at signing, not today's: signed after the October cut, 3.10%.
    rate, _basis = arrears.daily_rate(
        agreed=Decimal("0.00005"), signed_on=D("2024-11-01"), table=LPR
    )
    assert rate == Decimal("0.0000849315")


def test_an_agreed_rate_above_the_floor_is_kept():
    assert arrears.daily_rate(agreed=Decimal("0.0003"), signed_on=D("2024-08-01"), table=LPR) == (
        Decimal("0.0003"),
        "agreed",
    )


@pytest.mark.parametrize(
    ("delivered", "due", "warning"),
    [
        ("2026-01-01", "2026-01-31", ""),  # 30 days: the statutory term (第九条)
        ("2026-01-01", "2026-03-01", arrears.TERM_OVER_DEFAULT),  # 59 days: only if agreed
        ("2026-01-01", "2026-03-02", arrears.TERM_OVER_DEFAULT),  # 60 days: the maximum
        ("2026-01-01", "2026-03-03", arrears.TERM_OVER_MAX),  # 61 days: unlawful
    ],
)
def test_payment_term_is_checked_against_article_9(delivered, due, warning):
    assert arrears.payment_term_warning(delivered_on=D(delivered), payment_due_on=D(due)) == warning


# --- the API -----------------------------------------------------------------------------------


def _body(**overrides):
    data = complaint_data(**overrides)
    data["respondent_agency"] = data["respondent_agency"].pk
    return {k: (str(v) if isinstance(v, dt.date | Decimal) else v) for k, v in data.items()}


def _arrears_body(**overrides):
    facts = {
        "contract_signed_on": TODAY - dt.timedelta(days=200),
        "delivered_on": TODAY - dt.timedelta(days=150),
        "payment_due_on": TODAY - dt.timedelta(days=120),
        "contract_amount": "500000.00",
        "amount_outstanding": "100000.00",
    }
    facts.update(overrides)
    return _body(**facts)


@pytest.mark.django_db
def test_an_arrears_complaint_keeps_its_facts(api_client):
    response = api_client.post("/api/v1/complaints/", _arrears_body(), format="json")
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get(reference=response.json()["reference"])
    assert complaint.payment_due_on == TODAY - dt.timedelta(days=120)
    assert complaint.amount_outstanding == Decimal("100000.00")
    assert complaint.contract_amount == Decimal("500000.00")
    assert complaint.payment_term_warning == ""


@pytest.mark.django_db
def test_a_term_over_60_days_is_accepted_with_a_stored_warning(api_client, credit_officer):
    body = _arrears_body(payment_due_on=TODAY - dt.timedelta(days=80))  # 70 days after delivery
    response = api_client.post("/api/v1/complaints/", body, format="json")
    assert response.status_code == 201, response.content
    reference = response.json()["reference"]
    assert Complaint.objects.get(reference=reference).payment_term_warning == "over_60_days"
    api_client.force_authenticate(credit_officer)
    detail = api_client.get(f"/api/v1/complaints/{reference}/").json()
    assert detail["payment_term_warning"] == "over_60_days"
    assert detail["payment_due_on"] == str(TODAY - dt.timedelta(days=80))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount_outstanding": "-5"}, "amount_outstanding"),
        ({"amount_outstanding": "0"}, "amount_outstanding"),
        ({"amount_outstanding": "1e20"}, "amount_outstanding"),
        ({"amount_outstanding": "abc"}, "amount_outstanding"),
        ({"amount_outstanding": "600000"}, "amount_outstanding"),  # above the contract amount
        ({"contract_amount": "-1"}, "contract_amount"),
        ({"payment_due_on": "2001-01-01"}, "payment_due_on"),  # before the contract
        ({"delivered_on": str(TODAY + dt.timedelta(days=3))}, "delivered_on"),
        ({"agreed_daily_rate": "0.5"}, "agreed_daily_rate"),
        ({"domain": Domain.PROCUREMENT}, "payment_due_on"),  # arrears facts on another domain
    ],
)
def test_bad_arrears_facts_are_400_naming_the_field_and_create_nothing(
    api_client, overrides, field
):
    before = Complaint.objects.count()
    response = api_client.post("/api/v1/complaints/", _arrears_body(**overrides), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Complaint.objects.count() == before


@pytest.fixture
def arrears_case():
    """An arrears complaint routed to a department, with its handler."""
    complaint, code = complaint_submit_for_test(
        contract_signed_on=D("2025-01-10"),
        delivered_on=D("2025-03-01"),
        payment_due_on=D("2025-03-31"),
        contract_amount=Decimal("300000"),
        amount_outstanding=Decimal("100000"),
    )
    complaint.access_code = code
    handler = StaffFactory(role=StaffRole.HANDLER, agency=complaint.handling_agency)
    return complaint, handler


def _pay(client, complaint, paid_on, amount):
    return client.post(
        f"/api/v1/complaints/{complaint.reference}/record_payment/",
        {"paid_on": paid_on, "amount": amount},
        format="json",
    )


@pytest.mark.django_db
def test_the_handler_records_a_partial_payment_as_an_event(client_for, arrears_case):
    complaint, handler = arrears_case
    response = _pay(client_for(handler), complaint, "2025-04-11", "40000")
    assert response.status_code == 200, response.content
    assert response.json()["amount_outstanding"] == "60000.00"
    assert response.json()["amount_cleared"] == "40000.00"
    event = ComplaintEvent.objects.get(complaint=complaint, action=Action.RECORD_PAYMENT)
    assert event.data["paid_on"] == "2025-04-11"
    assert event.data["amount"] == "40000"
    # 第十七条: 1–10 Apr on 100000, 11–30 Apr on 60000, at 0.05% a day.
    interest = client_for(handler).get(
        f"/api/v1/complaints/{complaint.reference}/late-interest/?as_of=2025-04-30"
    )
    assert interest.status_code == 200
    assert interest.json() == {
        "principal": "100000.00",
        "from": "2025-04-01",
        "to": "2025-04-30",
        "days": 30,
        "daily_rate": "0.0005",
        "interest": "1100.00",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("paid_on", "amount", "field"),
    [
        ("2025-04-11", "100000.01", "amount"),  # more than is owed
        ("2025-04-11", "-3", "amount"),
        ("2025-04-11", "0", "amount"),
        ("2024-12-31", "100", "paid_on"),  # before the contract
        (str(TODAY + dt.timedelta(days=2)), "100", "paid_on"),
        ("not-a-date", "100", "paid_on"),
    ],
)
def test_a_bad_payment_is_400_naming_the_field_and_changes_nothing(
    client_for, arrears_case, paid_on, amount, field
):
    complaint, handler = arrears_case
    events = complaint.events.count()
    response = _pay(client_for(handler), complaint, paid_on, amount)
    assert response.status_code == 400, response.content
    assert field in response.json()
    complaint.refresh_from_db()
    assert complaint.amount_outstanding == Decimal("100000")
    assert complaint.events.count() == events


@pytest.mark.django_db
def test_late_interest_before_the_due_date_is_zero(client_for, arrears_case):
    complaint, handler = arrears_case
    response = client_for(handler).get(
        f"/api/v1/complaints/{complaint.reference}/late-interest/?as_of=2025-03-01"
    )
    assert response.status_code == 200
    assert response.json()["interest"] == "0.00"
    assert response.json()["days"] == 0


@pytest.mark.django_db
def test_late_interest_rejects_a_bad_as_of(client_for, arrears_case):
    complaint, handler = arrears_case
    response = client_for(handler).get(
        f"/api/v1/complaints/{complaint.reference}/late-interest/?as_of=31-12-2025"
    )
    assert response.status_code == 400
    assert "as_of" in response.json()


@pytest.mark.django_db
def test_late_interest_is_404_outside_scope_and_401_anonymous(client_for, arrears_case):
    complaint, _handler = arrears_case
    url = f"/api/v1/complaints/{complaint.reference}/late-interest/"
    outsider = StaffFactory(role=StaffRole.HANDLER, agency=AgencyFactory())
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 401


@pytest.mark.django_db
def test_late_interest_without_arrears_facts_is_409(client_for, credit_officer):
    complaint, _code = complaint_submit_for_test(domain=Domain.PROCUREMENT)
    response = client_for(credit_officer).get(
        f"/api/v1/complaints/{complaint.reference}/late-interest/"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "not_eligible"


@pytest.mark.django_db
def test_an_agreed_rate_below_the_lpr_uses_the_seeded_lpr(client_for, credit_officer):
    # Signed 2024-08-01: the seeded one-year LPR is 3.35% (from 2024-07-22).
    complaint, _code = complaint_submit_for_test(
        contract_signed_on=D("2024-08-01"),
        payment_due_on=D("2024-12-31"),
        agreed_daily_rate=Decimal("0.00005"),
        amount_outstanding=Decimal("100000"),
    )
    response = client_for(credit_officer).get(
        f"/api/v1/complaints/{complaint.reference}/late-interest/?as_of=2025-01-10"
    )
    # 100000 × 0.0000917808 × 10 = 91.7808 → 91.78
    assert response.json()["daily_rate"] == "0.0000917808"
    assert response.json()["interest"] == "91.78"


@pytest.mark.django_db
def test_the_case_page_and_the_tracking_page_show_the_late_interest(client, arrears_case):
    complaint, handler = arrears_case
    client.force_login(handler)
    page = client.get(f"/console/c/{complaint.reference}/").content.decode()
    assert "100,000.00" in page and "0.0005" in page  # thousands separators
    track = client.get(
        f"/api/v1/track/{complaint.reference}/", HTTP_X_ACCESS_CODE=complaint.access_code
    )
    assert track.status_code == 200
    assert track.json()["arrears"]["late_interest"]["daily_rate"] == "0.0005"
