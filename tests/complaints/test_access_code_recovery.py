"""找回查询码: reference + the contact on file → a one-time code there → a new access code.

Service tests for the identical answers and the throttle, and the pages a complainant uses."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from complaints.choices import Action, NotificationChannel
from complaints.models import AccessCodeRecovery, ComplaintEvent, Notification
from complaints.notices import notice_text
from complaints.services.recovery import (
    MAX_ATTEMPTS,
    RecoveryThrottled,
    access_code_recovery_confirm,
    access_code_recovery_request,
)
from complaints.services.references import access_code_matches
from tests.complaints.factories import ComplaintFactory

pytestmark = pytest.mark.django_db

CLIENT = "203.0.113.7"


def one_time_code(complaint) -> str:
    """The newest one-time code sent to the complaint's contact (from the outbox row)."""
    row = (
        Notification.objects.filter(complaint=complaint, template="recovery_code")
        .order_by("-id")
        .first()
    )
    assert row is not None, "no one-time code was sent"
    return re.search(r"验证码[：:]?(\d{6})", notice_text(row)[1]).group(1)


@pytest.fixture
def rates(settings):
    def _set(client="100/hour", reference="100/hour"):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                "recovery": client,
                "recovery_reference": reference,
            },
        }

    _set()
    return _set


# --- the request: identical answers -----------------------------------------------------------


def test_matching_phone_sends_a_one_time_code_by_sms_to_the_number_on_file(rates):
    complaint = ComplaintFactory()
    result = access_code_recovery_request(
        client=CLIENT, reference=complaint.reference, contact=complaint.contact_phone
    )
    assert result is None
    row = Notification.objects.filter(complaint=complaint, template="recovery_code").get()
    assert row.channel == NotificationChannel.SMS
    assert row.recipient == complaint.contact_phone
    recovery = AccessCodeRecovery.objects.get()
    assert recovery.complaint == complaint
    assert one_time_code(complaint) not in recovery.code_hash  # only a keyed hash is kept


def test_matching_email_in_other_case_sends_the_code_by_email(rates):
    complaint = ComplaintFactory()
    access_code_recovery_request(
        client=CLIENT, reference=complaint.reference, contact=complaint.contact_email.upper()
    )
    row = Notification.objects.filter(complaint=complaint, template="recovery_code").get()
    assert row.channel == NotificationChannel.EMAIL
    assert row.recipient == complaint.contact_email


@pytest.mark.parametrize("case", ["wrong_contact", "unknown_reference", "other_complaints_phone"])
def test_a_pair_that_does_not_match_gets_the_same_answer_sends_nothing_and_is_logged(rates, case):
    complaint, other = ComplaintFactory(), ComplaintFactory()
    reference, contact = {
        "wrong_contact": (complaint.reference, "13900000000"),
        "unknown_reference": ("2099-999999", complaint.contact_phone),
        "other_complaints_phone": (complaint.reference, other.contact_phone),
    }[case]
    before = Notification.objects.count()
    result = access_code_recovery_request(client=CLIENT, reference=reference, contact=contact)
    assert result is None  # what a matching pair gets too
    assert Notification.objects.count() == before
    logged = AccessCodeRecovery.objects.get()
    assert (logged.reference, logged.client, logged.complaint) == (reference, CLIENT, None)


def test_pages_answer_a_matching_and_a_non_matching_pair_identically(client, rates):
    complaint = ComplaintFactory()
    answers = []
    for contact in (complaint.contact_phone, "13900000000"):
        response = client.post(
            "/track/recover/",
            {"reference": complaint.reference, "contact": contact},
            follow=True,
        )
        page = response.content.decode()
        answers.append(
            (
                response.status_code,
                response.redirect_chain,
                re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page),
            )
        )
    assert answers[0] == answers[1]
    assert answers[0][1][-1][0] == f"/track/recover/code/?reference={complaint.reference}"


# --- the request: throttled ------------------------------------------------------------------


def test_requests_for_one_reference_are_throttled_whether_or_not_the_pair_matched(rates):
    rates(reference="3/hour")
    complaint = ComplaintFactory()
    for contact in (complaint.contact_phone, "13900000000", complaint.contact_phone):
        access_code_recovery_request(client=CLIENT, reference=complaint.reference, contact=contact)
    for contact in (complaint.contact_phone, "13900000000"):
        with pytest.raises(RecoveryThrottled):
            access_code_recovery_request(
                client="198.51.100.1", reference=complaint.reference, contact=contact
            )
    assert AccessCodeRecovery.objects.count() == 3  # refused requests send and store nothing
    assert Notification.objects.filter(template="recovery_code").count() == 2


def test_requests_from_one_client_are_throttled_across_references(rates):
    rates(client="2/hour")
    complaints = [ComplaintFactory() for _ in range(3)]
    for complaint in complaints[:2]:
        access_code_recovery_request(
            client=CLIENT, reference=complaint.reference, contact="13900000000"
        )
    with pytest.raises(RecoveryThrottled):
        access_code_recovery_request(
            client=CLIENT, reference=complaints[2].reference, contact=complaints[2].contact_phone
        )
    # Another client is not affected.
    access_code_recovery_request(
        client="198.51.100.1",
        reference=complaints[2].reference,
        contact=complaints[2].contact_phone,
    )


def test_the_throttle_forgets_requests_older_than_its_window(rates):
    rates(reference="1/hour")
    complaint = ComplaintFactory()
    access_code_recovery_request(
        client=CLIENT, reference=complaint.reference, contact=complaint.contact_phone
    )
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        access_code_recovery_request(
            client=CLIENT, reference=complaint.reference, contact=complaint.contact_phone
        )
    assert AccessCodeRecovery.objects.count() == 2


def test_throttled_page_says_so_in_the_users_language(client, rates):
    rates(reference="1/hour")
    complaint = ComplaintFactory()
    body = {"reference": complaint.reference, "contact": "13900000000"}
    client.post("/track/recover/", body)
    response = client.post("/track/recover/", body)
    assert response.status_code == 200
    assert "申请验证码过于频繁" in response.content.decode()


# --- the confirmation --------------------------------------------------------------------------


def test_the_one_time_code_sets_a_new_access_code_and_the_old_one_stops_working(rates):
    complaint = ComplaintFactory()
    old = complaint.access_code
    access_code_recovery_request(
        client=CLIENT, reference=complaint.reference, contact=complaint.contact_phone
    )
    result = access_code_recovery_confirm(
        client=CLIENT, reference=complaint.reference, code=one_time_code(complaint)
    )
    assert result is not None
    recovered, new_code = result
    recovered.refresh_from_db()
    assert access_code_matches(new_code, recovered.access_code_hash)
    assert not access_code_matches(old, recovered.access_code_hash)
    assert len(new_code) == 12
    event = ComplaintEvent.objects.filter(complaint=complaint).order_by("-seq").first()
    assert (event.action, event.is_public) == (Action.RESET_ACCESS_CODE, False)
    assert event.actor_kind == "complainant"
    reset_notice = Notification.objects.filter(complaint=complaint, template="access_code_reset")
    assert reset_notice.exists()


def test_a_one_time_code_works_once(rates):
    complaint = ComplaintFactory()
    access_code_recovery_request(
        client=CLIENT, reference=complaint.reference, contact=complaint.contact_phone
    )
    code = one_time_code(complaint)
    assert access_code_recovery_confirm(client=CLIENT, reference=complaint.reference, code=code)
    assert (
        access_code_recovery_confirm(client=CLIENT, reference=complaint.reference, code=code)
        is None
    )


def test_a_one_time_code_expires(rates):
    complaint = ComplaintFactory()
    access_code_recovery_request(
        client=CLIENT, reference=complaint.reference, contact=complaint.contact_phone
    )
    code = one_time_code(complaint)
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert (
            access_code_recovery_confirm(client=CLIENT, reference=complaint.reference, code=code)
            is None
        )


def test_wrong_codes_exhaust_the_one_time_code(rates):
    complaint = ComplaintFactory()
    old_hash = complaint.access_code_hash
    access_code_recovery_request(
        client=CLIENT, reference=complaint.reference, contact=complaint.contact_phone
    )
    code = one_time_code(complaint)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(MAX_ATTEMPTS):
        assert (
            access_code_recovery_confirm(client=CLIENT, reference=complaint.reference, code=wrong)
            is None
        )
    assert (
        access_code_recovery_confirm(client=CLIENT, reference=complaint.reference, code=code)
        is None
    )
    complaint.refresh_from_db()
    assert complaint.access_code_hash == old_hash  # nothing changed


def test_a_new_request_supersedes_the_older_code(rates):
    complaint = ComplaintFactory()
    contact = complaint.contact_phone
    access_code_recovery_request(client=CLIENT, reference=complaint.reference, contact=contact)
    first = one_time_code(complaint)
    access_code_recovery_request(client=CLIENT, reference=complaint.reference, contact=contact)
    second = one_time_code(complaint)
    if first != second:
        assert (
            access_code_recovery_confirm(client=CLIENT, reference=complaint.reference, code=first)
            is None
        )
    assert access_code_recovery_confirm(client=CLIENT, reference=complaint.reference, code=second)


def test_a_code_sent_for_another_complaint_does_not_open_this_one(rates):
    complaint, other = ComplaintFactory(), ComplaintFactory()
    access_code_recovery_request(
        client=CLIENT, reference=other.reference, contact=other.contact_phone
    )
    code = one_time_code(other)
    assert (
        access_code_recovery_confirm(client=CLIENT, reference=complaint.reference, code=code)
        is None
    )


# --- the pages ---------------------------------------------------------------------------------


def test_tracking_link_in_a_new_session_opens_the_prompt_with_the_reference_filled_in(client):
    complaint = ComplaintFactory()
    for reference in (complaint.reference, "2099-999999"):
        response = client.get(f"/track/{reference}/")
        assert response.status_code == 200
        page = response.content.decode()
        assert f'value="{reference}"' in page
        assert 'action="/track/"' in page
        assert "/track/recover/?reference=" in page
        assert complaint.title not in page


def test_the_prompt_then_opens_the_complaint(client):
    complaint = ComplaintFactory()
    client.get(f"/track/{complaint.reference}/")
    response = client.post(
        "/track/",
        {"reference": complaint.reference, "access_code": complaint.access_code},
        follow=True,
    )
    assert response.status_code == 200
    assert complaint.title in response.content.decode()


def test_recovery_pages_end_with_a_new_code_shown_once_that_opens_tracking(client, rates):
    complaint = ComplaintFactory()
    client.post(
        "/track/recover/",
        {"reference": complaint.reference, "contact": complaint.contact_email},
    )
    wrong = client.post(
        "/track/recover/code/", {"reference": complaint.reference, "code": "000000x"}
    )
    assert "验证码不正确或已失效" in wrong.content.decode()
    response = client.post(
        "/track/recover/code/",
        {"reference": complaint.reference, "code": one_time_code(complaint)},
        follow=True,
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/track/recover/done/"
    assert response["Cache-Control"] == "no-store"
    shown = re.search(r'id="receipt-access-code" class="code">([A-Z0-9-]+)<', page).group(1)
    complaint.refresh_from_db()
    assert access_code_matches(shown, complaint.access_code_hash)
    assert client.get("/track/recover/done/").status_code == 302  # shown once
    # The same session follows the case; a new one needs the new code.
    assert complaint.title in client.get(f"/track/{complaint.reference}/").content.decode()


def test_receipt_sms_and_email_say_how_to_track_and_how_to_recover(settings):
    settings.SITE_URL = "https://xinyong.example.gov.cn"
    complaint = ComplaintFactory()
    rows = Notification.objects.filter(complaint=complaint)
    assert {r.channel for r in rows} == {NotificationChannel.SMS, NotificationChannel.EMAIL}
    for row in rows:
        text = notice_text(row)[1]
        assert f"https://xinyong.example.gov.cn/track/{complaint.reference}/" in text
        assert "找回" in text
        assert complaint.access_code not in text
