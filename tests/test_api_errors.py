"""API errors speak the client's language: a missing object is DRF's translated "not found",
not Django's English sentence naming the model."""

import pytest

pytestmark = pytest.mark.django_db

UNKNOWN_AGENCY = "/api/v1/agencies/999999/credit/"


def test_a_missing_object_is_not_found_in_chinese_by_default(client):
    response = client.get(UNKNOWN_AGENCY)
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}


def test_a_missing_object_is_not_found_in_english_when_asked(client):
    response = client.get(UNKNOWN_AGENCY, headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
