"""Reads of sanctions, repairs and tasks. Visibility and the credit-check cache live here."""

import time

from django.core.cache import cache
from django.db.models import Q, QuerySet

from agencies.models import Agency
from agencies.policy import AGENCY_LIAISON, HANDLER, OFFICE, STAFF, Scope, office_scope, roles_of
from credit_records.choices import Polarity
from credit_records.models import CreditRecord

from .choices import SanctionStatus
from .models import Measure, OfficeTask, Repair, RuleChange, Sanction, SanctionRule, TypicalCase

STATE_TTL = 600  # seconds; the reconcile invalidates earlier by bumping the version


def _version_key(agency_id: int) -> str:
    return f"sanctions:v:{agency_id}"


def _state_key(agency_id: int) -> str:
    return f"sanctions:state:{agency_id}"


def sanction_state_invalidate(agency_ids) -> None:
    """Called by the reconcile after commit: the next read of these agencies goes to the
    database. Bumping a version (instead of deleting the entry) closes the race in which a
    reader that read the old rows writes them back after the delete."""
    for agency_id in agency_ids:
        key = _version_key(agency_id)
        try:
            cache.incr(key)
        except ValueError:
            cache.add(key, time.time_ns(), None)


def _state_from_database(agency_id: int) -> list[dict]:
    return [
        {
            "id": s.pk,
            "measure": s.measure_id,
            "rule": s.rule_id,
            "rule_name": s.rule.name,
            "imposed_at": s.imposed_at.isoformat(),
            "basis_records": sorted(r.pk for r in s.basis_records.all()),
        }
        for s in Sanction.objects.filter(agency_id=agency_id, status=SanctionStatus.ACTIVE)
        .select_related("rule")
        .prefetch_related("basis_records")
        .order_by("measure_id", "rule_id")
    ]


def _cached_state(agency_id: int, *, require_agency: bool) -> list[dict] | None:
    """One cache round trip on a hit: the agency's version and its entry ``(version, state)``
    are read together, and the entry counts only when it carries the current version.

    The version is read *before* the database, so a reconcile that commits in between makes
    the entry written here unreachable rather than stale. An entry exists only for an agency
    that existed when it was written; with ``require_agency`` a miss first checks that the
    agency exists and answers None when it does not (unknown agencies are never cached).
    """
    version_key, state_key = _version_key(agency_id), _state_key(agency_id)
    found = cache.get_many([version_key, state_key])
    version, entry = found.get(version_key), found.get(state_key)
    if version is None:
        # A fresh, never-reused version: an evicted counter must not resurrect old entries.
        cache.add(version_key, time.time_ns(), None)
        version = cache.get(version_key)
    elif entry is not None and entry[0] == version:
        return entry[1]
    if require_agency and not Agency.objects.filter(pk=agency_id).exists():
        return None
    state = _state_from_database(agency_id)
    cache.set(state_key, (version, state), STATE_TTL)
    return state


def agency_sanction_state(agency_id: int) -> list[dict]:
    """The agency's active sanctions as plain dicts (cached; cleared by the reconcile)."""
    return _cached_state(agency_id, require_agency=False)


def credit_check_state(agency_id: int) -> list[dict] | None:
    """For the credit check: the agency's active sanctions, or None when there is no such
    agency — on a cache hit without touching the database."""
    return _cached_state(agency_id, require_agency=True)


def credit_check_state_forget(agency_id: int) -> None:
    """Drop an agency's cached entry (the agency turned out to be gone)."""
    cache.delete(_state_key(agency_id))


def measure_labels() -> dict[str, str]:
    return {m.code: m.label for m in Measure.objects.all()}


def sanctions_profile(agency_id: int) -> dict:
    """Profile provider for ``credit_records.providers``: active sanctions and restricted
    measures of an agency, for its credit profile (API and pages)."""
    state = agency_sanction_state(agency_id)
    labels = measure_labels() if state else {}
    return {
        "active_sanctions": [
            {**item, "measure_label": labels.get(item["measure"], item["measure"])}
            for item in state
        ],
        "restricted_measures": sorted({item["measure"] for item in state}),
    }


# --- who sees what ----------------------------------------------------------------------------


def sanction_scope(user) -> Scope:
    """Sanctions are public facts of the credit profile: staff see every one, except that a
    liaison sees its own agency's."""
    roles = roles_of(user)
    if roles & OFFICE:
        return office_scope(user, "agency")
    if AGENCY_LIAISON in roles:
        return Scope.where(agency_id=user.agency_id)
    return Scope.all() if roles & STAFF else Scope.none()


def sanction_list_visible_to(*, user) -> QuerySet[Sanction]:
    qs = Sanction.objects.select_related("agency", "measure", "rule").prefetch_related(
        "basis_records"
    )
    return sanction_scope(user).filter(qs)


def repair_scope(user) -> Scope:
    """Repairs: the credit office and auditors all; a liaison its agency's; a handler those its
    agency must confirm (it determined the breach); nobody else."""
    roles = roles_of(user)
    if roles & OFFICE:
        return office_scope(user, "agency")
    if AGENCY_LIAISON in roles:
        return Scope.where(agency_id=user.agency_id)
    if HANDLER in roles:
        return Scope.where(confirming_agency_id=user.agency_id)
    return Scope.none()


def repair_list_visible_to(*, user) -> QuerySet[Repair]:
    qs = Repair.objects.select_related("record", "agency", "confirming_agency").prefetch_related(
        "files"
    )
    return repair_scope(user).filter(qs)


def office_task_list() -> QuerySet[OfficeTask]:
    return OfficeTask.objects.select_related(
        "agency", "sanction__measure", "sanction__rule", "repair__record"
    )


def notice_task_basis(tasks) -> dict[int, list[Sanction]]:
    """For notice tasks (通报 / 约谈 / 曝光): ``{task id: [sanctions]}``, the sanctions of the
    task's agency and measure that it answers (its own, and those other rules imposed while it
    was open, which opened no task of their own), each with its rule and basis records. Two
    queries for a page of tasks."""
    tasks = [t for t in tasks if t.sanction_id]
    if not tasks:
        return {}
    sanctions = (
        Sanction.objects.filter(
            agency_id__in={t.agency_id for t in tasks},
            measure_id__in={t.kind for t in tasks},
        )
        .filter(Q(status=SanctionStatus.ACTIVE) | Q(pk__in=[t.sanction_id for t in tasks]))
        .select_related("rule", "measure")
        .prefetch_related("basis_records")
        .order_by("imposed_at", "pk")
    )
    grouped: dict[tuple, list[Sanction]] = {}
    for sanction in sanctions:
        grouped.setdefault((sanction.agency_id, sanction.measure_id), []).append(sanction)
    return {t.pk: grouped.get((t.agency_id, t.kind), []) for t in tasks}


def typical_cases_public() -> QuerySet[TypicalCase]:
    """Published typical cases, with only what the public page shows (no complaint data)."""
    return (
        TypicalCase.objects.filter(is_published=True)
        .select_related("agency", "record")
        .only(
            "pk",
            "title",
            "facts",
            "outcome",
            "published_at",
            "agency__name",
            "agency__uscc",
            "record__kind",
            "record__severity",
            "record__decided_on",
            "record__status",
        )
    )


def credit_records_by_ids(ids) -> list:
    """The records behind a set of sanctions (the credit check's basis), newest first."""
    return list(CreditRecord.objects.filter(pk__in=ids).order_by("-decided_on"))


def sanctions_with_status(status: str) -> QuerySet[Sanction]:
    return (
        Sanction.objects.select_related("agency", "measure", "rule")
        .filter(status=status)
        .order_by("-imposed_at", "-id")
    )


def sanction_rules() -> QuerySet[SanctionRule]:
    return SanctionRule.objects.prefetch_related("measures").order_by("pk")


def rule_changes(rule: SanctionRule) -> QuerySet[RuleChange]:
    """The log of a rule's edits, newest first."""
    return RuleChange.objects.filter(rule=rule).select_related("actor").order_by("-id")


def typical_cases_all() -> QuerySet[TypicalCase]:
    return TypicalCase.objects.select_related("agency", "record", "created_by").order_by(
        "-published_at", "-id"
    )


def typical_case_candidates(limit: int = 10) -> list:
    """Recent negative records not yet typical cases, for the credit office to pick from."""
    return list(
        CreditRecord.objects.filter(polarity=Polarity.NEGATIVE, typical_cases__isnull=True)
        .select_related("agency")
        .order_by("-decided_on", "-pk")[:limit]
    )
