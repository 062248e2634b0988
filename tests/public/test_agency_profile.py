"""An agency's public profile lists each measure once, by its label, with its basis."""

import re

import pytest
from django.test import Client, override_settings

from credit_records.choices import Kind, Severity
from sanctions.models import Sanction
from tests.agencies.factories import AgencyFactory
from tests.sanctions.helpers import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def sanctioned(django_capture_on_commit_callbacks):
    agency = AgencyFactory(name="某区住房和城乡建设局")
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        with django_capture_on_commit_callbacks(execute=True):
            record(agency, kind=Kind.BREACH, severity=Severity.GENERAL)
            record(agency, kind=Kind.DISHONEST_DEBTOR, severity=Severity.SERIOUS)
    return agency


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_measure_is_listed_once_by_its_label_with_the_rules_behind_it(sanctioned, language):
    measures = list(
        Sanction.objects.filter(agency=sanctioned, status="active").values_list(
            "measure_id", flat=True
        )
    )
    assert len(measures) > len(set(measures))  # two rules impose some measures twice
    client = Client()
    client.cookies["django_language"] = language
    page = client.get(f"/credit/agencies/{sanctioned.pk}/").content.decode()
    section = re.search(r'<section class="card" id="sanctions">.*?</section>', page, re.S)[0]
    listed = re.findall(r'data-measure="([a-z_]+)"', section)
    assert sorted(listed) == sorted(set(measures))
    text = re.sub(r"<[^>]+>", " ", section)
    for code in set(measures):
        assert not re.search(rf"\b{code}\b", text), code  # codes never reach the page
    awards = re.search(r'data-measure="awards">(.*?)</li>', section, re.S)[1]
    assert (
        "评优评先" if language == "zh-hans" else "Awards"
    ) in awards or "award" in awards.lower()
    assert awards.count(",") >= 1  # the two rules imposing it are both named
