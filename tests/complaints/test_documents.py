"""Documents that can be checked: the printable receipt and acknowledgement carry a
verification code, a content fingerprint and a QR code; /verify/<code>/ tells a genuine
document from an altered one and says whether it still stands."""

import re
from decimal import Decimal

import pytest
from django.utils import translation

from complaints.models import IssuedDocument
from complaints.services import workflow as wf
from complaints.services.documents import content_hash, document_issue, fingerprint
from complaints.templatetags.documents import money, yuan
from tests.complaints.factories import ComplaintFactory
from tests.complaints.test_intake_pages import form_data
from tests.complaints.test_workflow_helpers import handler_of

pytestmark = pytest.mark.django_db


def tracked_client(client, complaint):
    client.post("/track/", {"reference": complaint.reference, "access_code": complaint.access_code})
    return client


def test_the_receipt_page_carries_issuer_verification_code_and_qr(client, settings):
    from tests.agencies.factories import AgencyFactory

    settings.SITE_HOST_OFFICE = "某市信用办"
    school = AgencyFactory(name="实验小学", supervisor=AgencyFactory(name="区教育局"))
    client.post("/complaints/new/", form_data(school, amount_involved="480000"))
    page = client.get("/complaints/submitted/").content.decode()
    document = IssuedDocument.objects.get()
    assert document.kind == "receipt" and document.issuer == "某市信用办"
    assert "<svg" in page and 'id="document-code"' in page
    assert fingerprint(document) in page
    assert f"/verify/{document.code[:4]}-" in page


def test_a_genuine_document_verifies_and_an_altered_fingerprint_does_not(client):
    complaint = ComplaintFactory(amount_involved=Decimal("480000"))
    document = document_issue(complaint=complaint, kind="receipt")
    genuine = client.get(f"/verify/{document.code}/", {"h": fingerprint(document)})
    assert genuine.status_code == 200
    page = genuine.content.decode()
    assert 'data-matches="true"' in page and 'data-stands="true"' in page
    assert "480,000.00 元" in page
    assert complaint.contact_phone not in page and complaint.description not in page
    altered = client.get(f"/verify/{document.code}/", {"h": "0" * 16})
    assert 'data-matches="false"' in altered.content.decode()
    assert "可能被改动过" in altered.content.decode()


def test_tampering_with_the_stored_content_is_detected(client):
    document = document_issue(complaint=ComplaintFactory(), kind="receipt")
    IssuedDocument.objects.filter(pk=document.pk).update(content={**document.content, "title": "x"})
    page = client.get(f"/verify/{document.code}/", {"h": fingerprint(document)}).content.decode()
    assert 'data-stands="false"' in page and 'data-matches="false"' in page


def test_unknown_code_is_a_404(client):
    assert client.get("/verify/AAAA-BBBB-CCCC-DDDD/").status_code == 404


def test_a_document_is_issued_once_and_reprints_show_the_same_one():
    complaint = ComplaintFactory()
    first = document_issue(complaint=complaint, kind="receipt")
    again = document_issue(complaint=complaint, kind="receipt")
    assert first.pk == again.pk
    assert first.content_hash == content_hash(first.content)


def test_the_acknowledgement_exists_once_accepted_and_stops_standing_when_rejected(client):
    complaint = ComplaintFactory()
    client = tracked_client(client, complaint)
    url = f"/track/{complaint.reference}/documents/acknowledgement/"
    assert client.get(url).status_code == 404  # not accepted yet
    handler = handler_of(complaint)
    complaint = wf.complaint_accept(complaint=complaint, actor=handler)
    page = client.get(url).content.decode()
    document = IssuedDocument.objects.get(kind="acknowledgement")
    assert document.issuer == complaint.handling_agency.name
    assert "受理告知书" in page and document.issuer in page
    wf.complaint_reject(complaint=complaint, actor=handler, reason="不属于政务合同纠纷")
    verify = client.get(f"/verify/{document.code}/").content.decode()
    assert 'data-stands="false"' in verify and "该文书已失效" in verify


def test_documents_of_a_case_need_its_access_code(client):
    complaint = ComplaintFactory()
    assert client.get(f"/track/{complaint.reference}/documents/receipt/").status_code == 404
    page = tracked_client(client, complaint).get(f"/track/{complaint.reference}/documents/receipt/")
    assert page.status_code == 200
    assert re.search(r'id="document-code">[0-9A-Z-]{19}<', page.content.decode())


def test_amounts_have_thousands_separators_and_the_currency():
    assert yuan(Decimal("480000")) == "480,000.00 元"
    with translation.override("en"):
        assert yuan("1234567.5") == "CNY 1,234,567.50"
    assert yuan(None) == ""


@pytest.mark.parametrize(
    ("value", "shown"),
    [(Decimal("1234567.5"), "1,234,567.50"), ("480000", "480,000.00"), (None, ""), ("n/a", "n/a")],
)
def test_money_groups_thousands_and_keeps_the_fen(value, shown):
    assert money(value) == shown
