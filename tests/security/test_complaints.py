"""Security probes of the complaint API and console: contact data, auditors, evidence files."""

import pytest
from django.test import Client

from agencies.choices import StaffRole
from complaints.choices import ComplainantType
from complaints.models import Attachment
from tests.agencies.factories import StaffFactory
from tests.complaints import evidence
from tests.complaints.factories import ComplaintFactory, complaint_data

pytestmark = pytest.mark.django_db

# An individual trader (个体工商户) has a USCC of its own: registration authority 9, kind 2.
INDIVIDUAL_USCC = "92330106MA2H4Q8X1B"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def individual_complaint(**overrides):
    return ComplaintFactory(
        complainant_type=ComplainantType.INDIVIDUAL,
        complainant_name="李四",
        complainant_uscc=INDIVIDUAL_USCC,
        **overrides,
    )


def liaison_of(complaint):
    return StaffFactory(role=StaffRole.AGENCY_LIAISON, agency=complaint.respondent_agency)


def test_liaison_does_not_see_an_individual_complainants_uscc_without_consent(client_for):
    complaint = individual_complaint()
    liaison = liaison_of(complaint)

    api = client_for(liaison).get(f"/api/v1/complaints/{complaint.reference}/")
    page = logged_in(liaison).get(f"/console/c/{complaint.reference}/")

    assert api.status_code == 200
    assert api.json()["complainant_uscc"] in (None, "")
    assert page.status_code == 200
    assert INDIVIDUAL_USCC not in page.content.decode()


def test_liaison_sees_an_individual_complainants_uscc_with_consent(client_for):
    complaint = individual_complaint(consent_to_share_contact=True)
    liaison = liaison_of(complaint)

    api = client_for(liaison).get(f"/api/v1/complaints/{complaint.reference}/")
    page = logged_in(liaison).get(f"/console/c/{complaint.reference}/")

    assert api.json()["complainant_uscc"] == INDIVIDUAL_USCC
    assert INDIVIDUAL_USCC in page.content.decode()


def test_liaison_still_sees_an_enterprise_complainants_uscc(client_for):
    complaint = ComplaintFactory()
    liaison = liaison_of(complaint)

    api = client_for(liaison).get(f"/api/v1/complaints/{complaint.reference}/")

    assert api.json()["complainant_uscc"] == complaint.complainant_uscc
    assert api.json()["contact_phone"] is None


@pytest.mark.parametrize("via", ["list", "detail"])
def test_liaison_never_gets_contact_fields_without_consent(client_for, via):
    complaint = ComplaintFactory()
    client = client_for(liaison_of(complaint))
    url = "/api/v1/complaints/" + (f"{complaint.reference}/" if via == "detail" else "")

    text = client.get(url).content.decode()

    assert complaint.contact_phone not in text
    assert complaint.contact_email not in text
    assert complaint.contact_name not in text


@pytest.mark.parametrize(
    "name",
    ["evil\r\nSet-Cookie: x=1.pdf", 'quote".pdf"', "证据\n材料.pdf"],
)
def test_an_evidence_file_with_a_hostile_name_still_downloads_as_an_attachment(name):
    complaint = ComplaintFactory(files=[evidence.upload("a.pdf", evidence.PDF_BYTES)])
    Attachment.objects.filter(complaint=complaint).update(original_name=name)
    item = complaint.attachments.get()
    officer = StaffFactory(role=StaffRole.CREDIT_OFFICER)

    response = logged_in(officer).get(f"/console/c/{complaint.reference}/files/{item.pk}/")

    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\r" not in disposition and "\n" not in disposition
    assert "Set-Cookie" not in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("name", ["x.pdf.html", "报告.exe", "noextension"])
def test_an_evidence_file_downloads_under_a_generated_name_with_its_detected_type(name):
    complaint = ComplaintFactory(files=[evidence.upload("a.pdf", evidence.PDF_BYTES)])
    Attachment.objects.filter(complaint=complaint).update(original_name=name)
    item = complaint.attachments.get()
    officer = StaffFactory(role=StaffRole.CREDIT_OFFICER)

    response = logged_in(officer).get(f"/console/c/{complaint.reference}/files/{item.pk}/")

    assert response.status_code == 200
    wanted = f'attachment; filename="{complaint.reference}-{item.pk}.pdf"'
    assert response["Content-Disposition"] == wanted
    assert response["Content-Type"] == "application/octet-stream"


def test_an_uploaded_name_with_a_nul_is_stored_without_it_and_served_as_pdf(client_for):
    data = complaint_data()
    data["respondent_agency"] = data["respondent_agency"].pk
    data = {k: v for k, v in data.items() if v is not None}
    data["files"] = [evidence.upload("x.pdf\x00.html", evidence.PDF_BYTES)]

    response = client_for(None).post("/api/v1/complaints/", data, format="multipart")

    assert response.status_code == 201, response.content
    item = Attachment.objects.get()
    assert "\x00" not in item.original_name
    officer = StaffFactory(role=StaffRole.CREDIT_OFFICER)
    reference = response.json()["reference"]
    download = logged_in(officer).get(f"/console/c/{reference}/files/{item.pk}/")
    assert download["Content-Disposition"].endswith(f'{item.pk}.pdf"')
