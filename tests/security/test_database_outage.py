"""A database outage answers 503 with Retry-After (API) and a branded page (HTML), never 500,
and writes nothing half-way."""

import socket

import pytest
from django.db import OperationalError, connection
from django.test import Client

from complaints.models import Complaint
from tests.complaints.factories import complaint_data


def refuse(execute, sql, params, many, context):
    raise OperationalError("could not connect to server: Connection refused")


def filing():
    data = complaint_data()
    data["respondent_agency"] = data["respondent_agency"].pk
    return data


@pytest.fixture
def browser():
    # The test client re-raises a view's exception by default; a real server answers.
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_the_api_answers_503_with_retry_after_while_the_database_refuses(browser):
    data = filing()
    with connection.execute_wrapper(refuse):
        response = browser.post("/api/v1/complaints/", data, content_type="application/json")
        listing = browser.get("/api/v1/agencies/")
    for answer in (response, listing):
        assert answer.status_code == 503
        assert answer["Retry-After"] == "30"
        assert answer.json()["code"] == "service_unavailable"
    assert not Complaint.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/credit/", "/stats/"])
def test_pages_answer_a_branded_503_while_the_database_refuses(browser, path):
    with connection.execute_wrapper(refuse):
        response = browser.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Temporarily unavailable" in page or "temporarily unavailable" in page
    assert "portal.css" in page


@pytest.mark.django_db
def test_an_error_that_is_not_an_outage_is_still_a_500(browser):
    def bug(execute, sql, params, many, context):
        raise ZeroDivisionError

    with connection.execute_wrapper(bug):
        response = browser.get("/credit/")
    assert response.status_code == 500
    assert "Retry-After" not in response


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_unreachable_is_503_and_nothing_is_half_written(browser):
    data = filing()
    settings_dict = connection.settings_dict
    saved = (settings_dict["HOST"], settings_dict["PORT"])
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", free_port()
    try:
        answers = [
            browser.post("/api/v1/complaints/", data, content_type="application/json"),
            browser.get("/api/v1/agencies/"),
            browser.get("/credit/"),
        ]
    finally:
        connection.close()
        settings_dict["HOST"], settings_dict["PORT"] = saved
    assert [a.status_code for a in answers] == [503, 503, 503]
    assert all(a["Retry-After"] == "30" for a in answers)
    assert not Complaint.objects.exists()
    after = browser.post("/api/v1/complaints/", data, content_type="application/json")
    assert after.status_code == 201, after.content
