"""Redis stopped mid-test: intake, logins, tracking, the credit check and public pages keep
answering (DESIGN section 11's throttles and lockouts degrade as docs/ARCHITECTURE.md says).

The test starts its own ``redis-server`` on a free port and points the cache at it; the shared
Redis of the machine is never touched. The figures (requests and answers by status during the
outage) are printed for the record (``-s``)."""

from collections import Counter

import pytest
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token

from agencies.choices import StaffRole
from complaints.models import Complaint
from tests.agencies.factories import StaffFactory
from tests.complaints.factories import ComplaintFactory, complaint_data

PASSWORD = "long-enough-password-1"


def cache_on(port: int) -> dict:
    from django.conf import settings

    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": "ip",
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,  # the project's own
        }
    }


@pytest.mark.django_db
def test_requests_keep_answering_while_redis_is_down_and_nothing_is_lost(private_redis, settings):
    settings.INTAKE_RATE_LIMIT = "30/hour"  # the production default, as in the fault report
    officer = StaffFactory(role=StaffRole.CREDIT_OFFICER, password=PASSWORD)
    token = Token.objects.create(user=officer).key
    tracked = ComplaintFactory()
    agency = tracked.respondent_agency

    def rounds() -> list[tuple[str, int]]:
        anonymous = Client(raise_request_exception=False)
        body = complaint_data(respondent_agency=agency)
        body["respondent_agency"] = agency.pk
        body = {k: v for k, v in body.items() if v is not None}
        answers = [
            (
                "intake",
                anonymous.post("/api/v1/complaints/", body, content_type="application/json"),
            ),
            (
                "console login",
                anonymous.post(
                    "/console/login/", {"username": officer.username, "password": PASSWORD}
                ),
            ),
            (
                "token",
                anonymous.post(
                    "/api/v1/auth/token/",
                    {"username": officer.username, "password": PASSWORD},
                    content_type="application/json",
                ),
            ),
            (
                "tracking",
                anonymous.get(
                    f"/api/v1/track/{tracked.reference}/",
                    HTTP_X_ACCESS_CODE=tracked.access_code,
                ),
            ),
            (
                "credit check",
                anonymous.get(
                    "/api/v1/credit-check/",
                    {"agency": agency.pk, "measure": "central_budget_funding", "purpose": "审查"},
                    HTTP_AUTHORIZATION=f"Token {token}",
                ),
            ),
            ("stats", anonymous.get("/stats/")),
            ("credit list", anonymous.get("/credit/")),
        ]
        return [(what, response.status_code) for what, response in answers]

    with override_settings(CACHES=cache_on(private_redis.port)):
        before = rounds()
        private_redis.stop()
        during = [answer for _ in range(3) for answer in rounds()]
        private_redis.start()
        after = rounds()

    by_status = Counter(code for _what, code in during)
    print(f"\nredis outage: {len(during)} requests, answers by status {dict(by_status)}")
    for phase in (before, during, after):
        assert all(code < 500 for _what, code in phase), phase
    intake_201 = [code for what, code in before + during + after if what == "intake"]
    assert intake_201 == [201] * len(intake_201)
    # Every complaint answered 201 is in the database: lost = 0.
    assert Complaint.objects.count() == 1 + len(intake_201)
    assert dict(during)["console login"] == 302
    assert dict(during)["token"] == 200
    assert dict(during)["tracking"] == 200
    assert dict(during)["credit check"] == 200
