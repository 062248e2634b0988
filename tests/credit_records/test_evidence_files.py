"""Evidence files on objections and repair applications, handled as complaint evidence is
(DESIGN section 11): type by content, size limit, nothing stored on a bad file, downloads only
through a permission-checked view, as attachments under a generated name."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from agencies.choices import StaffRole
from credit_records.choices import Severity
from credit_records.models import Objection, ObjectionFile
from sanctions.models import Repair, RepairFile
from tests.agencies.factories import AgencyFactory
from tests.complaints.evidence import HTML_BYTES, PDF_BYTES, pdf, upload
from tests.sanctions.helpers import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def rec(agency):
    # Minor: repairable at once and inside its term, so both an objection and a repair fit.
    return record(
        agency,
        severity=Severity.MINOR,
        decided_on=timezone.localdate() - datetime.timedelta(days=10),
    )


@pytest.fixture
def liaison(make_staff, agency):
    return make_staff(role=StaffRole.AGENCY_LIAISON, agency=agency)


def browser(user):
    client = Client()
    client.force_login(user)
    return client


def assert_download(response, *, prefix):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and f'filename="{prefix}-' in disposition
    assert disposition.endswith('.pdf"') and "付款" not in disposition  # generated, not theirs
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_an_objection_with_a_file_from_the_console_is_shown_and_downloaded_in_scope(
    rec, liaison, credit_officer, make_staff
):
    response = browser(liaison).post(
        f"/console/credit/records/{rec.pk}/object/",
        {"reason": "款项已付清", "files": [pdf("付款凭证.pdf")]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    objection = Objection.objects.get()
    item = ObjectionFile.objects.get(objection=objection)
    assert (item.original_name, item.content_type) == ("付款凭证.pdf", "application/pdf")
    assert "付款凭证" not in item.file.name  # stored under a random name
    url = f"/console/credit/objections/{objection.pk}/files/{item.pk}/"
    card = browser(credit_officer).get("/console/credit/objections/").content.decode()
    assert url in card and "付款凭证.pdf" in card
    assert_download(browser(credit_officer).get(url), prefix=f"objection-{objection.pk}")
    from integrity_portal.models import AccessLog

    logged = AccessLog.objects.get(what="evidence_download")
    assert logged.user == credit_officer
    assert logged.object_ref.startswith(f"objection-{objection.pk}-")
    assert browser(liaison).get(url).status_code == 200
    stranger = make_staff(role=StaffRole.AGENCY_LIAISON, agency=AgencyFactory())
    assert browser(stranger).get(url).status_code == 404
    handler = make_staff(role=StaffRole.HANDLER)
    assert browser(handler).get(url).status_code == 403


def test_a_bad_objection_file_is_400_naming_files_and_stores_nothing(client_for, rec, liaison):
    response = client_for(liaison).post(
        "/api/v1/objections/",
        {"record": rec.pk, "reason": "不实", "files": [upload("凭证.pdf", HTML_BYTES)]},
        format="multipart",
    )
    assert response.status_code == 400
    assert "files" in response.json()
    assert not Objection.objects.exists() and not ObjectionFile.objects.exists()
    rec.refresh_from_db()
    assert rec.status == "active"
    ok = client_for(liaison).post(
        "/api/v1/objections/",
        {"record": rec.pk, "reason": "不实", "files": [pdf()]},
        format="multipart",
    )
    assert ok.status_code == 201, ok.content
    assert [f["name"] for f in ok.json()["files"]] == ["合同.pdf"]


def test_a_too_large_repair_file_is_refused_and_a_good_one_is_kept(
    client_for, rec, liaison, credit_officer, make_staff, monkeypatch
):
    monkeypatch.setattr("complaints.files.MAX_FILE_SIZE", 64)
    body = {"record": rec.pk, "statement": "已履行", "commitment": "true", "files": [pdf()]}
    refused = client_for(liaison).post("/api/v1/repairs/", body, format="multipart")
    assert refused.status_code == 400 and "files" in refused.json()
    assert not Repair.objects.exists() and not RepairFile.objects.exists()
    monkeypatch.undo()
    page = browser(liaison).post(
        f"/console/sanctions/repairs/apply/{rec.pk}/",
        {"statement": "已履行", "commitment": "on", "files": [pdf("付款回单.pdf")]},
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    repair = Repair.objects.get()
    item = RepairFile.objects.get(repair=repair)
    url = f"/console/sanctions/repairs/{repair.pk}/files/{item.pk}/"
    shown = browser(credit_officer).get(f"/console/sanctions/repairs/{repair.pk}/")
    assert url in shown.content.decode() and "付款回单.pdf" in shown.content.decode()
    assert_download(browser(credit_officer).get(url), prefix=f"repair-{repair.pk}")
    from integrity_portal.models import AccessLog

    assert AccessLog.objects.filter(
        what="evidence_download", user=credit_officer, object_ref__startswith=f"repair-{repair.pk}-"
    ).exists()
    listed = client_for(credit_officer).get(f"/api/v1/repairs/{repair.pk}/").json()
    assert listed["files"][0]["name"] == "付款回单.pdf"
    assert Client().get(url).status_code == 302  # anonymous: to the login page
    outsider = make_staff(role=StaffRole.AGENCY_LIAISON, agency=AgencyFactory())
    assert browser(outsider).get(url).status_code == 404


@pytest.mark.parametrize(
    ("url", "body", "model"),
    [
        ("/api/v1/objections/", {"reason": "不实"}, Objection),
        ("/api/v1/repairs/", {"statement": "已履行", "commitment": "true"}, Repair),
    ],
)
@pytest.mark.parametrize(
    ("files", "fmt"),
    [('["凭证.pdf"]', "multipart"), ("凭证.pdf", "json"), (["凭证.pdf"], "json")],
)
def test_files_that_are_not_uploads_are_400_naming_files_and_change_nothing(
    client_for, rec, liaison, url, body, model, files, fmt
):
    """A ``files`` value that is text (a JSON string, a file name) is not silently dropped:
    400 naming ``files``, nothing filed."""
    response = client_for(liaison).post(url, {"record": rec.pk, **body, "files": files}, format=fmt)
    assert response.status_code == 400, response.content
    assert "multipart/form-data" in response.json()["files"][0]
    assert not model.objects.exists()
    rec.refresh_from_db()
    assert rec.status == "active"


def test_the_schema_documents_the_multipart_files_of_objections_and_repairs(client):
    paths = client.get("/api/schema/", {"format": "json"}).json()
    schemas = paths["components"]["schemas"]
    for path in ("/api/v1/objections/", "/api/v1/repairs/"):
        content = paths["paths"][path]["post"]["requestBody"]["content"]
        ref = content["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
        files = schemas[ref]["properties"]["files"]
        assert files["type"] == "array"
        assert files["items"] == {"type": "string", "format": "binary"}
