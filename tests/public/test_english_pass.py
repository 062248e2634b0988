"""Every public page in English: no Chinese text and no full-width punctuation outside user or
agency data (names, titles, facts typed by people), and one date format (ISO)."""

import re

import pytest
from django.conf import settings
from django.test import Client

from complaints.choices import Satisfaction
from complaints.services import workflow as wf
from complaints.services.conversation import complaint_reply
from complaints.services.documents import document_issue, fingerprint
from complaints.services.tracking import feedback_submit
from tests.complaints.factories import ComplaintFactory
from tests.complaints.test_workflow_helpers import handler_of

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef\u201c\u201d]")
# English month names in dates ("March 15, 2025", "Jan. 3, 2027") would be a second format.
WORDY_DATE = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}, \d{4}"
)


@pytest.fixture
def world(eager_tasks, django_capture_on_commit_callbacks):
    """A closed breach case (record, sanctions), an open case with a staff reply, a rated one."""
    with django_capture_on_commit_callbacks(execute=True):
        breach = ComplaintFactory()
        handler = handler_of(breach)
        wf.complaint_accept(complaint=breach, actor=handler)
        wf.complaint_find_founded(complaint=breach, actor=handler, note="属实")
        wf.complaint_determine_breach(
            complaint=breach, actor=handler, severity="serious", facts="拒不支付工程款"
        )
        open_case = ComplaintFactory(routed=False)
        rated = ComplaintFactory()
        rated_handler = handler_of(rated)
        wf.complaint_accept(complaint=rated, actor=rated_handler)
        wf.complaint_find_unfounded(complaint=rated, actor=rated_handler, explanation="已付款")
        complaint_reply(complaint=rated, actor=rated_handler, body="请查收说明。")
    feedback_submit(complaint=rated, satisfaction=Satisfaction.NEUTRAL, comment="一般")
    return {"breach": breach, "open": open_case, "rated": rated}


def data_strings(world) -> set[str]:
    """What people and agencies typed: allowed in any language."""
    from agencies.models import Agency, Region
    from complaints.models import Complaint, ComplaintMessage
    from credit_records.models import CreditRecord
    from sanctions.models import SanctionRule

    values = set(Agency.objects.values_list("name", flat=True))
    values |= set(Region.objects.values_list("name", flat=True))  # place names
    for row in Complaint.objects.values(
        "title",
        "description",
        "complainant_name",
        "contact_name",
        "contract_title",
        "remedy_sought",
        "explanation",
    ):
        values |= {v for v in row.values() if v}
    values |= set(ComplaintMessage.objects.values_list("body", flat=True))
    values |= set(CreditRecord.objects.values_list("facts", flat=True))
    values |= set(SanctionRule.objects.values_list("name", flat=True))  # the office's rules
    values |= {"属实", "拒不支付工程款", "已付款", "一般"}
    values.add(settings.SITE_HOST_OFFICE)  # the deployment's own name for its office
    return values


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def tracked(world, key) -> Client:
    client = english(Client())
    complaint = world[key]
    client.post("/track/", {"reference": complaint.reference, "access_code": complaint.access_code})
    return client


def leftovers(html: str, data: set[str]) -> list[str]:
    """Chinese or full-width characters left once data and the language switch are removed."""
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    html = re.sub(r'<button[^>]*lang="zh-hans"[^>]*>.*?</button>', "", html, flags=re.S)
    for value in sorted(data, key=len, reverse=True):
        html = html.replace(value, "").replace(
            value.replace("&", "&amp;").replace('"', "&quot;"), ""
        )
    return [html[max(0, m.start() - 40) : m.end() + 40] for m in CJK.finditer(html)]


def test_every_public_page_is_english_outside_data(world):
    data = data_strings(world)
    breach, rated = world["breach"], world["rated"]
    agency = breach.respondent_agency
    receipt = document_issue(complaint=rated, kind="receipt")
    pages = {
        "/": english(Client()),
        "/complaints/new/": english(Client()),
        "/track/": english(Client()),
        f"/track/{breach.reference}/": english(Client()),
        "/track/recover/": english(Client()),
        "/track/recover/code/": english(Client()),
        "/credit/": english(Client()),
        f"/credit/agencies/{agency.pk}/": english(Client()),
        "/stats/": english(Client()),
        "/typical-cases/": english(Client()),
        f"/verify/{receipt.code}/?h={fingerprint(receipt)}": english(Client()),
        f"/verify/{receipt.code}/?h=0000": english(Client()),
    }
    problems = {}
    for url, client in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        found = leftovers(response.content.decode(), data)
        if found:
            problems[url] = found[:5]
    for key in ("breach", "open", "rated"):
        url = f"/track/{world[key].reference}/"
        response = tracked(world, key).get(url)
        assert 'id="track-status"' in response.content.decode()
        found = leftovers(response.content.decode(), data)
        if found:
            problems[f"{url} ({key})"] = found[:5]
    failed = english(Client()).post("/complaints/new/", {"q": "", "title": ""})
    found = leftovers(failed.content.decode(), data)
    if found:
        problems["/complaints/new/ (errors)"] = found[:5]
    assert not problems, problems
    assert rated  # used above


def test_public_pages_use_one_date_format_in_english(world):
    client = tracked(world, "rated")
    for url in (f"/track/{world['rated'].reference}/", "/credit/", "/stats/"):
        html = client.get(url).content.decode()
        assert not WORDY_DATE.search(html), (url, WORDY_DATE.search(html)[0])
