"""Who may do what: the role × verb table of the whole product, as data, and the few functions
that read it.

``POLICY`` maps every verb (an action a user can attempt, or a staff page they can open) to the
roles allowed to attempt it. Everything that decides "may this user ...?" reads it:

- services call ``require(actor, verb)`` (403 ``PermissionDenied`` when the role may not);
- the API's views declare ``policy = {drf action: verb}`` and use the ``Policy`` permission;
- console views are decorated with ``policy_required(verb)``;
- templates ask ``{% if user|may:"verb" %}`` (``agencies/templatetags/policy.py``), and the
  console navigation (``NAVIGATION``) lists only the pages whose verb the user may use.

The table answers the *role* question only (403). Which rows a user sees is the *scope*
question (404), answered per entity in the apps' selectors with a ``Scope`` (below), written
once: the list filter and the "is this one row visible?" test come from the same conditions.

Roles are the staff roles of ``StaffRole`` plus three that are not accounts' roles:
``anonymous`` (nobody logged in), ``complainant`` (proved by reference + access code, no
account) and ``integration_client`` (an external system's token). A superuser acts as a
credit officer (DESIGN section 9).
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

from .choices import StaffRole

ANONYMOUS = "anonymous"
COMPLAINANT = "complainant"
INTEGRATION_CLIENT = "integration_client"

INTAKE_CLERK = StaffRole.INTAKE_CLERK.value
HANDLER = StaffRole.HANDLER.value
AGENCY_LIAISON = StaffRole.AGENCY_LIAISON.value
CREDIT_OFFICER = StaffRole.CREDIT_OFFICER.value
AUDITOR = StaffRole.AUDITOR.value

STAFF = frozenset(StaffRole.values)
ROLES = (ANONYMOUS, COMPLAINANT, INTEGRATION_CLIENT, *StaffRole.values)
PUBLIC = frozenset(ROLES)
OFFICE = frozenset({CREDIT_OFFICER, AUDITOR})  # the credit office, and auditors who read it all
CASEWORK = frozenset({HANDLER, CREDIT_OFFICER})  # the handler's verbs; the office may do them too


def _roles(*roles: str) -> frozenset[str]:
    return frozenset(roles)


POLICY: dict[str, frozenset[str]] = {
    # --- complaints (DESIGN sections 4, 5, 9) -----------------------------------------------
    # Anyone files a complaint, except auditors (read-only) and external systems.
    # External systems (12345, the SME-payment platform) push the complaints they received.
    "complaint.submit": _roles(
        ANONYMOUS, INTAKE_CLERK, HANDLER, AGENCY_LIAISON, CREDIT_OFFICER, INTEGRATION_CLIENT
    ),
    # Registering one that arrived by another channel: recorded as the registrant's, with its
    # channel and the origin's work-order id (``external_ref``, DESIGN section 13); an
    # anonymous or other staff submission is always ``web`` and carries no origin id.
    "complaint.register": _roles(INTAKE_CLERK, CREDIT_OFFICER, INTEGRATION_CLIENT),
    "complaint.read": STAFF,
    "complaint.accept": CASEWORK,
    "complaint.reroute": _roles(CREDIT_OFFICER),
    "complaint.reject": CASEWORK,
    "complaint.find_unfounded": CASEWORK,
    "complaint.find_founded": CASEWORK,
    "complaint.find_disputed": CASEWORK,
    "complaint.record_rectified": CASEWORK,
    "complaint.record_settlement": CASEWORK,
    "complaint.refer_to_litigation": CASEWORK,
    "complaint.record_judgment": CASEWORK,
    "complaint.determine_breach": CASEWORK,
    "complaint.reopen": _roles(CREDIT_OFFICER),
    "complaint.pause": CASEWORK,
    "complaint.resume": CASEWORK,
    "complaint.extend": CASEWORK,
    "complaint.internal_note": CASEWORK,
    # Payment arrears (DESIGN section 12): the handler records what the respondent paid.
    "complaint.record_payment": CASEWORK,
    "complaint.reply": _roles(HANDLER, AGENCY_LIAISON, CREDIT_OFFICER),
    "complaint.routing_queue": _roles(CREDIT_OFFICER),
    # Assignment (指派) inside the handling department: a handler of that department gives a
    # case to a named colleague, or takes it back; the department's lead is one of its
    # handlers (there is no separate lead role), so colleagues and the lead both may. The
    # service checks that actor and assignee belong to the department holding the case. The
    # credit office routes cases to departments, not to people inside them.
    "complaint.assign": _roles(HANDLER),
    "complaint.my_cases": _roles(HANDLER),  # the queue of cases assigned to oneself
    # 回访 (seed 000: 不满意 → 审核、通报、跟踪): the credit office calls back dissatisfied and
    # silent complainants; auditors read the list.
    "complaint.follow_up_queue": OFFICE,
    "complaint.follow_up": _roles(CREDIT_OFFICER),
    "complaint.supervision_queue": OFFICE,
    # The complainant's own verbs (reference + access code).
    "complaint.track": _roles(COMPLAINANT),
    "complaint.message": _roles(COMPLAINANT),
    "complaint.withdraw": _roles(COMPLAINANT),
    "complaint.feedback": _roles(COMPLAINANT),
    # Proved by a one-time code sent to the contact on file (找回查询码), not by the old code.
    "complaint.reset_access_code": _roles(COMPLAINANT),
    "complaint.request_review": _roles(COMPLAINANT),
    # 复核 of an unfounded finding is decided by the credit office (not the department that
    # made the finding).
    "complaint.decide_review": _roles(CREDIT_OFFICER),
    # --- the directory ------------------------------------------------------------------------
    "agency.read": PUBLIC,  # the complaint form searches it
    "agency.write": _roles(CREDIT_OFFICER),
    "staff.manage": _roles(CREDIT_OFFICER),  # accounts, and lifting a login lockout
    # One's own second factor (DESIGN section 11): every staff member may enrol a TOTP app.
    "account.security": STAFF,
    # --- credit records (DESIGN section 6) ------------------------------------------------------
    "credit_record.read": _roles(CREDIT_OFFICER, AUDITOR, AGENCY_LIAISON, INTEGRATION_CLIENT),
    "credit_record.push": _roles(CREDIT_OFFICER, INTEGRATION_CLIENT),
    # The client that pushed it (its scope is its own source), or the credit office.
    "credit_record.withdraw": _roles(CREDIT_OFFICER, INTEGRATION_CLIENT),
    "credit_record.browse": OFFICE,  # the console's record list and its exports
    # A pushed record's deadline to perform (seed 002 item 10): the pusher or the credit office
    # says it was performed.
    "credit_record.perform": _roles(CREDIT_OFFICER, INTEGRATION_CLIENT),
    "agency_credit.read": PUBLIC,  # score, grade, sanctions: public like the profile page
    # A handler opens the credit file of an agency whose breach its department determined
    # (it confirms that agency's repair); the selector limits it to those agencies.
    "agency_profile.view": _roles(CREDIT_OFFICER, AUDITOR, AGENCY_LIAISON, HANDLER),
    "objection.read": _roles(CREDIT_OFFICER, AUDITOR, AGENCY_LIAISON),
    "objection.file": _roles(AGENCY_LIAISON),
    "objection.decide": _roles(CREDIT_OFFICER),
    # External systems are the deployment's, not a region's: every credit officer reads the
    # list; adding one or changing its channel or token is for a deployment-wide office only
    # (``DEPLOYMENT_WIDE`` below; levels, DESIGN section 13).
    "integration_client.read": _roles(CREDIT_OFFICER),
    "integration_client.manage": _roles(CREDIT_OFFICER),
    # The annual publication of overdue payments to SMEs (DESIGN section 12).
    "arrears_publication.read": OFFICE,
    "arrears_publication.publish": _roles(CREDIT_OFFICER),
    # --- sanctions, credit check, repair (DESIGN section 7) -------------------------------------
    "measure.read": PUBLIC,
    "sanction.read": STAFF,
    "sanction.browse": OFFICE,  # the console's sanctions page
    "sanction_rule.read": STAFF,
    "sanction_rule.browse": OFFICE,  # the console's rule pages
    "sanction_rule.edit": _roles(CREDIT_OFFICER),
    # 信用核查 is asked by departments that grant funding, procurement, awards and the like:
    # staff acting as handler or intake unit, the credit office, auditors, and external systems.
    # A liaison speaks for a party that may itself be sanctioned and is not a checking body.
    "credit_check.run": _roles(CREDIT_OFFICER, AUDITOR, HANDLER, INTAKE_CLERK, INTEGRATION_CLIENT),
    "repair.read": _roles(CREDIT_OFFICER, AUDITOR, AGENCY_LIAISON, HANDLER),
    "repair.apply": _roles(AGENCY_LIAISON, CREDIT_OFFICER),
    # The department that determined the breach confirms performance (the service checks which);
    # so does the credit office of the body's county (or above): seed 004 二(五) 各县区信用办要
    # 协调指导辖区内失信主体信用修复工作 (DESIGN section 13; its region scope decides which).
    "repair.confirm": _roles(HANDLER, CREDIT_OFFICER),
    "repair.decide": _roles(CREDIT_OFFICER),
    "typical_case.read": PUBLIC,
    "typical_case.browse": OFFICE,
    "typical_case.mark": _roles(CREDIT_OFFICER),
    "office_task.read": OFFICE,
    "office_task.done": _roles(CREDIT_OFFICER),
    # --- sharing and integration (DESIGN section 13) ---------------------------------------------
    # The change feed: the credit office, auditors, and external systems allowed to read it
    # (the client's ``reads_changes`` flag, checked by the view).
    "change.read": _roles(CREDIT_OFFICER, AUDITOR, INTEGRATION_CLIENT),
    "webhook.manage": _roles(CREDIT_OFFICER),
    # --- evaluation (考核, DESIGN section 8) ------------------------------------------------------
    # The credit office evaluates the bodies it oversees; auditors read what it reads. Handlers,
    # liaisons and intake clerks are the evaluated, not the evaluators.
    "evaluation.read": OFFICE,  # figures, the dashboard, its drill-down and exports
    "ledger.read": OFFICE,  # the complaint ledger (台账)
    "evaluation_scheme.edit": _roles(CREDIT_OFFICER),  # a new version of the scheme (admin)
}

# Verbs that only a deployment-wide office user may use even when their role may: what they
# change is the whole deployment's, beyond any one region. Deployment-wide: a superuser, an
# office user whose agency has no region, or one whose region holds every agency of the
# directory (a city's credit office in a city's deployment, the province's in a province's);
# not a city's or a county's office in a province's deployment (``office_is_deployment_wide``;
# levels, DESIGN section 13).
# Integration clients are the deployment's external systems; the annual arrears publication
# is one list per deployment (条例 art. 16 of the 2020 text, DESIGN section 12).
DEPLOYMENT_WIDE: frozenset[str] = frozenset(
    {"integration_client.manage", "arrears_publication.publish"}
)


def roles_of(user) -> frozenset[str]:
    """The roles ``user`` acts in. Nobody logged in is anonymous; a ``Complainant`` is anonymous
    too, and the complainant of their own complaint; a superuser is a credit officer (and keeps
    any role it also holds); the user of an active integration client is that client."""
    if isinstance(user, Complainant):
        return _roles(COMPLAINANT, ANONYMOUS)
    if user is None or not user.is_authenticated:
        return _roles(ANONYMOUS)
    if not user.is_active:
        return frozenset()
    roles = {user.role} if user.role else set()
    if user.is_superuser:
        roles.add(CREDIT_OFFICER)
    if not roles:
        client = getattr(user, "integration_client", None)
        if client is not None and client.is_active:
            roles.add(INTEGRATION_CLIENT)
    return frozenset(roles)


def may(user, verb: str) -> bool:
    """Whether one of ``user``'s roles may attempt ``verb`` (a ``KeyError`` for a verb the
    table does not know: a programming error, never a 'no'). A ``DEPLOYMENT_WIDE`` verb also
    asks that the user not be limited to a region."""
    if not roles_of(user) & POLICY[verb]:
        return False
    return verb not in DEPLOYMENT_WIDE or office_is_deployment_wide(user)


def is_staff(user) -> bool:
    """Staff = an active account holding a staff role, or a superuser. (Not Django's
    ``is_staff`` flag, which only opens the admin site.)"""
    return bool(roles_of(user) & STAFF)


def require(user, verb: str) -> None:
    """Raise 403 (``PermissionDenied``) unless ``user`` may attempt ``verb``."""
    if not may(user, verb):
        raise PermissionDenied(_("您的角色不能执行该操作。"))


@dataclass(frozen=True)
class Complainant:
    """The complainant of one complaint, who proved it with the access code (no account)."""

    complaint_id: int
    is_authenticated = False
    pk = None


# --- scopes (which rows) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The rows of one entity a user may see: every row, none, or those whose fields match
    ``conditions`` (``{"handling_agency_id": 7}``; a key may end in ``__startswith`` or
    ``__in``, and may follow foreign keys: ``respondent_agency__region_id__startswith``).

    ``filter(queryset)`` applies it in SQL; ``admits(obj)`` answers for one loaded row from the
    same conditions, so "visible in the list" and "visible on its own" can never differ.
    """

    everything: bool = False
    conditions: tuple[tuple[str, object], ...] = ()

    @classmethod
    def all(cls) -> "Scope":
        return cls(everything=True)

    @classmethod
    def none(cls) -> "Scope":
        return cls()

    @classmethod
    def where(cls, **conditions) -> "Scope":
        return cls(conditions=tuple(sorted(conditions.items())))

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.conditions

    def filter(self, queryset):
        if self.everything:
            return queryset
        if not self.conditions:
            return queryset.none()
        return queryset.filter(**dict(self.conditions))

    def admits(self, obj) -> bool:
        if self.everything:
            return True
        if not self.conditions:
            return False
        return all(_matches(obj, key, value) for key, value in self.conditions)


_LOOKUPS = {
    "exact": lambda have, want: have == want,
    "startswith": lambda have, want: have is not None and str(have).startswith(str(want)),
    "in": lambda have, want: have in want,
}


def _matches(obj, key: str, value) -> bool:
    parts = key.split("__")
    lookup = parts.pop() if parts[-1] in _LOOKUPS and len(parts) > 1 else "exact"
    current = obj
    for attribute in parts:
        if current is None:
            return False
        current = getattr(current, attribute)
    return _LOOKUPS[lookup](current, value)


# --- levels: one deployment for a province (DESIGN section 13) ----------------------------------

_UNSET = object()


def region_prefix(code: str) -> str:
    """The code prefix shared by a region and every region below it (GB/T 2260: ``330000``
    province → ``33``, ``330100`` city → ``3301``, ``330106`` county → ``330106``)."""
    code = code or ""
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


def region_of_office(*, region_code: str | None, is_superuser: bool) -> str | None:
    """``office_region`` from an account's agency region code (None: no region)."""
    if is_superuser or not region_code:
        return None
    return region_prefix(region_code)


def office_region(user) -> str | None:
    """The region prefix a credit officer or auditor is limited to: their agency's region and
    below; None (everything) for a superuser or an office user whose agency has no region.
    Read once per user object."""
    if user is None or not getattr(user, "is_authenticated", False) or user.is_superuser:
        return None
    cached = getattr(user, "_office_region", _UNSET)
    if cached is not _UNSET:
        return cached
    region = None
    if getattr(user, "agency_id", None):
        from .models import Agency

        code = Agency.objects.filter(pk=user.agency_id).values_list("region_id", flat=True).first()
        region = region_of_office(region_code=code, is_superuser=False)
    user._office_region = region
    return region


def office_is_deployment_wide(user) -> bool:
    """Whether ``user``'s office covers the whole deployment: no region limit, or a region
    that holds every agency of the directory that has a region (agencies without one belong to
    no other region). Read once per user object."""
    region = office_region(user)
    if region is None:
        return True
    cached = getattr(user, "_deployment_wide", _UNSET)
    if cached is not _UNSET:
        return cached
    wide = region_holds_deployment(region)
    user._deployment_wide = wide
    return wide


def region_holds_deployment(region: str) -> bool:
    """Whether every agency of the directory that has a region lies in ``region`` (a code
    prefix) and below: an office of that region covers the whole deployment."""
    from .models import Agency

    return not (
        Agency.objects.filter(region__isnull=False)
        .exclude(region__code__startswith=region)
        .exists()
    )


def office_scope(user, agency_path: str) -> "Scope":
    """What the credit office and auditors see of an entity whose agency is at
    ``agency_path``: every row, or those of their region and below."""
    region = office_region(user)
    if region is None:
        return Scope.all()
    return Scope.where(**{f"{agency_path}__region__code__startswith": region})


# --- the API and the console read the same table -----------------------------------------------


class Policy(BasePermission):
    """DRF permission from the view's ``policy``: a verb for the whole view, or a dict from the
    viewset action (``list``, ``create``, ``accept`` ...; for a plain ``APIView`` the lower-case
    HTTP method) to its verb. Anonymous users refused get 401 (DRF's rule), others 403.

    On a detail route (``/objections/7/uphold/``) a user who may read the entity (the
    ``retrieve`` verb) but not use this verb is refused only once the object is found: a row
    outside the user's scope is a 404 before it is a 403, so a refusal never tells that it
    exists.
    """

    def has_permission(self, request, view):
        verb = verb_of(view, request)
        if verb is None or may(request.user, verb):
            return True
        read = view.policy.get("retrieve") if isinstance(view.policy, dict) else None
        return bool(getattr(view, "detail", False) and read and may(request.user, read))

    def has_object_permission(self, request, view, obj):
        verb = verb_of(view, request)
        return verb is None or may(request.user, verb)


def verb_of(view, request) -> str | None:
    """The verb a request to ``view`` attempts; None when DRF answers by itself (a method the
    view does not allow: 405; ``OPTIONS``: DRF checks each method's permission itself)."""
    policy = view.policy
    if isinstance(policy, str):
        return policy
    action = getattr(view, "action", None) if hasattr(view, "action_map") else None
    if action is None:
        action = request.method.lower()
    if action in ("metadata", "options"):
        return None
    if action not in policy:
        if hasattr(view, "action_map") and getattr(view, "action", None) is None:
            return None  # no handler for this method: DRF answers 405
        if not hasattr(view, "action_map") and not hasattr(view, request.method.lower()):
            return None  # an APIView without a handler for this method: DRF answers 405
        raise ImproperlyConfigured(f"{type(view).__name__}.policy has no verb for {action!r}")
    return policy[action]


def policy_required(verb: str):
    """Console view decorator: log in first (redirect), then 403 unless the user may ``verb``."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require(request.user, verb)
            return view(request, *args, **kwargs)

        wrapped.verb = verb
        return wrapped

    return decorator
