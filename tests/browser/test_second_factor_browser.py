"""A credit officer enrols a TOTP app in a real browser (the QR code is drawn inline, nothing
else loaded), then logs in again with a recovery code."""

import base64

import pytest
from django_otp.oath import totp

from agencies.choices import StaffRole
from tests.agencies.factories import StaffFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "correct-horse-battery-9"


def _password(page, base, username):
    page.goto(base + "/console/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_load_state()


def test_an_officer_enrols_then_logs_in_with_a_recovery_code(browser_page, settings):
    settings.STAFF_REQUIRE_TOTP = True
    page, base = browser_page, browser_page.live_server_url
    officer = StaffFactory(role=StaffRole.CREDIT_OFFICER)
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))

    _password(page, base, officer.username)
    assert "/console/account/security/" in page.url
    assert page.locator("figure.qr svg").is_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("#id_otp_token", f"{totp(key):06d}")
    page.press("#id_otp_token", "Enter")
    page.wait_for_load_state()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.locator("#recovery-codes a.button").click()
    page.wait_for_url(base + "/console/")

    page.locator("form.inline button[type=submit]").click()  # log out
    page.wait_for_load_state()
    _password(page, base, officer.username)
    assert "/console/account/verify/" in page.url
    page.fill("#id_otp_token", codes[0])
    page.press("#id_otp_token", "Enter")
    page.wait_for_url(base + "/console/")
    assert not failed
