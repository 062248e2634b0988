"""Labels followed by full-width punctuation read naturally in both languages."""

import pytest
from django.urls import reverse

from agencies.choices import StaffRole
from tests.complaints.factories import ComplaintFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_page(client, make_staff):
    complaint = ComplaintFactory()
    handler = make_staff(role=StaffRole.HANDLER, agency=complaint.handling_agency)
    client.force_login(handler)

    def get(language: str) -> str:
        url = reverse("console:case", args=[complaint.reference])
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        return response.content.decode()

    return get


def test_english_case_page_uses_ascii_punctuation_after_labels(case_page):
    html = case_page("en")
    assert "Status: </strong>" in html
    assert "：</strong>" not in html


def test_chinese_case_page_keeps_full_width_punctuation(case_page):
    html = case_page("zh-hans")
    assert "状态：</strong>" in html
