"""Console forms of the credit office: sanction rules and typical cases, through the same
services as the API (logging, reconcile, eligibility and the complainant check)."""

import re

import pytest
from django.test import Client

from agencies.choices import StaffRole
from credit_records.choices import Kind, Severity
from sanctions.models import RuleChange, SanctionRule, TypicalCase
from tests.agencies.factories import AgencyFactory
from tests.complaints.factories import ComplaintFactory

from .helpers import record

pytestmark = pytest.mark.django_db

RULES = "/console/sanctions/rules/"
NEW_RULE = "/console/sanctions/rules/new/"
TYPICAL = "/console/sanctions/typical-cases/"


def browser(user, **headers):
    client = Client(**headers)
    client.force_login(user)
    return client


def rule_form(**overrides):
    data = {
        "name": "拖欠账款两次以上",
        "kinds": ["arrears"],
        "min_severity": "general",
        "min_count": "2",
        "window_months": "24",
        "measures": ["awards", "government_procurement"],
        "is_active": "on",
    }
    data.update(overrides)
    return data


def _reconcile_queued(callbacks) -> bool:
    """The rule service queues ``reconcile_all_agencies`` on commit."""
    for callback in callbacks:
        cells = [c.cell_contents for c in (callback.__closure__ or ())]
        if any(getattr(c, "name", "").endswith("reconcile_all_agencies") for c in cells):
            return True
    return False


# --- rules: create and edit -----------------------------------------------------------------


def test_credit_officer_creates_a_rule_which_is_logged_and_queues_a_reconcile(
    credit_officer, django_capture_on_commit_callbacks
):
    client = browser(credit_officer)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(NEW_RULE, rule_form())
    rule = SanctionRule.objects.get(name="拖欠账款两次以上")
    assert response.status_code == 302
    assert response["Location"] == f"{RULES}{rule.pk}/"
    assert (rule.kinds, rule.min_severity, rule.min_count, rule.window_months) == (
        ["arrears"],
        "general",
        2,
        24,
    )
    assert sorted(m.pk for m in rule.measures.all()) == ["awards", "government_procurement"]
    assert rule.is_active
    change = RuleChange.objects.get(rule=rule)
    assert (change.action, change.actor, change.after["min_count"]) == ("create", credit_officer, 2)
    assert _reconcile_queued(callbacks)

    page = client.get(response["Location"])
    html = page.content.decode()
    assert "已安排重新核算" in html
    assert "修改记录" in html and "评优评先" in html


def test_credit_officer_edits_a_rule_and_its_page_shows_the_change(
    credit_officer, django_capture_on_commit_callbacks
):
    client = browser(credit_officer)
    client.post(NEW_RULE, rule_form())
    rule = SanctionRule.objects.get(name="拖欠账款两次以上")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            f"{RULES}{rule.pk}/",
            rule_form(min_count="3", measures=["awards"], version="1"),
            follow=True,
        )
    rule.refresh_from_db()
    assert (rule.min_count, rule.version) == (3, 2)
    assert [m.pk for m in rule.measures.all()] == ["awards"]
    update = RuleChange.objects.get(rule=rule, action="update")
    assert (update.before["min_count"], update.after["min_count"]) == (2, 3)
    assert update.before["measures"] == ["awards", "government_procurement"]
    assert update.actor == credit_officer
    assert _reconcile_queued(callbacks)
    html = response.content.decode()
    assert "已安排重新核算" in html
    assert re.search(r"2\s*→\s*3", html), "the log's before and after are on the rule page"


def test_saving_a_rule_unchanged_writes_nothing_and_says_so(credit_officer):
    client = browser(credit_officer)
    client.post(NEW_RULE, rule_form())
    rule = SanctionRule.objects.get(name="拖欠账款两次以上")
    response = client.post(f"{RULES}{rule.pk}/", rule_form(version="1"), follow=True)
    assert RuleChange.objects.filter(rule=rule).count() == 1
    assert "没有修改" in response.content.decode()


def test_unticking_active_switches_a_rule_off(credit_officer):
    client = browser(credit_officer)
    client.post(NEW_RULE, rule_form())
    rule = SanctionRule.objects.get(name="拖欠账款两次以上")
    data = rule_form(version="1")
    del data["is_active"]
    client.post(f"{RULES}{rule.pk}/", data)
    rule.refresh_from_db()
    assert rule.is_active is False


def test_saving_over_a_newer_edit_is_refused_and_changes_nothing(credit_officer):
    """Two officers opened the same rule; the second save would silently undo the first."""
    client = browser(credit_officer)
    client.post(NEW_RULE, rule_form())
    rule = SanctionRule.objects.get(name="拖欠账款两次以上")
    client.post(f"{RULES}{rule.pk}/", rule_form(min_count="3", version="1"))
    response = client.post(f"{RULES}{rule.pk}/", rule_form(min_count="5", version="1"))
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    rule.refresh_from_db()
    assert (rule.min_count, rule.version) == (3, 2)
    assert RuleChange.objects.filter(rule=rule).count() == 2
    assert 'name="version" value="2"' in response.content.decode()
    client.post(f"{RULES}{rule.pk}/", rule_form(min_count="5", version="2"))
    rule.refresh_from_db()
    assert (rule.min_count, rule.version) == (5, 3)


BAD_RULES = [
    pytest.param({"measures": ["awards", "no_such_measure"]}, "measures", id="unknown-measure"),
    pytest.param({"measures": []}, "measures", id="no-measures"),
    pytest.param({"kinds": [Kind.PROMISE_KEPT]}, "kinds", id="positive-kind"),
    pytest.param({"min_count": "0"}, "min_count", id="count-zero"),
    pytest.param({"min_severity": "catastrophic"}, "min_severity", id="unknown-severity"),
    pytest.param({"window_months": "0"}, "window_months", id="window-zero"),
    pytest.param({"name": ""}, "name", id="no-name"),
]


@pytest.mark.parametrize(("overrides", "field"), BAD_RULES)
def test_bad_rule_input_shows_a_field_error_and_creates_nothing(credit_officer, overrides, field):
    rules_before = SanctionRule.objects.count()
    changes_before = RuleChange.objects.count()
    response = browser(credit_officer).post(NEW_RULE, rule_form(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "规则未保存" in response.content.decode()
    assert SanctionRule.objects.count() == rules_before
    assert RuleChange.objects.count() == changes_before


@pytest.mark.parametrize(("overrides", "field"), BAD_RULES)
def test_bad_rule_edit_shows_a_field_error_and_changes_nothing(credit_officer, overrides, field):
    client = browser(credit_officer)
    client.post(NEW_RULE, rule_form())
    rule = SanctionRule.objects.get(name="拖欠账款两次以上")
    response = client.post(f"{RULES}{rule.pk}/", rule_form(version="1", **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    fresh = SanctionRule.objects.get(pk=rule.pk)
    assert (fresh.version, fresh.min_count, fresh.kinds, fresh.name) == (
        1,
        2,
        ["arrears"],
        rule.name,
    )
    assert sorted(m.pk for m in fresh.measures.all()) == ["awards", "government_procurement"]
    assert RuleChange.objects.filter(rule=rule).count() == 1


def test_the_service_error_is_in_english_for_an_english_user(credit_officer):
    client = browser(credit_officer, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(NEW_RULE, rule_form(measures=["no_such_measure"]))
    errors = " ".join(response.context["form"].errors["measures"])
    assert "no_such_measure" in errors
    assert not re.search(r"[\u4e00-\u9fff]", errors)


# --- rules: who may do what -----------------------------------------------------------------


def _rule():
    return SanctionRule.objects.order_by("pk").first()


def test_auditor_reads_rules_but_sees_no_form_and_cannot_post(make_staff):
    auditor = make_staff(role=StaffRole.AUDITOR)
    client = browser(auditor)
    rule = _rule()
    assert client.get(RULES).status_code == 200
    assert "新增规则" not in client.get(RULES).content.decode()
    page = client.get(f"{RULES}{rule.pk}/")
    assert page.status_code == 200
    assert '<form method="post" class="card"' not in page.content.decode()
    assert page.context["form"] is None
    assert client.get(NEW_RULE).status_code == 403
    assert client.post(NEW_RULE, rule_form()).status_code == 403
    assert client.post(f"{RULES}{rule.pk}/", rule_form(min_count="9")).status_code == 403
    assert client.get(TYPICAL).status_code == 200
    assert client.get(TYPICAL).context["form"] is None
    assert client.post(TYPICAL, {"record": "1"}).status_code == 403
    assert not SanctionRule.objects.filter(name="拖欠账款两次以上").exists()
    assert not RuleChange.objects.filter(rule=rule).exists()


@pytest.mark.parametrize(
    "role", [StaffRole.HANDLER, StaffRole.AGENCY_LIAISON, StaffRole.INTAKE_CLERK]
)
def test_other_roles_get_403_on_every_page(make_staff, role):
    client = browser(make_staff(role=role))
    rule = _rule()
    for url in (RULES, NEW_RULE, f"{RULES}{rule.pk}/", TYPICAL):
        assert client.get(url).status_code == 403, url
        assert client.post(url, rule_form()).status_code == 403, url
    assert not SanctionRule.objects.filter(name="拖欠账款两次以上").exists()


def test_anonymous_is_sent_to_the_login_page():
    rule = _rule()
    for url in (RULES, NEW_RULE, f"{RULES}{rule.pk}/", TYPICAL):
        response = Client().get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    assert Client().post(NEW_RULE, rule_form()).status_code == 302
    assert not SanctionRule.objects.filter(name="拖欠账款两次以上").exists()


def test_forms_carry_a_csrf_token_and_are_refused_without_one(credit_officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(credit_officer)
    assert "csrfmiddlewaretoken" in client.get(NEW_RULE).content.decode()
    assert "csrfmiddlewaretoken" in client.get(TYPICAL).content.decode()
    assert client.post(NEW_RULE, rule_form()).status_code == 403
    assert not SanctionRule.objects.filter(name="拖欠账款两次以上").exists()


def test_rule_pages_pin_their_query_counts(credit_officer, django_assert_max_num_queries):
    client = browser(credit_officer)
    rule = _rule()
    with django_assert_max_num_queries(8):
        client.get(RULES)
    with django_assert_max_num_queries(10):
        client.get(f"{RULES}{rule.pk}/")


# --- typical cases ----------------------------------------------------------------------------


def case_form(**overrides):
    data = {
        "record": "",
        "complaint": "",
        "title": "某区城市管理局拖欠工程款拒不整改案",
        "facts": "验收合格后仍拒不支付工程款。",
        "outcome": "认定为严重失信，实施通报和曝光。",
    }
    data.update(overrides)
    return data


def test_credit_officer_marks_a_serious_record_and_it_is_listed_with_the_public_link(
    credit_officer,
):
    rec = record(AgencyFactory(), severity=Severity.SERIOUS)
    client = browser(credit_officer)
    response = client.post(TYPICAL, case_form(record=str(rec.pk)), follow=True)
    case = TypicalCase.objects.get()
    assert (case.record, case.agency_id, case.created_by) == (rec, rec.agency_id, credit_officer)
    html = response.content.decode()
    assert "已标记为典型案例" in html
    assert case.title in html
    assert 'href="/typical-cases/"' in html


def test_a_complaint_is_marked_through_its_credit_record(credit_officer):
    complaint = ComplaintFactory()
    rec = record(complaint.respondent_agency, severity=Severity.SERIOUS, complaint=complaint)
    response = browser(credit_officer).post(TYPICAL, case_form(complaint=complaint.reference))
    assert response.status_code == 302
    assert TypicalCase.objects.get().record == rec


def test_repeated_records_make_a_general_case_eligible(credit_officer):
    agency = AgencyFactory()
    record(agency, severity=Severity.GENERAL)
    rec = record(agency, severity=Severity.GENERAL)
    assert browser(credit_officer).post(TYPICAL, case_form(record=str(rec.pk))).status_code == 302
    assert TypicalCase.objects.filter(record=rec).exists()


def test_a_revoked_record_never_makes_a_case_repeated(credit_officer):
    from credit_records.models import CreditRecord

    agency = AgencyFactory()
    revoked = record(agency, severity=Severity.GENERAL)
    CreditRecord.objects.filter(pk=revoked.pk).update(status="revoked")
    rec = record(agency, severity=Severity.GENERAL)
    response = browser(credit_officer).post(TYPICAL, case_form(record=str(rec.pk)))
    assert response.status_code == 200
    assert not TypicalCase.objects.exists()


def test_many_complaints_in_12_months_make_a_general_case_eligible(credit_officer):
    # Seed 004 三(三): 人民群众反映强烈 — the third ground.
    agency = AgencyFactory(supervisor=AgencyFactory())
    for _n in range(5):
        ComplaintFactory(respondent_agency=agency)
    rec = record(agency, severity=Severity.GENERAL)
    assert browser(credit_officer).post(TYPICAL, case_form(record=str(rec.pk))).status_code == 302
    assert TypicalCase.objects.filter(record=rec).exists()


@pytest.mark.parametrize(
    ("severity", "leak", "message"),
    [
        (Severity.GENERAL, False, "只有严重失信、多次失信或群众反映强烈"),
        (Severity.SERIOUS, True, "不得包含投诉人"),
    ],
    ids=["not-serious-nor-repeated", "names-the-complainant"],
)
def test_typical_case_refusals_show_the_reason_and_store_nothing(
    credit_officer, severity, leak, message
):
    complaint = ComplaintFactory()
    rec = record(complaint.respondent_agency, severity=severity, complaint=complaint)
    facts = f"投诉人{complaint.complainant_name}反映拒不支付工程款" if leak else "拒不支付工程款"
    response = browser(credit_officer).post(TYPICAL, case_form(record=str(rec.pk), facts=facts))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TypicalCase.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({}, "__all__", id="no-record-nor-complaint"),
        pytest.param({"record": "999999"}, "record", id="unknown-record"),
        pytest.param({"complaint": "NO-SUCH-REF"}, "complaint", id="unknown-complaint"),
        pytest.param({"record": "1", "title": ""}, "title", id="no-title"),
    ],
)
def test_bad_typical_case_input_stores_nothing(credit_officer, overrides, field):
    response = browser(credit_officer).post(TYPICAL, case_form(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not TypicalCase.objects.exists()


def test_marking_the_same_record_twice_is_refused(credit_officer):
    rec = record(AgencyFactory(), severity=Severity.SERIOUS)
    client = browser(credit_officer)
    client.post(TYPICAL, case_form(record=str(rec.pk)))
    response = client.post(TYPICAL, case_form(record=str(rec.pk), title="再次标记"))
    assert response.status_code == 200
    assert "已是典型案例" in response.content.decode()
    assert TypicalCase.objects.count() == 1


def test_typical_case_form_is_prefilled_from_a_record_link(credit_officer):
    page = browser(credit_officer).get(TYPICAL, {"record": "42"})
    assert page.context["form"]["record"].value() == "42"


# --- English ------------------------------------------------------------------------------------

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _form_html(html: str) -> str:
    match = re.search(r'<form method="post" class="card".*?</form>', html, re.S)
    assert match, "the page has its form"
    return match.group(0)


@pytest.mark.parametrize("url", [NEW_RULE, "rule", TYPICAL])
def test_pages_render_in_english_with_no_chinese_in_the_form(credit_officer, url):
    if url == "rule":
        url = f"{RULES}{_rule().pk}/"
    client = browser(credit_officer, HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="en"' in html
    # Labels, help texts, choices and buttons; typed-in values (a seeded rule's Chinese name)
    # are data, not interface text.
    form = re.sub(r'value="[^"]*"', "", _form_html(html))
    assert not CHINESE.findall(form), CHINESE.findall(form)


def test_rule_list_and_history_render_in_english(credit_officer):
    client = browser(credit_officer, HTTP_ACCEPT_LANGUAGE="en")
    client.post(NEW_RULE, rule_form(name="Arrears twice"))
    rule = SanctionRule.objects.get(name="Arrears twice")
    client.post(f"{RULES}{rule.pk}/", rule_form(name="Arrears twice", min_count="3", version="1"))
    main = re.search(r"<main.*?</main>", client.get(RULES).content.decode(), re.S).group(0)
    assert "Awards" in main
    page = client.get(f"{RULES}{rule.pk}/").content.decode()
    main = re.search(r"<main.*?</main>", page, re.S).group(0)
    # Rule names are data (seeded rules are named in Chinese); this rule's name is English.
    leftover = CHINESE.findall(re.sub(r'value="[^"]*"', "", main))
    assert not leftover, leftover
    assert "Change history" in main and "Any" in main


def test_recent_unmarked_negative_records_are_offered_to_pick_from(credit_officer):
    agency = AgencyFactory()
    marked = record(agency, severity=Severity.SERIOUS)
    offered = record(agency, severity=Severity.GENERAL)
    browser(credit_officer).post(TYPICAL, case_form(record=str(marked.pk)))
    page = browser(credit_officer).get(TYPICAL)
    assert list(page.context["candidates"]) == [offered]
    assert f'href="?record={offered.pk}#id_record"' in page.content.decode()


def test_typical_case_page_pins_its_query_count(credit_officer, django_assert_max_num_queries):
    agency = AgencyFactory()
    for _ in range(5):
        record(agency, severity=Severity.SERIOUS)
    client = browser(credit_officer)
    with django_assert_max_num_queries(8):
        client.get(TYPICAL)
