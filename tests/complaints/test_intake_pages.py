import re

import pytest
from django.conf import settings as django_settings

from complaints.models import Complaint
from tests.agencies.factories import AgencyFactory, make_uscc
from tests.complaints import evidence
from tests.complaints.factories import ComplaintFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return AgencyFactory(name="实验小学", supervisor=AgencyFactory(name="区教育局"))


def form_data(respondent, **overrides):
    data = {
        "complainant_type": "enterprise",
        "complainant_name": "某某装饰工程有限公司",
        "complainant_uscc": make_uscc(11, prefix="91330106"),
        "contact_name": "王五",
        "contact_phone": "13912345678",
        "contact_email": "",
        "respondent_agency": respondent.pk,
        "domain": "government_investment",
        "title": "维修工程款拖欠",
        "description": "验收合格后未付款。",
        "contract_title": "维修合同",
        "contract_signed_on": "2024-05-01",
        "amount_involved": "120000.00",
        "remedy_sought": "",
        "consent_to_share_contact": "on",
    }
    data.update(overrides)
    return data


def test_form_shows_domains_with_explanations_and_the_no_excuse_reminder(client):
    html = client.get("/complaints/new/").content.decode()
    assert "机构调整、人员变动" in html
    for value in [
        "procurement",
        "bidding",
        "investment_attraction",
        "ppp",
        "industrial_support",
        "government_investment",
        "payment_arrears",
        "policy_fulfilment",
    ]:
        assert f'value="{value}"' in html
    assert "招商引资协议" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "no inline scripts (CSP)"


def test_search_step_lists_matching_active_agencies_without_javascript(client, school):
    AgencyFactory(name="实验中学（已撤销）", is_active=False)
    html = client.get("/complaints/new/", {"q": "实验"}).content.decode()
    assert f'name="respondent_agency" value="{school.pk}"' in html
    assert "已撤销" not in html


def test_search_button_keeps_typed_values_and_stores_nothing(client, school):
    response = client.post("/complaints/new/", {**form_data(school), "q": "实验", "search": "1"})
    assert response.status_code == 200
    assert "维修工程款拖欠" in response.content.decode()
    assert not Complaint.objects.exists()


def test_valid_form_files_the_complaint_and_shows_the_code_once(client, school):
    data = form_data(school)
    data["files"] = [evidence.pdf("验收单.pdf")]
    response = client.post("/complaints/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    complaint = Complaint.objects.get()
    assert complaint.consent_to_share_contact
    assert complaint.attachments.count() == 1
    receipt = client.get(response["Location"])
    html = receipt.content.decode()
    assert complaint.reference in html
    code = re.search(r'id="receipt-access-code" class="code">([^<]+)<', html).group(1)
    assert len(code.replace("-", "")) == 12
    assert receipt["Cache-Control"] == "no-store"
    again = client.get(response["Location"])
    assert again.status_code == 410
    assert code not in again.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"complainant_uscc": ""}, "complainant_uscc"),
        ({"complainant_uscc": "91330106MA2XXXXXX0"}, "complainant_uscc"),
        ({"contact_phone": "110"}, "contact_phone"),
        ({"amount_involved": "-1"}, "amount_involved"),
        ({"amount_involved": "1.234"}, "amount_involved"),
        ({"contract_signed_on": "2999-01-01"}, "contract_signed_on"),
        ({"respondent_agency": ""}, "respondent_agency"),
        ({"domain": "weather"}, "domain"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_form_input_shows_the_field_error_and_stores_nothing(client, school, overrides, field):
    response = client.post("/complaints/new/", form_data(school, **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Complaint.objects.exists()


def test_executable_named_pdf_in_the_form_is_refused(client, school):
    data = form_data(school)
    data["files"] = [evidence.upload("x.pdf", evidence.EXE_BYTES)]
    response = client.post("/complaints/new/", data)
    assert "files" in response.context["form"].errors
    assert not Complaint.objects.exists()
    media = django_settings.MEDIA_ROOT
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


def test_form_errors_are_in_english_when_english_is_chosen(client, school):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post("/complaints/new/", form_data(school, contact_phone="110"))
    html = response.content.decode()
    assert "Breach-of-contract complaint" in html or "complaint" in html.lower()
    assert "mobile" in " ".join(response.context["form"].errors["contact_phone"]).lower()


def test_tracking_page_with_right_code_shows_the_timeline_escaped(client):
    complaint = ComplaintFactory(title="<script>alert(1)</script>")
    response = client.post(
        "/track/", {"reference": complaint.reference, "access_code": complaint.access_code}
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert 'data-status="routed"' in html


def test_tracking_page_with_wrong_code_says_not_found_and_detail_needs_the_code(client):
    complaint = ComplaintFactory()
    response = client.post("/track/", {"reference": complaint.reference, "access_code": "X" * 12})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    # Without the code the detail is the code prompt again, never the complaint.
    detail = client.get(f"/track/{complaint.reference}/")
    assert detail.status_code == 200
    assert "track_detail" not in [t.name.split("/")[-1][:-5] for t in detail.templates]
    assert complaint.title not in detail.content.decode()


def test_withdraw_through_the_tracking_page(client):
    complaint = ComplaintFactory()
    client.post("/track/", {"reference": complaint.reference, "access_code": complaint.access_code})
    response = client.post(f"/track/{complaint.reference}/withdraw/", {"reason": "已付款"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "withdrawn"


def _tracking(client, complaint):
    client.post("/track/", {"reference": complaint.reference, "access_code": complaint.access_code})
    return f"/track/{complaint.reference}/"


def test_message_through_the_tracking_page_and_an_empty_one_is_shown_again(client):
    complaint = ComplaintFactory()
    page = _tracking(client, complaint)
    response = client.post(page + "message/", {"body": "补充：验收单已上传。"}, follow=True)
    assert response.redirect_chain[-1][0] == page
    assert "留言和材料已提交。" in response.content.decode()
    assert complaint.messages.get().body == "补充：验收单已上传。"
    empty = client.post(page + "message/", {"body": ""})
    assert empty.status_code == 400 and empty.context["message_form"].errors
    assert complaint.messages.count() == 1


def test_feedback_through_the_tracking_page_only_when_closed(client):
    from complaints.services import workflow as wf
    from tests.complaints.test_workflow_helpers import handler_of

    open_case = ComplaintFactory()
    refused = client.post(
        _tracking(client, open_case) + "feedback/", {"satisfaction": "satisfied"}, follow=True
    )
    assert "投诉办结后才能评价。" in refused.content.decode()
    closed = ComplaintFactory()
    handler = handler_of(closed)
    accepted = wf.complaint_accept(complaint=closed, actor=handler)
    wf.complaint_find_unfounded(complaint=accepted, actor=handler, explanation="款项已支付")
    closed_page = _tracking(client, closed)
    bad = client.post(closed_page + "feedback/", {"satisfaction": "great"})
    assert bad.status_code == 400 and bad.context["feedback_form"].errors
    done = client.post(closed_page + "feedback/", {"satisfaction": "satisfied"}, follow=True)
    assert "感谢您的评价。" in done.content.decode()
    closed.refresh_from_db()
    assert closed.feedback.satisfaction == "satisfied"


def test_pages_need_csrf_tokens(school):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/complaints/new/", form_data(school)).status_code == 403
    assert not Complaint.objects.exists()


def test_the_form_answers_only_get_and_post(client):
    assert client.put("/complaints/new/").status_code == 405
    assert client.delete("/complaints/new/").status_code == 405
