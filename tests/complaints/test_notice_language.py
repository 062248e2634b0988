"""The complainant's e-mails and SMS in the complainant's language (``complaints.notices``).

The language is taken from the request that filed the complaint (public form, API) and the
notices are rendered from their code and parameters when sent, in that language, whatever the
language of the staff member whose action caused them."""

import re

import pytest
from django.core import mail
from django.utils import translation

from complaints.models import Complaint, Notification
from complaints.notices import TEXTS, notice_text
from complaints.services import workflow as wf
from complaints.services.conversation import complaint_reply
from complaints.services.recovery import access_code_recovery_request
from complaints.services.review import complaint_decide_review, complaint_request_review
from tests.complaints.factories import complaint_submit_for_test
from tests.complaints.test_intake_api import payload
from tests.complaints.test_intake_pages import form_data
from tests.complaints.test_workflow_helpers import handler_of, officer

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
SENT_SMS: list[tuple[str, str]] = []


class RecordingSmsBackend:
    def send(self, phone, body):
        SENT_SMS.append((phone, body))


@pytest.fixture(autouse=True)
def _outboxes(settings):
    settings.SMS_BACKEND = "tests.complaints.test_notice_language.RecordingSmsBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    SENT_SMS.clear()
    yield
    # A test-client request in English leaves English active in this thread: the tests that
    # follow must not inherit it.
    translation.deactivate()


def sent_texts() -> list[str]:
    """Everything delivered so far: e-mail subjects and bodies, SMS bodies."""
    return [t for m in mail.outbox for t in (m.subject, m.body)] + [b for _p, b in SENT_SMS]


def file(language: str, **overrides):
    """A complaint filed by a complainant whose request was in ``language`` (the service takes
    the active language when none is given)."""
    with translation.override(language):
        complaint, _code = complaint_submit_for_test(language="", **overrides)
    return complaint


def test_an_english_complaint_gets_english_receipt_notices_and_recovery_code(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = file("en", title="Unpaid school repairs")
    assert complaint.language == "en"
    handler = handler_of(complaint)
    with translation.override("zh-hans"):  # the staff work in Chinese
        with django_capture_on_commit_callbacks(execute=True):
            wf.complaint_accept(complaint=complaint, actor=handler)
        with django_capture_on_commit_callbacks(execute=True):
            complaint_reply(complaint=complaint, actor=handler, body="请补充验收单。")
        with django_capture_on_commit_callbacks(execute=True):
            access_code_recovery_request(
                client="203.0.113.9", reference=complaint.reference, contact=complaint.contact_phone
            )
    templates = set(Notification.objects.filter(complaint=complaint).values_list("template"))
    assert templates == {("receipt",), ("status",), ("reply",), ("recovery_code",)}
    texts = sent_texts()
    assert len(texts) == 3 * 2 + 4  # receipt, status, reply by e-mail and SMS; the code by SMS
    data = [complaint.title, complaint.reference]
    for text in texts:
        for value in data:
            text = text.replace(value, "")
        assert not CJK.search(text), text
    joined = "\n".join(texts)
    assert "Complaint received" in joined and "Under verification" in joined
    assert re.search(r"\b\d{6}\b", SENT_SMS[-1][1]), "the one-time code is in the SMS"
    assert "请补充验收单" not in joined  # the message stays behind the access code


def test_a_chinese_complaint_gets_chinese_texts_when_staff_act_in_english(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = file("zh-hans")
    assert complaint.language == "zh-hans"
    with translation.override("en"):  # a handler using the English console
        with django_capture_on_commit_callbacks(execute=True):
            wf.complaint_accept(complaint=complaint, actor=handler_of(complaint))
        with django_capture_on_commit_callbacks(execute=True):
            access_code_recovery_request(
                client="203.0.113.9", reference=complaint.reference, contact=complaint.contact_email
            )
    subjects = [m.subject for m in mail.outbox]
    assert subjects == [
        f"投诉已受理：{complaint.reference}",
        f"投诉办理进度更新：{complaint.reference}",
        f"找回查询码验证码：{complaint.reference}",
    ]
    assert "核实中" in mail.outbox[1].body and "验证码" in mail.outbox[2].body
    assert all("查看进度" in body for _p, body in SENT_SMS[:1])


def test_the_text_is_rendered_when_sent_not_when_queued(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        complaint = file("en")
    row = Notification.objects.get(complaint=complaint, channel="email")
    assert (row.template, row.language, row.body) == ("receipt", "en", "")
    assert row.params["reference"] == complaint.reference
    Notification.objects.filter(pk=row.pk).update(language="zh-hans")
    row.refresh_from_db()
    assert notice_text(row)[0] == f"投诉已受理：{complaint.reference}"


def test_public_form_in_english_stores_english(client):
    from tests.agencies.factories import AgencyFactory

    school = AgencyFactory(name="实验小学", supervisor=AgencyFactory(name="区教育局"))
    client.cookies["django_language"] = "en"
    response = client.post("/complaints/new/", form_data(school))
    assert response.status_code == 302
    assert Complaint.objects.get().language == "en"


def test_api_takes_the_request_language_or_an_explicit_one(client):
    from tests.agencies.factories import AgencyFactory

    school = AgencyFactory(name="某小学", supervisor=AgencyFactory(name="某教育局"))
    url = "/api/v1/complaints/"
    first = client.post(
        url, payload(school), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en-US"
    )
    second = client.post(
        url,
        payload(school, contact_phone="13812345679", language="zh-hans"),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert first.status_code == second.status_code == 201
    languages = dict(Complaint.objects.values_list("reference", "language"))
    assert languages == {first.json()["reference"]: "en", second.json()["reference"]: "zh-hans"}
    bad = client.post(url, payload(school, language="fr"), content_type="application/json")
    assert bad.status_code == 400 and "language" in bad.json()
    assert Complaint.objects.count() == 2


def test_a_registrant_files_in_the_products_language_unless_told(make_staff):
    clerk = make_staff(role="intake_clerk")
    with translation.override("en"):
        complaint, _code = complaint_submit_for_test(
            actor=clerk, channel="hotline_12345", language=""
        )
        assert complaint.language == "zh-hans"
        told, _code = complaint_submit_for_test(
            actor=clerk, channel="hotline_12345", language="en", contact_phone="13900000009"
        )
    assert told.language == "en"


def test_schema_documents_the_optional_language(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    body = schema["components"]["schemas"]["ComplaintSubmitRequest"]
    assert "language" in body["properties"] and "language" not in body.get("required", [])
    assert body["properties"]["language"].get("description")


def test_every_notice_text_exists_in_both_languages():
    params = {
        "reference": "TS-1",
        "title": "T",
        "status": "routed",
        "action": "accept",
        "data": {},
        "sender": "handler",
        "code": "123456",
        "minutes": 15,
    }
    for template in TEXTS:
        for channel in ("email", "sms"):
            row = Notification(template=template, params=params, channel=channel)
            row.language = "en"
            english = " ".join(notice_text(row))
            assert "TS-1" in english and not CJK.search(english), (template, english)
            row.language = "zh-hans"
            assert CJK.search(notice_text(row)[1]), template


def test_admin_lists_notices_by_code_and_language(client, superuser):
    file("en")
    client.force_login(superuser)
    page = client.get("/admin/complaints/notification/", {"template": "receipt"})
    assert page.status_code == 200
    html = page.content.decode()
    # Labels, not codes, in the reader's language.
    assert html.count('<td class="field-notice">受理回执</td>') == 2
    assert '<td class="field-notice_language">英语</td>' in html
    assert ">receipt<" not in html and 'field-language">en<' not in html
    english = client.get(
        "/admin/complaints/notification/", {"template": "receipt"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert english.count('<td class="field-notice">Receipt</td>') == 2
    assert '<td class="field-notice_language">English</td>' in english


def test_a_review_decision_reaches_the_complainant_in_their_language(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        english = file("en")
        chinese = file("zh-hans")
    for complaint in (english, chinese):
        handler = handler_of(complaint)
        wf.complaint_accept(complaint=complaint, actor=handler)
        wf.complaint_find_unfounded(complaint=complaint, actor=handler, explanation="款项已支付")
        complaint_request_review(complaint=complaint, reason="付款凭证有误")
    mail.outbox.clear()
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        complaint_decide_review(
            complaint=english, actor=officer(), upheld=False, reason="凭证经核对无误"
        )
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        complaint_decide_review(complaint=chinese, actor=officer(), upheld=True, reason="重新核实")
    refused, upheld = mail.outbox
    assert refused.subject == f"Review of your complaint decided: {english.reference}"
    assert not CJK.search(refused.body.replace("凭证经核对无误", "").replace(english.title, ""))
    assert "Unfounded" in refused.body or "unfounded" in refused.body
    assert upheld.subject == f"投诉复核结果：{chinese.reference}"
    assert "复核认为理由成立" in upheld.body
