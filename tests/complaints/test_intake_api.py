import datetime as dt
import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from complaints.choices import Channel, Status
from complaints.files import MAX_FILE_SIZE
from complaints.models import Attachment, Complaint, ComplaintEvent, Notification
from tests.agencies.factories import AgencyFactory, make_uscc
from tests.complaints import evidence

pytestmark = pytest.mark.django_db

URL = "/api/v1/complaints/"


@pytest.fixture
def respondent():
    return AgencyFactory(name="某区某小学", supervisor=AgencyFactory(name="某区教育局"))


def payload(respondent, **overrides):
    body = {
        "complainant_type": "enterprise",
        "complainant_name": "杭州某建筑装饰有限公司",
        "complainant_uscc": make_uscc(7, prefix="91330106"),
        "contact_name": "李四",
        "contact_phone": "13812345678",
        "contact_email": "li@example.invalid",
        "respondent_agency": respondent.pk,
        "domain": "payment_arrears",
        "title": "校舍维修工程款未支付",
        "description": "工程已于2024年验收合格，学校至今未支付尾款。",
        "contract_title": "校舍维修工程施工合同",
        "contract_signed_on": "2024-03-01",
        "amount_involved": "385000.50",
        "remedy_sought": "支付尾款",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not _DROP}


_DROP = object()


def assert_nothing_stored():
    assert Complaint.objects.count() == 0
    assert ComplaintEvent.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert Notification.objects.count() == 0
    media = Path(django_settings.MEDIA_ROOT)
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


def test_anonymous_json_submission_is_routed_and_returns_reference_and_code(api_client, respondent):
    response = api_client.post(URL, payload(respondent), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == Status.ROUTED
    assert body["handling_agency"] == respondent.supervisor_id
    assert len(body["access_code"]) >= 10
    complaint = Complaint.objects.get(reference=body["reference"])
    assert complaint.channel == Channel.WEB
    assert complaint.amount_involved == 385000.50
    assert complaint.contact_phone == "13812345678"


def test_respondent_without_supervisor_gives_pending_routing(api_client):
    response = api_client.post(URL, payload(AgencyFactory()), format="json")
    assert response.status_code == 201
    assert response.json()["status"] == Status.PENDING_ROUTING
    assert response.json()["handling_agency"] is None


def test_individual_needs_no_uscc(api_client, respondent):
    body = payload(respondent, complainant_type="individual", complainant_uscc=_DROP)
    assert api_client.post(URL, body, format="json").status_code == 201


@pytest.mark.parametrize(
    "phone", ["+8613812345678", "139 1234 5678", "0571-87654321", "010-62345678-123", "02087654321"]
)
def test_mobile_and_landline_numbers_are_accepted(api_client, respondent, phone):
    response = api_client.post(URL, payload(respondent, contact_phone=phone), format="json")
    assert response.status_code == 201, response.content


def test_multipart_submission_stores_evidence_under_random_names(api_client, respondent):
    body = payload(respondent)
    body["files"] = [evidence.pdf("合同.pdf"), evidence.upload("photo.png", evidence.PNG_BYTES)]
    response = api_client.post(URL, body, format="multipart")
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get(reference=response.json()["reference"])
    attachments = list(complaint.attachments.order_by("id"))
    assert [a.content_type for a in attachments] == ["application/pdf", "image/png"]
    assert attachments[0].original_name == "合同.pdf"
    for attachment in attachments:
        assert "合同" not in attachment.file.name and "photo" not in attachment.file.name
        assert Path(attachment.file.path).is_file()
        assert not str(attachment.file.path).startswith(str(django_settings.STATIC_ROOT))


def test_intake_clerk_sets_channel_and_is_recorded(client_for, make_staff, respondent):
    clerk = make_staff(role="intake_clerk")
    response = client_for(clerk).post(
        URL, payload(respondent, channel="hotline_12345"), format="json"
    )
    assert response.status_code == 201
    complaint = Complaint.objects.get(reference=response.json()["reference"])
    assert complaint.channel == Channel.HOTLINE_12345
    assert complaint.registered_by == clerk


def test_intake_clerk_with_token_sets_channel(api_client, make_staff, respondent):
    from rest_framework.authtoken.models import Token

    clerk = make_staff(role="intake_clerk")
    token = Token.objects.create(user=clerk)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api_client.post(URL, payload(respondent, channel="petition"), format="json")
    assert response.status_code == 201
    assert Complaint.objects.get().channel == Channel.PETITION


def test_anonymous_channel_is_ignored(api_client, respondent):
    response = api_client.post(URL, payload(respondent, channel="petition"), format="json")
    assert response.status_code == 201
    assert Complaint.objects.get().channel == Channel.WEB


def test_html_in_text_is_stored_as_typed(api_client, respondent):
    title = "<script>alert('x')</script>工程款"
    response = api_client.post(URL, payload(respondent, title=title), format="json")
    assert response.status_code == 201
    assert Complaint.objects.get().title == title


def _tomorrow():
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


BAD_JSON = [
    ("missing complainant_name", {"complainant_name": _DROP}, "complainant_name"),
    ("missing title", {"title": _DROP}, "title"),
    ("missing description", {"description": ""}, "description"),
    ("missing respondent", {"respondent_agency": _DROP}, "respondent_agency"),
    ("missing phone", {"contact_phone": _DROP}, "contact_phone"),
    ("enterprise without uscc", {"complainant_uscc": ""}, "complainant_uscc"),
    (
        "wrong uscc check",
        {"complainant_uscc": make_uscc(7, prefix="91330106")[:-1] + "0"},
        "complainant_uscc",
    ),
    ("malformed phone", {"contact_phone": "12345"}, "contact_phone"),
    ("mobile with 2 prefix", {"contact_phone": "12812345678"}, "contact_phone"),
    ("negative amount", {"amount_involved": "-5"}, "amount_involved"),
    ("zero amount", {"amount_involved": "0"}, "amount_involved"),
    ("three decimals", {"amount_involved": "10.123"}, "amount_involved"),
    ("absurd amount", {"amount_involved": "1000000000000.01"}, "amount_involved"),
    ("not a number", {"amount_involved": "lots"}, "amount_involved"),
    ("future contract date", {"contract_signed_on": _tomorrow}, "contract_signed_on"),
    ("unknown respondent", {"respondent_agency": 999999}, "respondent_agency"),
    ("unknown domain", {"domain": "weather"}, "domain"),
    ("unknown complainant type", {"complainant_type": "robot"}, "complainant_type"),
    ("over-long title", {"title": "长" * 201}, "title"),
    ("over-long description", {"description": "长" * 10001}, "description"),
    ("bad email", {"contact_email": "not-an-email"}, "contact_email"),
]


@pytest.mark.parametrize(("case", "overrides", "field"), BAD_JSON, ids=[c[0] for c in BAD_JSON])
def test_bad_input_is_refused_naming_the_field_and_stores_nothing(
    api_client, respondent, case, overrides, field
):
    # A value that depends on the date is computed when the test runs, not when it is collected
    # (a run that starts before midnight would otherwise send "tomorrow" as today).
    overrides = {key: value() if callable(value) else value for key, value in overrides.items()}
    response = api_client.post(URL, payload(respondent, **overrides), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert_nothing_stored()


def test_inactive_respondent_is_refused(api_client):
    inactive = AgencyFactory(is_active=False)
    response = api_client.post(URL, payload(inactive), format="json")
    assert response.status_code == 400
    assert "respondent_agency" in response.json()
    assert_nothing_stored()


def _files(*uploads):
    return list(uploads)


BAD_FILES = [
    ("eleventh file", lambda: [evidence.pdf(f"{i}.pdf") for i in range(11)]),
    (
        "file over 20 MB",
        lambda: [evidence.upload("big.pdf", evidence.PDF_BYTES + b"0" * MAX_FILE_SIZE)],
    ),
    (
        "html named pdf",
        lambda: [evidence.pdf("ok.pdf"), evidence.upload("x.pdf", evidence.HTML_BYTES)],
    ),
    ("executable named pdf", lambda: [evidence.upload("x.pdf", evidence.EXE_BYTES)]),
    ("elf named pdf", lambda: [evidence.upload("x.pdf", evidence.ELF_BYTES)]),
]


@pytest.mark.parametrize(("case", "make_files"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_files_are_refused_and_nothing_is_left_on_disk(
    api_client, respondent, case, make_files
):
    body = payload(respondent)
    body["files"] = make_files()
    response = api_client.post(URL, body, format="multipart")
    assert response.status_code == 400, response.content
    assert "files" in response.json()
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("fmt", "files"),
    [("json", "evidence.pdf"), ("json", ["a.pdf"]), ("multipart", "not a file")],
)
def test_files_that_are_not_uploads_are_a_400_naming_files(api_client, respondent, fmt, files):
    """Evidence comes as multipart file parts; a ``files`` value that is not one is refused,
    not silently dropped (the complainant would think the evidence went in)."""
    body = {**payload(respondent), "files": files}
    response = api_client.post(URL, body, format=fmt)
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["files"]
    assert_nothing_stored()


def test_malformed_json_is_a_400_and_stores_nothing(api_client):
    response = api_client.post(URL, data='{"title": ', content_type="application/json")
    assert response.status_code == 400
    assert_nothing_stored()


def test_wrong_content_type_is_a_400_and_stores_nothing(api_client, respondent):
    response = api_client.post(URL, data=json.dumps(payload(respondent)), content_type="text/plain")
    assert response.status_code == 400
    assert_nothing_stored()


def test_failure_after_files_were_written_removes_them(api_client, respondent, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("database write failed")

    monkeypatch.setattr(Attachment.objects, "bulk_create", boom)
    body = payload(respondent)
    body["files"] = [evidence.pdf()]
    api_client.raise_request_exception = True
    with pytest.raises(RuntimeError):
        api_client.post(URL, body, format="multipart")
    assert_nothing_stored()


def test_anonymous_intake_is_throttled_at_the_configured_rate(api_client, respondent, settings):
    settings.INTAKE_RATE_LIMIT = "2/hour"
    codes = [
        api_client.post(URL, payload(respondent, title=f"t{i}"), format="json").status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 429]


def test_empty_rate_setting_turns_the_intake_throttle_off(api_client, respondent, settings):
    settings.INTAKE_RATE_LIMIT = ""
    codes = {
        api_client.post(URL, payload(respondent, title=f"t{i}"), format="json").status_code
        for i in range(5)
    }
    assert codes == {201}


def test_intake_costs_a_fixed_small_number_of_queries(
    api_client, respondent, django_assert_max_num_queries
):
    api_client.post(URL, payload(respondent, title="warm"), format="json")
    with django_assert_max_num_queries(12):
        response = api_client.post(URL, payload(respondent), format="json")
    assert response.status_code == 201


def test_errors_are_in_chinese_by_default_and_english_on_request(api_client, respondent):
    bad = payload(respondent, contact_phone="12345")
    chinese = api_client.post(URL, bad, format="json").json()["contact_phone"][0]
    english = api_client.post(URL, bad, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert "手机" in chinese
    assert "mobile" in english["contact_phone"][0].lower()
    missing = api_client.post(URL, {}, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert "required" in missing["title"][0].lower()


@pytest.mark.django_db(transaction=True)
def test_a_submission_is_one_transaction_validation_included(api_client, respondent):
    """DESIGN section 10: one transaction per complaint. The serializer's look-up of the
    respondent runs inside it, not as a read-only transaction of its own before it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api_client.post(URL, payload(respondent, title="warm"), format="json")
    with CaptureQueriesContext(connection) as captured:
        response = api_client.post(URL, payload(respondent), format="json")
    assert response.status_code == 201
    sql = [q["sql"].strip().upper() for q in captured.captured_queries]
    assert sql[0].startswith("BEGIN"), f"a statement before the transaction: {sql[0]}"
    commit = sql.index("COMMIT")
    assert not [text for text in sql[1:commit] if text.startswith("BEGIN")]
    assert any('"AGENCIES_AGENCY"' in text for text in sql[1:commit]), "the look-up is inside"
    assert any(text.startswith('INSERT INTO "COMPLAINTS_COMPLAINT"') for text in sql[1:commit])
    # after the commit only the delivery of its receipts (embedded mode runs it at once)
