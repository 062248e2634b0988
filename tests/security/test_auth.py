"""Login: no open redirect through ``next``; the token endpoint is throttled."""

import pytest
from django.test import Client

from agencies.choices import StaffRole
from tests.agencies.factories import StaffFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-9"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:x"]
)
def test_console_login_never_redirects_off_site(target):
    user = StaffFactory(role=StaffRole.HANDLER)

    response = Client().post(
        "/console/login/", {"username": user.username, "password": PASSWORD, "next": target}
    )

    assert response.status_code == 302
    assert response["Location"] == "/console/"


def test_token_endpoint_is_throttled(settings, api_client):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": "3/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    codes = [
        api_client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}).status_code
        for _ in range(4)
    ]
    assert codes == [400, 400, 400, 429]
