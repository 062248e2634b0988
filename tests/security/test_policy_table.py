"""Every cell of the policy table (``agencies.policy.POLICY``), driven through the API and, where
the verb has one, the console page: a role the table allows gets past the role check (an answer
other than 401 or 403), a role it refuses gets 403 (401 anonymous on the API, the login page on
the console; a complainant's verb answers 404 to anyone without the access code, as for an
unknown reference).

The world is built through the real services so that every object is inside every role's
scope (a complaint registered by the clerk, against the liaison's agency, routed to the
handler's department; records, an objection, a repair and a sanction of the liaison's agency),
so a refusal is the role's and never the scope's.
"""

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies import policy
from agencies.choices import StaffRole
from agencies.models import User
from complaints.services.intake import complaint_submit
from complaints.services.workflow import (
    complaint_accept,
    complaint_determine_breach,
    complaint_find_founded,
)
from credit_records.models import CreditRecord
from credit_records.services.clients import integration_client_create
from credit_records.services.ingestion import complaint_events_ingest
from credit_records.services.objections import objection_file
from integrity_portal.navigation import NAVIGATION
from sanctions.models import OfficeTask, SanctionRule
from sanctions.services import agency_sanctions_reconcile, repair_apply
from tests.agencies.factories import AgencyFactory, StaffFactory
from tests.complaints.factories import complaint_data
from tests.sanctions.helpers import record

pytestmark = pytest.mark.django_db

SUPERUSER = "superuser"
COLUMNS = [*policy.ROLES, SUPERUSER]


@dataclass
class World:
    users: dict
    complaint: object
    access_code: str
    liaison_agency: object
    pushed_record: object
    objection: object
    repair: object
    rule: object
    task: object
    integration_token: str


@pytest.fixture
def world() -> World:
    # The deployment's credit office has no region: it may do the deployment-wide acts too.
    office = AgencyFactory(name="市信用办", region_id=None)
    department = AgencyFactory(name="市教育局")
    respondent = AgencyFactory(name="市第一中学", supervisor=department)
    users = {
        role: StaffFactory(role=role, agency=agency)
        for role, agency in (
            (StaffRole.INTAKE_CLERK, AgencyFactory(name="市信访局")),
            (StaffRole.HANDLER, department),
            (StaffRole.AGENCY_LIAISON, respondent),
            (StaffRole.CREDIT_OFFICER, office),
            (StaffRole.AUDITOR, AgencyFactory(name="市纪委监委")),
        )
    }
    users[SUPERUSER] = User.objects.create_superuser("root", "r@example.invalid", "x-Pass-12345")
    client, token = integration_client_create(
        name="市中级人民法院", source="court", reads_changes=True
    )
    users[policy.INTEGRATION_CLIENT] = client.user
    clerk, handler = users[StaffRole.INTAKE_CLERK], users[StaffRole.HANDLER]
    complaint, code = complaint_submit(
        data=complaint_data(respondent_agency=respondent),
        actor=clerk,
        channel="petition",
    )
    # A determined breach: the complaint-derived record whose repair the department confirms.
    breached, _code = complaint_submit(
        data=complaint_data(respondent_agency=respondent), actor=clerk, channel="petition"
    )
    complaint_accept(complaint=breached, actor=handler)
    complaint_find_founded(complaint=breached, actor=handler, note="属实")
    complaint_determine_breach(complaint=breached, actor=handler, severity="minor", facts="拒付")
    complaint_events_ingest(event_ids=list(breached.events.values_list("pk", flat=True)))
    derived = CreditRecord.objects.get(complaint=breached)
    liaison = users[StaffRole.AGENCY_LIAISON]
    repair = repair_apply(record_id=derived.pk, actor=liaison, statement="已付清", commitment=True)
    pushed = record(respondent, severity="serious", source="court")
    objection = objection_file(record_id=pushed.pk, actor=liaison, reason="已履行")
    agency_sanctions_reconcile(respondent.pk)
    return World(
        users=users,
        complaint=complaint,
        access_code=code,
        liaison_agency=respondent,
        pushed_record=pushed,
        objection=objection,
        repair=repair,
        rule=SanctionRule.objects.order_by("pk").first(),
        task=OfficeTask.objects.filter(sanction__agency=respondent).first(),
        integration_token=token,
    )


# --- probes: one request per verb and channel ------------------------------------------------


@dataclass(frozen=True)
class Probe:
    channel: str  # "api" or "console"
    method: str
    path: object  # a format string over ``w`` (the World), or a callable of it
    body: dict | None = None

    def url(self, w: World) -> str:
        return self.path(w) if callable(self.path) else self.path.format(w=w)


def api(method, path, body=None):
    return Probe("api", method, path, body)


def console(method, path, body=None):
    return Probe("console", method, path, body)


C = "/api/v1/complaints/{w.complaint.reference}"
T = "/api/v1/track/{w.complaint.reference}"
CASE = "/console/c/{w.complaint.reference}"
CHECK = "/api/v1/credit-check/?agency={w.liaison_agency.pk}&measure=awards&purpose=check"
WORKFLOW_VERBS = [
    "accept",
    "reroute",
    "reject",
    "find_unfounded",
    "find_founded",
    "find_disputed",
    "record_rectified",
    "record_settlement",
    "refer_to_litigation",
    "record_judgment",
    "determine_breach",
    "reopen",
    "pause",
    "resume",
    "extend",
    "record_payment",
    "decide_review",
]

PROBES: dict[str, list[Probe]] = {
    "complaint.submit": [api("post", "/api/v1/complaints/", {})],
    # A property of a submission (probed by its own test below), and the clerk's console form.
    "complaint.register": [console("get", "/console/register/")],
    "complaint.read": [api("get", "/api/v1/complaints/"), console("get", "/console/")],
    **{
        f"complaint.{verb}": [
            api("post", f"{C}/{verb}/", {}),
            console("post", f"{CASE}/act/{verb}/", {}),
        ]
        for verb in WORKFLOW_VERBS
    },
    "complaint.internal_note": [console("post", f"{CASE}/note/", {})],
    "complaint.reply": [console("post", f"{CASE}/reply/", {})],
    "complaint.routing_queue": [console("get", "/console/routing/")],
    "complaint.supervision_queue": [console("get", "/console/supervision/")],
    "complaint.assign": [
        console("post", f"{CASE}/assign/", {}),
        console("post", "/console/assign/", {}),
    ],
    "complaint.my_cases": [console("get", "/console/mine/")],
    "complaint.follow_up_queue": [console("get", "/console/follow-up/")],
    "complaint.follow_up": [console("post", "/console/follow-up/{w.complaint.reference}/", {})],
    "complaint.track": [api("get", f"{T}/")],
    "complaint.message": [api("post", f"{T}/messages/", {})],
    "complaint.withdraw": [api("post", f"{T}/withdraw/", {})],
    "complaint.feedback": [api("post", f"{T}/feedback/", {})],
    # Reached only with a one-time code sent to the contact on file (no role can ask for it):
    # probed by tests/complaints/test_access_code_recovery.py.
    "complaint.reset_access_code": [],
    "complaint.request_review": [api("post", f"{T}/review/", {})],
    "agency.read": [api("get", "/api/v1/agencies/")],
    "agency.write": [api("post", "/api/v1/agencies/", {})],
    "staff.manage": [
        api("post", "/api/v1/staff/", {}),
        api("get", "/api/v1/staff/"),
        console("get", "/console/account/locked/"),
        console("post", "/console/account/locked/{w.users[handler].pk}/unlock/", {}),
    ],
    "account.security": [console("get", "/console/account/security/")],
    "credit_record.read": [api("get", "/api/v1/credit-records/")],
    "credit_record.push": [api("post", "/api/v1/credit-records/", {})],
    "credit_record.withdraw": [
        api("post", "/api/v1/credit-records/{w.pushed_record.pk}/withdraw/", {})
    ],
    # A date that is no date: the body is refused (400) before the service asks who pushed it.
    "credit_record.perform": [
        api(
            "post",
            "/api/v1/credit-records/{w.pushed_record.pk}/perform/",
            {"performed_on": "not-a-date"},
        )
    ],
    "credit_record.browse": [
        console("get", "/console/credit/"),
        console("get", "/console/credit/records/{w.pushed_record.pk}/"),
    ],
    "agency_credit.read": [api("get", "/api/v1/agencies/{w.liaison_agency.pk}/credit/")],
    "agency_profile.view": [console("get", "/console/agencies/{w.liaison_agency.pk}/")],
    "objection.read": [
        api("get", "/api/v1/objections/"),
        console("get", "/console/credit/objections/"),
    ],
    "objection.file": [
        api("post", "/api/v1/objections/", {}),
        console("get", "/console/credit/mine/"),
        console("get", "/console/credit/records/{w.pushed_record.pk}/object/"),
    ],
    "objection.decide": [
        api("post", "/api/v1/objections/{w.objection.pk}/dismiss/", {}),
        console("post", "/console/credit/objections/{w.objection.pk}/dismiss/", {}),
    ],
    "integration_client.manage": [
        api("get", "/api/v1/integration-clients/"),
        console("get", "/console/credit/clients/"),
        console("post", "/console/credit/clients/", {}),
        console(
            "post",
            lambda w: (
                "/console/credit/clients/"
                f"{w.users[policy.INTEGRATION_CLIENT].integration_client.pk}/"
            ),
            {},
        ),
    ],
    "arrears_publication.read": [
        api("get", "/api/v1/arrears-publication/?year=2025"),
        console("get", "/console/credit/arrears/2025/"),
    ],
    "arrears_publication.publish": [api("post", "/api/v1/arrears-publication/publish/", {})],
    "measure.read": [api("get", "/api/v1/measures/")],
    "sanction.read": [api("get", "/api/v1/sanctions/")],
    "sanction.browse": [console("get", "/console/sanctions/")],
    "sanction_rule.read": [api("get", "/api/v1/sanction-rules/")],
    "sanction_rule.browse": [
        console("get", "/console/sanctions/rules/"),
        console("get", "/console/sanctions/rules/{w.rule.pk}/"),
    ],
    "sanction_rule.edit": [
        api("post", "/api/v1/sanction-rules/", {}),
        console("get", "/console/sanctions/rules/new/"),
    ],
    "credit_check.run": [api("get", CHECK), console("get", "/console/sanctions/check/")],
    "repair.read": [api("get", "/api/v1/repairs/"), console("get", "/console/sanctions/repairs/")],
    "repair.apply": [
        api("post", "/api/v1/repairs/", {}),
        console("get", "/console/sanctions/repairs/apply/{w.pushed_record.pk}/"),
    ],
    "repair.confirm": [
        api("post", "/api/v1/repairs/{w.repair.pk}/confirm/", {}),
        console("post", "/console/sanctions/repairs/{w.repair.pk}/confirm/", {}),
    ],
    "repair.decide": [
        api("post", "/api/v1/repairs/{w.repair.pk}/reject/", {}),
        console("post", "/console/sanctions/repairs/{w.repair.pk}/reject/", {}),
    ],
    "typical_case.read": [api("get", "/api/v1/typical-cases/")],
    "typical_case.browse": [console("get", "/console/sanctions/typical-cases/")],
    "typical_case.mark": [
        api("post", "/api/v1/typical-cases/", {}),
        console("post", "/console/sanctions/typical-cases/", {}),
    ],
    "office_task.read": [
        console("get", "/console/sanctions/tasks/"),
        console("get", "/console/sanctions/tasks/{w.task.pk}/notice/"),
    ],
    "office_task.done": [console("post", "/console/sanctions/tasks/{w.task.pk}/done/", {})],
    "change.read": [api("get", "/api/v1/changes/")],
    "webhook.manage": [
        api("get", "/api/v1/webhooks/"),
        api("post", "/api/v1/webhooks/", {}),
        console("get", "/console/sharing/webhooks/"),
        console("post", "/console/sharing/webhooks/", {}),
    ],
    "evaluation.read": [
        api("get", "/api/v1/evaluation/"),
        console("get", "/console/evaluation/"),
    ],
    "ledger.read": [api("get", "/api/v1/ledger/")],
    "evaluation_scheme.edit": [],  # the admin's, probed in tests/evaluation/test_scheme.py
}

ALLOWED = {200, 201, 302, 400, 409}


def api_client(w: World, role: str) -> APIClient:
    client = APIClient()
    if role == policy.INTEGRATION_CLIENT:
        client.credentials(HTTP_AUTHORIZATION=f"Token {w.integration_token}")
    elif role == policy.COMPLAINANT:
        client.credentials(HTTP_X_ACCESS_CODE=w.access_code)
    elif role != policy.ANONYMOUS:
        token = Token.objects.get_or_create(user=w.users[role])[0]
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def console_client(w: World, role: str) -> Client:
    client = Client()
    if role not in (policy.ANONYMOUS, policy.COMPLAINANT):
        client.force_login(w.users[role])
    return client


def roles_of_column(column: str) -> frozenset[str]:
    if column == SUPERUSER:
        return frozenset({policy.CREDIT_OFFICER})
    if column == policy.COMPLAINANT:  # anonymous to everything but their own complaint
        return frozenset({policy.COMPLAINANT, policy.ANONYMOUS})
    return frozenset({column})


def outcome(probe: Probe, verb: str, column: str, status: int, location: str) -> str | None:
    """None when the answer is what the table says for ``column``, else what went wrong."""
    allowed = bool(roles_of_column(column) & policy.POLICY[verb])
    unauthenticated = column in (policy.ANONYMOUS, policy.COMPLAINANT)
    if allowed:
        return None if status in ALLOWED else f"allowed, but answered {status}"
    if policy.POLICY[verb] == {policy.COMPLAINANT}:
        expected = {404}  # the same answer as for an unknown reference
    elif probe.channel == "console" and unauthenticated:
        return None if status == 302 and "/console/login/" in location else f"got {status}"
    elif unauthenticated:
        expected = {401}
    else:
        expected = {403}
    return None if status in expected else f"refused, but answered {status}"


def test_every_verb_of_the_table_has_a_probe_and_every_probe_a_verb():
    assert set(PROBES) == set(policy.POLICY)


@pytest.mark.parametrize("verb", sorted(v for v, probes in PROBES.items() if probes))
def test_each_role_gets_what_the_table_says_through_every_channel(world, verb):
    wrong = {}
    for probe in PROBES[verb]:
        for column in COLUMNS:
            client = (api_client if probe.channel == "api" else console_client)(world, column)
            kwargs = {"format": "json"} if probe.channel == "api" and probe.body is not None else {}
            call = getattr(client, probe.method)
            response = (
                call(probe.url(world), probe.body, **kwargs)
                if probe.body is not None
                else call(probe.url(world))
            )
            problem = outcome(
                probe, verb, column, response.status_code, response.get("Location", "")
            )
            if problem:
                wrong[(probe.channel, probe.method, probe.url(world), column)] = problem
    assert not wrong, wrong


@pytest.mark.parametrize("column", COLUMNS)
def test_only_the_roles_that_may_register_a_complaint_keep_its_channel(world, column):
    body = complaint_data(respondent_agency=world.liaison_agency)
    body["respondent_agency"] = world.liaison_agency.pk
    body["channel"] = "petition"
    response = api_client(world, column).post("/api/v1/complaints/", body, format="json")
    may_submit = roles_of_column(column) & policy.POLICY["complaint.submit"]
    if not may_submit:
        assert response.status_code == 403, response.content
        return
    assert response.status_code == 201, response.content
    registers = bool(roles_of_column(column) & policy.POLICY["complaint.register"])
    assert response.json()["channel"] == ("petition" if registers else "web")


def test_the_console_navigation_offers_only_pages_the_table_opens(world):
    for column in (*StaffRole.values, SUPERUSER):
        client = console_client(world, column)
        page = client.get("/console/").content.decode()
        for entry in NAVIGATION:
            url = reverse(entry.url_name)
            shown = f'href="{url}"' in page
            allowed = bool(roles_of_column(column) & policy.POLICY[entry.verb])
            assert shown == allowed, (column, url)
            if shown:
                assert client.get(url).status_code == 200, (column, url)
