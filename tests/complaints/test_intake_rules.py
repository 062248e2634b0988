"""The intake's rules beyond field validation: the respondent id, duplicates, the first
events and receipts, one transaction per submission."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.choices import Action, NotificationChannel, Status
from complaints.models import Complaint, ComplaintEvent, Notification
from complaints.notices import notice_text
from complaints.services.events import event_hash, event_payload
from complaints.signals import complaint_event_committed
from tests.agencies.factories import AgencyFactory, make_uscc
from tests.complaints import evidence
from tests.complaints.factories import complaint_submit_for_test
from tests.complaints.test_intake_api import URL, assert_nothing_stored, payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def respondent():
    return AgencyFactory(name="某区某小学", supervisor=AgencyFactory(name="某区教育局"))


def test_errors_of_one_submission_do_not_carry_over_to_the_next(api_client, respondent):
    bad = api_client.post(URL, payload(respondent, title="长" * 201), format="json")
    good = api_client.post(URL, payload(respondent), format="json")
    other_bad = api_client.post(URL, payload(respondent, contact_phone="12345"), format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"title"}
    assert good.status_code == 201, good.content
    assert other_bad.status_code == 400 and set(other_bad.json()) == {"contact_phone"}


def test_error_language_follows_each_request_with_cached_fields(api_client, respondent):
    body = payload(respondent, title="长" * 201)
    english = api_client.post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = api_client.post(URL, body, format="json").json()
    english_again = api_client.post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert "200" in english["title"][0] and "characters" in english["title"][0]
    assert "200" in chinese["title"][0] and "字符" in chinese["title"][0]
    assert english_again == english


BAD_RESPONDENTS = [
    ("text", "abc"),
    ("boolean", True),
    ("fraction", 1.5),
    ("list", [1]),
    ("object", {"id": 1}),
    ("beyond a 64-bit id", 10**30),
    ("negative", -1),
    ("zero", 0),
]


@pytest.mark.parametrize(("case", "value"), BAD_RESPONDENTS, ids=[c[0] for c in BAD_RESPONDENTS])
def test_malformed_or_unknown_respondent_ids_are_field_errors_and_store_nothing(
    api_client, respondent, case, value
):
    response = api_client.post(URL, payload(respondent, respondent_agency=value), format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["respondent_agency"]
    assert_nothing_stored()


def test_respondent_id_sent_as_text_digits_is_accepted(api_client, respondent):
    response = api_client.post(URL, payload(respondent, respondent_agency=str(respondent.pk)))
    assert response.status_code == 201, response.content
    assert response.json()["respondent_agency"] == respondent.pk


def test_an_inactive_respondent_is_a_field_error_and_stores_nothing(api_client):
    response = api_client.post(URL, payload(AgencyFactory(is_active=False)), format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["respondent_agency"]
    assert_nothing_stored()


def test_a_respondent_without_a_supervisor_waits_for_routing(api_client):
    response = api_client.post(URL, payload(AgencyFactory()), format="json")
    assert response.status_code == 201
    assert response.json()["status"] == Status.PENDING_ROUTING


def test_inactive_supervisor_leaves_the_complaint_for_the_credit_office(api_client):
    school = AgencyFactory(supervisor=AgencyFactory(is_active=False))
    response = api_client.post(URL, payload(school), format="json")
    assert response.status_code == 201
    assert response.json()["status"] == Status.PENDING_ROUTING
    assert response.json()["handling_agency"] is None


def test_same_uscc_with_another_phone_is_a_duplicate_and_an_empty_uscc_matches_nothing():
    original, _ = complaint_submit_for_test()
    by_uscc, _ = complaint_submit_for_test(
        respondent_agency=original.respondent_agency,
        complainant_uscc=original.complainant_uscc,
        contact_phone="13900000001",
        contract_title=original.contract_title,
    )
    individual, _ = complaint_submit_for_test(
        respondent_agency=original.respondent_agency,
        complainant_type="individual",
        complainant_uscc="",
        contact_phone="13900000002",
        contract_title=original.contract_title,
    )
    assert by_uscc.duplicate_of_id == original.pk
    assert individual.duplicate_of_id is None


def test_without_a_contract_title_only_the_same_title_is_a_duplicate():
    original, _ = complaint_submit_for_test(contract_title="", title="食堂承包费未退还")
    same = {
        "respondent_agency": original.respondent_agency,
        "contact_phone": original.contact_phone,
        "contract_title": "  ",
    }
    again, _ = complaint_submit_for_test(title="食堂承包费未退还", **same)
    other, _ = complaint_submit_for_test(title="另一件事", **same)
    about_a_contract, _ = complaint_submit_for_test(
        title="食堂承包费未退还", **{**same, "contract_title": "食堂承包合同"}
    )
    assert again.duplicate_of_id == original.pk
    assert other.duplicate_of_id is None
    assert about_a_contract.duplicate_of_id is None


def test_complaint_of_another_respondent_is_not_a_duplicate():
    original, _ = complaint_submit_for_test()
    elsewhere, _ = complaint_submit_for_test(
        contact_phone=original.contact_phone, contract_title=original.contract_title
    )
    assert elsewhere.respondent_agency_id != original.respondent_agency_id
    assert elsewhere.duplicate_of_id is None


def test_initial_events_are_complete_rows_and_signal_their_ids_after_commit(
    django_capture_on_commit_callbacks,
):
    seen = []

    def receiver(**kwargs):
        seen.append((kwargs["event_id"], kwargs["complaint_id"], kwargs["action"]))

    complaint_event_committed.connect(receiver, dispatch_uid="intake-lean-test")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            complaint, _ = complaint_submit_for_test()
    finally:
        complaint_event_committed.disconnect(dispatch_uid="intake-lean-test")
    events = list(ComplaintEvent.objects.filter(complaint=complaint).order_by("seq"))
    assert seen == [(e.pk, complaint.pk, e.action) for e in events]
    assert [e.action for e in events] == [Action.SUBMIT, Action.ROUTE]
    submit, route = events
    assert submit.created_at == complaint.submitted_at == route.created_at
    assert submit.actor_id is None
    assert submit.data == {"channel": complaint.channel, "reference": complaint.reference}
    assert submit.message == "" and route.message == ""  # rendered when read
    assert route.data["handling_agency"] == complaint.handling_agency_id
    assert route.data["agency_name"] == complaint.handling_agency.name
    assert route.data["deadline"]["rule"] == "acceptance"
    assert route.prev_hash == submit.hash
    assert complaint.last_event_seq == 2
    for event in events:
        assert event.hash == event_hash(
            prev_hash=event.prev_hash,
            complaint_id=complaint.pk,
            seq=event.seq,
            payload=event_payload(event),
        )


def test_registered_complaint_events_record_the_clerk(make_staff):
    clerk = make_staff("intake_clerk")
    complaint, _ = complaint_submit_for_test(actor=clerk, channel="phone")
    submit = complaint.events.get(action=Action.SUBMIT)
    assert submit.actor_id == clerk.pk
    assert submit.hash == event_hash(
        prev_hash="", complaint_id=complaint.pk, seq=1, payload=event_payload(submit)
    )


def test_receipt_rows_carry_the_model_defaults_and_no_access_code():
    complaint, code = complaint_submit_for_test(contact_email="li@example.invalid")
    email = Notification.objects.get(complaint=complaint, channel=NotificationChannel.EMAIL)
    sms = Notification.objects.get(complaint=complaint, channel=NotificationChannel.SMS)
    for row in (email, sms):
        assert row.created_at is not None and row.sent_at is None and row.claimed_until is None
        assert row.attempts == 0 and row.last_error == ""
        text = notice_text(row)[1]
        assert code not in text and complaint.reference in text
    assert email.recipient == "li@example.invalid" and complaint.reference in notice_text(email)[0]
    assert sms.recipient == complaint.contact_phone and notice_text(sms)[0] == ""


def test_landline_without_email_gets_no_receipt_row():
    complaint, _ = complaint_submit_for_test(contact_email="", contact_phone="0571-87654321")
    assert not Notification.objects.filter(complaint=complaint).exists()
    assert Complaint.objects.filter(pk=complaint.pk).exists()


def test_enterprise_uscc_is_normalised_before_the_duplicate_lookup(api_client, respondent):
    uscc = make_uscc(7, prefix="91330106")
    first = api_client.post(URL, payload(respondent, complainant_uscc=uscc), format="json")
    again = api_client.post(
        URL,
        payload(respondent, complainant_uscc=f" {uscc.lower()} ", contact_phone="13900000003"),
        format="json",
    )
    assert first.status_code == again.status_code == 201, again.content
    original = Complaint.objects.get(reference=first.json()["reference"])
    assert Complaint.objects.get(reference=again.json()["reference"]).duplicate_of == original


def test_a_submission_costs_a_fixed_number_of_queries(respondent, django_assert_num_queries):
    complaint_submit_for_test(respondent_agency=respondent)  # the time-limit policy, cached
    # savepoint and release (the test's transaction around), the duplicate probe, the
    # reference (a sequence; on SQLite a counter row bumped and read), the complaint, its
    # sealed chain head (an UPDATE: the seal needs the id the INSERT gave), its events, its
    # receipts
    reference = 2 if connection.vendor == "sqlite" else 1
    with django_assert_num_queries(2 + 1 + reference + 4):
        complaint_submit_for_test(respondent_agency=respondent)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_submission_is_one_transaction(respondent, monkeypatch, settings):
    """As in a request (no transaction around it), everything a submission writes commits
    together: one BEGIN, one COMMIT."""
    from complaints import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False  # the receipts' drain is published, not run here
    monkeypatch.setattr(tasks.notification_drain, "apply_async", lambda *a, **k: None)
    first, _ = complaint_submit_for_test(respondent_agency=respondent)
    commits = []
    with CaptureQueriesContext(connection) as queries:
        original_commit = connection.commit

        def counted_commit():
            commits.append(1)
            return original_commit()

        monkeypatch.setattr(connection, "commit", counted_commit)
        second, _ = complaint_submit_for_test(
            respondent_agency=respondent,
            contract_title=first.contract_title,
            contact_phone=first.contact_phone,
            files=[evidence.pdf()],
        )
    assert len(commits) == 1
    assert len(queries) >= 5
    assert second.duplicate_of_id == first.pk
    stored = Complaint.objects.get(pk=second.pk)
    assert stored.reference == second.reference and stored.status == Status.ROUTED
    assert list(stored.events.order_by("seq").values_list("action", flat=True)) == [
        Action.SUBMIT,
        Action.ROUTE,
    ]
    assert stored.notifications.count() == 2
    attachment = stored.attachments.get()
    assert attachment.file.name.startswith(f"evidence/{second.pk}/")
    assert attachment.file.read().startswith(b"%PDF")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_failed_write_stores_nothing_and_removes_the_files(respondent, monkeypatch):
    from complaints.services import notifications

    def too_long_recipient(complaint, template, params):
        return [
            Notification(
                complaint=complaint, channel=NotificationChannel.EMAIL, recipient="x" * 300
            )
        ]

    monkeypatch.setattr(notifications, "complainant_notice_rows", too_long_recipient)
    with pytest.raises(Exception, match="too long"):
        complaint_submit_for_test(respondent_agency=respondent, files=[evidence.pdf()])
    assert_nothing_stored()  # rows and files
