"""The public form never loses work: evidence survives a failed submission and the agency
search (staged under the form's token), errors are summarised at the top with links, each
required field says what it needs, and aria-describedby names ids the page renders."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.utils import timezone

from complaints.models import Complaint, StagedUpload
from complaints.services.staging import staged_uploads_purge
from tests.complaints import evidence
from tests.complaints.test_intake_pages import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    from tests.agencies.factories import AgencyFactory

    return AgencyFactory(name="实验小学", supervisor=AgencyFactory(name="区教育局"))


def token_of(response) -> str:
    return re.search(r'name="upload_token" value="([0-9a-f]{32})"', response.content.decode())[1]


def staged_ids(response) -> list[str]:
    return re.findall(r'name="keep_upload" value="(\d+)" checked', response.content.decode())


def media_files() -> list:
    media = django_settings.MEDIA_ROOT
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_files_survive_a_failed_submission_and_are_filed_with_the_corrected_form(client, school):
    data = form_data(school, title="")
    data["files"] = [
        evidence.upload("验收单.pdf", evidence.PDF_BYTES),
        evidence.upload("照片.png", evidence.PNG_BYTES),
    ]
    failed = client.post("/complaints/new/", data)
    assert failed.status_code == 200
    assert not Complaint.objects.exists()
    page = failed.content.decode()
    assert "验收单.pdf" in page and "照片.png" in page
    assert len(staged_ids(failed)) == 2

    fixed = form_data(school, upload_token=token_of(failed), keep_upload=staged_ids(failed))
    response = client.post("/complaints/new/", fixed)
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert sorted(a.original_name for a in complaint.attachments.all()) == [
        "照片.png",
        "验收单.pdf",
    ]
    assert not StagedUpload.objects.exists()
    # Only the attachments' files remain: the staged copies are gone.
    assert len(media_files()) == 2


def test_files_survive_the_agency_search(client, school):
    data = form_data(school, q="实验", search="1")
    data["files"] = [evidence.upload("合同.pdf", evidence.PDF_BYTES)]
    searched = client.post("/complaints/new/", data)
    assert "合同.pdf" in searched.content.decode()
    fixed = form_data(school, upload_token=token_of(searched), keep_upload=staged_ids(searched))
    fixed["files"] = [evidence.upload("付款申请.png", evidence.PNG_BYTES)]
    client.post("/complaints/new/", fixed)
    names = sorted(a.original_name for a in Complaint.objects.get().attachments.all())
    assert names == ["付款申请.png", "合同.pdf"]


def test_an_unticked_file_is_dropped_and_a_bad_file_does_not_drop_the_good_one(client, school):
    data = form_data(school, title="")
    data["files"] = [
        evidence.upload("good.pdf", evidence.PDF_BYTES),
        evidence.upload("bad.pdf", evidence.EXE_BYTES),
    ]
    failed = client.post("/complaints/new/", data)
    assert "files" in failed.context["form"].errors
    assert "good.pdf" in failed.content.decode()
    assert StagedUpload.objects.count() == 1
    client.post("/complaints/new/", form_data(school, upload_token=token_of(failed)))
    assert Complaint.objects.get().attachments.count() == 0
    assert not StagedUpload.objects.exists()


def test_a_made_up_or_foreign_token_reaches_no_staged_file(client, school):
    data = form_data(school, title="")
    data["files"] = [evidence.upload("secret.pdf", evidence.PDF_BYTES)]
    failed = client.post("/complaints/new/", data)
    ids = staged_ids(failed)
    other = client.post(
        "/complaints/new/", form_data(school, upload_token="0" * 32, keep_upload=ids)
    )
    assert other.status_code == 302
    assert Complaint.objects.get().attachments.count() == 0
    assert StagedUpload.objects.count() == 1  # still the first form's, until it is purged
    junk = client.post("/complaints/new/", form_data(school, upload_token="../../etc", title=""))
    assert re.fullmatch(r"[0-9a-f]{32}", token_of(junk))


def test_staged_files_of_abandoned_forms_are_purged_after_a_day(client, school):
    data = form_data(school, title="")
    data["files"] = [evidence.upload("old.pdf", evidence.PDF_BYTES)]
    client.post("/complaints/new/", data)
    assert staged_uploads_purge() == 0
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        assert staged_uploads_purge() == 1
    assert not StagedUpload.objects.exists()
    assert media_files() == []


def test_errors_are_summarised_at_the_top_with_links_to_each_field(client, school):
    data = form_data(school, title="", description="", contact_phone="12", domain="")
    del data["respondent_agency"]
    response = client.post("/complaints/new/", data)
    page = response.content.decode()
    summary = re.search(r'<div class="error-summary" id="error-summary".*?</div>', page, re.S)[0]
    assert 'tabindex="-1"' in summary
    assert page.index("error-summary") < page.index('id="respondent"')
    links = re.findall(r'href="#([^"]+)"', summary)
    assert links == ["agency-q", "id_contact_phone", "id_domain_0", "id_title", "id_description"]
    for anchor in links:
        assert f'id="{anchor}"' in page
    assert "请更正以下 5 处问题" in summary


def test_required_fields_say_what_they_need(client, school):
    empty = {"complainant_type": "", "upload_token": ""}
    form = client.post("/complaints/new/", empty).context["form"]
    messages = [m for errors in form.errors.values() for m in errors]
    assert "该字段是必填项。" not in messages
    assert form.errors["title"] == ["请用一句话概括投诉事项，作为投诉标题。"]
    assert form.errors["contact_phone"] == ["请填写联系电话，承办单位将通过它与您联系。"]


def test_aria_describedby_names_ids_that_the_page_renders(client, school):
    for response in (
        client.get("/complaints/new/"),
        client.post("/complaints/new/", form_data(school, title="", contact_phone="1")),
    ):
        page = response.content.decode()
        ids = set(re.findall(r'\sid="([^"]+)"', page))
        described = re.findall(r'aria-describedby="([^"]+)"', page)
        assert described
        for value in described:
            for target in value.split():
                assert target in ids, target
