import pytest
from django.core.exceptions import ValidationError

from complaints.choices import Action, Channel, Status
from complaints.models import Complaint, ComplaintEvent, Notification
from complaints.services.events import event_hash, event_payload
from complaints.services.intake import complaint_submit
from complaints.services.references import (
    ACCESS_CODE_ALPHABET,
    ACCESS_CODE_LENGTH,
    access_code_hash,
    access_code_matches,
    access_code_new,
)
from complaints.timeline import internal_text, public_text
from tests.agencies.factories import AgencyFactory
from tests.complaints.factories import ComplaintFactory, complaint_data, complaint_submit_for_test

pytestmark = pytest.mark.django_db


def test_respondent_with_supervisor_is_routed_to_the_supervisor_at_submission():
    supervisor = AgencyFactory(name="市教育局")
    school = AgencyFactory(name="某小学", supervisor=supervisor)
    complaint, _code = complaint_submit_for_test(respondent_agency=school)
    complaint.refresh_from_db()
    assert complaint.status == Status.ROUTED
    assert complaint.handling_agency == supervisor
    events = list(complaint.events.order_by("seq"))
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        (Action.SUBMIT, "", Status.PENDING_ROUTING),
        (Action.ROUTE, Status.PENDING_ROUTING, Status.ROUTED),
    ]
    assert all(e.is_public for e in events)
    assert "市教育局" in public_text(events[1])


def test_respondent_without_supervisor_waits_for_the_credit_office():
    complaint, _code = complaint_submit_for_test(routed=False)
    assert complaint.status == Status.PENDING_ROUTING
    assert complaint.handling_agency is None
    assert [e.action for e in complaint.events.all()] == [Action.SUBMIT]


def test_initial_events_form_a_valid_hash_chain():
    complaint = ComplaintFactory()
    prev = ""
    for event in complaint.events.order_by("seq"):
        assert event.prev_hash == prev
        assert event.hash == event_hash(
            prev_hash=prev, complaint_id=complaint.pk, seq=event.seq, payload=event_payload(event)
        )
        prev = event.hash


def test_reference_is_year_and_zero_padded_sequence_and_unique():
    first = ComplaintFactory()
    second = ComplaintFactory()
    year, number = first.reference.split("-")
    assert len(year) == 4 and len(number) == 6
    assert int(second.reference.split("-")[1]) == int(number) + 1


def test_access_codes_use_every_character_in_every_position():
    """A code is one random number written in the alphabet's base: a digit stuck or skewed
    in some position (a wrong base, a short draw) shows as characters missing there."""
    codes = [access_code_new() for _ in range(2000)]
    assert len(set(codes)) == len(codes)
    assert {len(code) for code in codes} == {ACCESS_CODE_LENGTH}
    for position in range(ACCESS_CODE_LENGTH):
        seen = [code[position] for code in codes]
        assert set(seen) == set(ACCESS_CODE_ALPHABET), position  # each expected ~62 times
        assert max(seen.count(c) for c in ACCESS_CODE_ALPHABET) < 130, position


def test_access_code_is_long_unambiguous_and_stored_only_as_keyed_hmac():
    complaint, code = complaint_submit_for_test()
    assert len(code) >= 10
    assert set(code) <= set(ACCESS_CODE_ALPHABET)
    assert not set("01IO") & set(ACCESS_CODE_ALPHABET)
    complaint.refresh_from_db()
    assert code not in complaint.access_code_hash
    assert complaint.access_code_hash == access_code_hash(code)
    assert access_code_matches(code.lower(), complaint.access_code_hash)
    assert access_code_matches(f"{code[:4]}-{code[4:8]}-{code[8:]}", complaint.access_code_hash)
    assert not access_code_matches("2" * len(code), complaint.access_code_hash)


def test_access_code_hash_depends_on_the_configured_key(settings):
    settings.ACCESS_CODE_KEY = "one"
    first = access_code_hash("ABCDEFGHJKLM")
    settings.ACCESS_CODE_KEY = "two"
    assert access_code_hash("ABCDEFGHJKLM") != first


def test_anonymous_submission_is_always_web_whatever_channel_is_asked():
    complaint, _ = complaint_submit_for_test(channel=Channel.PETITION)
    assert complaint.channel == Channel.WEB
    assert complaint.registered_by is None


def test_intake_clerk_records_channel_and_is_registered_by(make_staff):
    clerk = make_staff(role="intake_clerk")
    complaint, _ = complaint_submit_for_test(actor=clerk, channel=Channel.HOTLINE_12345)
    assert complaint.channel == Channel.HOTLINE_12345
    assert complaint.registered_by == clerk
    assert complaint.events.get(seq=1).actor == clerk


def test_same_complainant_respondent_and_contract_within_90_days_is_linked_not_merged():
    original, _ = complaint_submit_for_test()
    again, _ = complaint_submit_for_test(
        respondent_agency=original.respondent_agency,
        complainant_uscc=original.complainant_uscc,
        contact_phone="13900000000",
        contract_title=original.contract_title,
    )
    assert again.pk != original.pk
    assert again.duplicate_of == original
    submit = again.events.get(action=Action.SUBMIT)
    assert original.reference in internal_text(submit)
    assert submit.data["duplicate_of"] == original.reference
    assert Complaint.objects.count() == 2


def test_same_phone_counts_as_same_complainant():
    original, _ = complaint_submit_for_test()
    again, _ = complaint_submit_for_test(
        respondent_agency=original.respondent_agency,
        complainant_type="individual",
        complainant_uscc="",
        contact_phone=original.contact_phone,
        contract_title=original.contract_title,
    )
    assert again.duplicate_of == original


def test_a_third_submission_links_to_the_first_not_to_the_duplicate():
    original, _ = complaint_submit_for_test()
    same = {
        "respondent_agency": original.respondent_agency,
        "contact_phone": original.contact_phone,
        "contract_title": original.contract_title,
    }
    complaint_submit_for_test(**same)
    third, _ = complaint_submit_for_test(**same)
    assert third.duplicate_of == original


def test_other_contract_or_after_90_days_is_not_a_duplicate(time_machine):
    time_machine.move_to("2026-01-05 10:00:00+08:00")
    original, _ = complaint_submit_for_test()
    other, _ = complaint_submit_for_test(
        respondent_agency=original.respondent_agency,
        contact_phone=original.contact_phone,
        contract_title="另一份合同",
    )
    assert other.duplicate_of is None
    time_machine.move_to("2026-04-06 10:00:00+08:00")
    late, _ = complaint_submit_for_test(
        respondent_agency=original.respondent_agency,
        contact_phone=original.contact_phone,
        contract_title=original.contract_title,
    )
    assert late.duplicate_of is None


def test_inactive_respondent_is_refused_and_nothing_is_stored():
    data = complaint_data(respondent_agency=AgencyFactory(is_active=False))
    with pytest.raises(ValidationError):
        complaint_submit(data=data)
    assert not Complaint.objects.exists()
    assert not ComplaintEvent.objects.exists()


def test_receipt_is_queued_in_the_outbox_with_the_submission(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        complaint, code = complaint_submit_for_test()
    rows = Notification.objects.filter(complaint=complaint)
    assert {r.channel for r in rows} == {"email", "sms"}
    assert all(code not in r.body for r in rows)
    assert callbacks, "delivery must be enqueued on commit"


@pytest.mark.postgres
def test_concurrent_submissions_get_distinct_references_without_blocking(transactional_db):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    respondent = AgencyFactory(supervisor=AgencyFactory())

    def submit(i):
        try:
            complaint, _ = complaint_submit_for_test(respondent_agency=respondent, title=f"t{i}")
            return complaint.reference
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        references = list(pool.map(submit, range(40)))
    assert len(set(references)) == 40
    assert Complaint.objects.count() == 40


@pytest.mark.postgres
def test_a_year_without_a_sequence_gets_one_on_first_use():
    from complaints.services.references import reference_next

    assert reference_next(year=2199).startswith("2199-")


def test_pending_routing_complaint_is_due_for_routing_in_ten_working_days():
    # 保障中小企业款项支付条例 第二十五条 (the defect: no due date, never supervised).
    from django.utils import timezone

    from integrity_portal.workdays import add_workdays

    complaint = ComplaintFactory(routed=False)
    due = timezone.localtime(complaint.due_at).date()
    assert due == add_workdays(timezone.localdate(complaint.submitted_at), 10)
