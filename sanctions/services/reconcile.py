"""The sanctions reconcile (DESIGN section 2: derived state is reconciled, not patched).

For a set of agencies: from their in-force negative records and the active rules, compute the
``(rule, measure)`` sanctions that must hold; impose the missing ones, lift the ones no longer
justified (with the reason read from the basis records) and keep each sanction's basis current.
The same function runs after every record change (task) and over all agencies nightly.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from credit_records.choices import Polarity, RecordStatus
from credit_records.models import AgencyRecordChange, CreditRecord
from credit_records.selectors import IN_FORCE_STATUSES
from integrity_portal.db import retry_on_conflict
from integrity_portal.settled import settled_head
from sharing.choices import ChangeAction, Entity
from sharing.services import changes_record

from ..choices import (
    NOTICE_MEASURES,
    SEVERITY_RANK,
    LiftReason,
    SanctionStatus,
    TaskKind,
    TaskStatus,
)
from ..models import ChangeCursor, OfficeTask, Sanction, SanctionRule

BATCH = 500
CURSOR_NAME = "agency_record_changes"

BasisThrough = Sanction.basis_records.through


@dataclass(frozen=True)
class RuleSpec:
    """An active rule, read once per reconcile run."""

    id: int
    kinds: frozenset[str]
    min_rank: int
    min_count: int
    window_months: int | None
    measures: tuple[str, ...]
    updated_at: datetime.datetime

    def basis(self, records: list[tuple], today: datetime.date) -> list[int]:
        """Ids of the records that satisfy this rule, or [] when the rule does not hold."""
        since = today - relativedelta(months=self.window_months) if self.window_months else None
        ids = [
            pk
            for pk, kind, severity, decided_on in records
            if (not self.kinds or kind in self.kinds)
            and SEVERITY_RANK.get(severity, 0) >= self.min_rank
            and (since is None or decided_on > since)
        ]
        return ids if len(ids) >= self.min_count else []


def active_rules() -> list[RuleSpec]:
    rules = SanctionRule.objects.filter(is_active=True).prefetch_related("measures").order_by("pk")
    return [
        RuleSpec(
            id=rule.pk,
            kinds=frozenset(rule.kinds or ()),
            min_rank=SEVERITY_RANK.get(rule.min_severity, 0),
            min_count=rule.min_count,
            window_months=rule.window_months,
            measures=tuple(sorted(m.pk for m in rule.measures.all())),
            updated_at=rule.updated_at,
        )
        for rule in rules
    ]


@dataclass
class ReconcileResult:
    agencies: int = 0
    imposed: int = 0
    lifted: int = 0
    rebased: int = 0
    changed_agencies: set[int] = field(default_factory=set)

    def __iadd__(self, other: "ReconcileResult"):
        self.agencies += other.agencies
        self.imposed += other.imposed
        self.lifted += other.lifted
        self.rebased += other.rebased
        self.changed_agencies |= other.changed_agencies
        return self


def agency_sanctions_reconcile(agency_id: int, *, today: datetime.date | None = None):
    """Reconcile one agency's sanctions (after one of its records changed)."""
    return agencies_sanctions_reconcile(agency_ids=[agency_id], today=today)


# Statuses a basis record can leave the in-force set for, in the order they explain a lift.
_LIFT_BY_STATUS = (
    (RecordStatus.REPAIRED, LiftReason.REPAIRED),
    (RecordStatus.REVOKED, LiftReason.REVOKED),
    (RecordStatus.EXPIRED, LiftReason.EXPIRED),
)


def _lift_reason(
    *, imposed_at, rule: RuleSpec | None, measure: str, basis_statuses: Iterable[str]
) -> str:
    """Why a sanction no longer holds: the rule was switched off or edited, or its basis
    records were repaired, revoked or expired; with the records still in force the window has
    passed them by (``expired``)."""
    if rule is None or measure not in rule.measures:
        return LiftReason.RULE_CHANGED
    statuses = set(basis_statuses)
    for status, reason in _LIFT_BY_STATUS:
        if status in statuses:
            return reason
    if rule.updated_at > imposed_at:
        return LiftReason.RULE_CHANGED
    return LiftReason.EXPIRED


def sanction_feed_entry(
    action: str,
    *,
    pk: int,
    agency_id: int,
    rule_id: int,
    measure: str,
    imposed_at,
    basis,
    lifted_at=None,
    lift_reason: str = "",
) -> tuple:
    """A sanction's change-feed row with its contract fields (DESIGN section 9)."""
    return (
        Entity.SANCTION,
        pk,
        action,
        {
            "id": pk,
            "agency": agency_id,
            "measure": measure,
            "rule": rule_id,
            "status": SanctionStatus.LIFTED if lifted_at else SanctionStatus.ACTIVE,
            "imposed_at": imposed_at,
            "lifted_at": lifted_at,
            "lift_reason": lift_reason,
            "basis_records": sorted(basis),
        },
    )


@retry_on_conflict
def agencies_sanctions_reconcile(
    *,
    agency_ids: Iterable[int],
    today: datetime.date | None = None,
    rules: list[RuleSpec] | None = None,
) -> ReconcileResult:
    """Reconcile the sanctions of ``agency_ids`` in one transaction (a fixed number of queries
    per call, whatever the number of agencies: the nightly sweep passes batches).

    Concurrency: the agency rows are locked in pk order first, so two runs for the same agency
    serialise (the second sees the first's result and changes nothing) and runs over
    overlapping batches cannot deadlock. The partial unique constraint on active
    ``(agency, rule, measure)`` backs this up at the database level.
    """
    result = ReconcileResult()
    ids = sorted(set(agency_ids))
    if not ids:
        return result
    today = today or timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        locked = list(
            Agency.objects.select_for_update(no_key=True)
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not locked:
            return result
        result.agencies = len(locked)
        if rules is None:
            rules = active_rules()
        rules_by_id = {rule.id: rule for rule in rules}

        records: dict[int, list[tuple]] = defaultdict(list)
        for pk, agency_id, kind, severity, decided_on in (
            CreditRecord.objects.filter(
                agency_id__in=locked, status__in=IN_FORCE_STATUSES, polarity=Polarity.NEGATIVE
            )
            .order_by("pk")
            .values_list("pk", "agency_id", "kind", "severity", "decided_on")
        ):
            records[agency_id].append((pk, kind, severity, decided_on))

        required: dict[tuple[int, int, str], list[int]] = {}
        for agency_id, agency_records in records.items():
            for rule in rules:
                basis = rule.basis(agency_records, today)
                if basis:
                    for measure in rule.measures:
                        required[(agency_id, rule.id, measure)] = basis

        current = list(
            Sanction.objects.filter(agency_id__in=locked, status=SanctionStatus.ACTIVE).values_list(
                "pk", "agency_id", "rule_id", "measure_id", "imposed_at"
            )
        )
        current_basis: dict[int, set[int]] = defaultdict(set)
        if current:
            for sanction_id, record_id in BasisThrough.objects.filter(
                sanction_id__in=[row[0] for row in current]
            ).values_list("sanction_id", "creditrecord_id"):
                current_basis[sanction_id].add(record_id)

        feed: list[tuple] = []  # the change feed's rows, written in this transaction
        to_lift: list[tuple[int, int, int, str, object]] = []
        rebase: dict[int, list[int]] = {}
        held: set[tuple[int, int, str]] = set()
        for pk, agency_id, rule_id, measure, imposed_at in current:
            key = (agency_id, rule_id, measure)
            basis = required.get(key)
            if basis is None:
                to_lift.append((pk, agency_id, rule_id, measure, imposed_at))
            else:
                held.add(key)
                if set(basis) != current_basis[pk]:
                    rebase[pk] = basis
                    result.changed_agencies.add(agency_id)

        if to_lift:
            lift_basis = {r for pk, *_rest in to_lift for r in current_basis[pk]}
            status_of = dict(
                CreditRecord.objects.filter(pk__in=lift_basis).values_list("pk", "status")
            )
            by_reason: dict[str, list[int]] = defaultdict(list)
            for pk, agency_id, rule_id, measure, imposed_at in to_lift:
                reason = _lift_reason(
                    imposed_at=imposed_at,
                    rule=rules_by_id.get(rule_id),
                    measure=measure,
                    basis_statuses=(status_of.get(r) for r in current_basis[pk]),
                )
                by_reason[reason].append(pk)
                result.changed_agencies.add(agency_id)
            lifted_rows = {row[0]: row for row in to_lift}
            for reason, pks in by_reason.items():
                feed.extend(
                    sanction_feed_entry(
                        ChangeAction.LIFTED,
                        pk=pk,
                        agency_id=lifted_rows[pk][1],
                        rule_id=lifted_rows[pk][2],
                        measure=lifted_rows[pk][3],
                        imposed_at=lifted_rows[pk][4],
                        lifted_at=now,
                        lift_reason=reason,
                        basis=current_basis[pk],
                    )
                    for pk in pks
                )
                result.lifted += Sanction.objects.filter(
                    pk__in=pks, status=SanctionStatus.ACTIVE
                ).update(
                    status=SanctionStatus.LIFTED, lifted_at=now, lift_reason=reason, updated_at=now
                )

        if rebase:
            BasisThrough.objects.filter(sanction_id__in=list(rebase)).delete()
            BasisThrough.objects.bulk_create(
                [
                    BasisThrough(sanction_id=pk, creditrecord_id=r)
                    for pk, basis in rebase.items()
                    for r in basis
                ]
            )
            # A held sanction whose basis changed is a change of the sanction: incremental
            # pulls (updated_after) and the feed see it (action ``basis_changed``).
            Sanction.objects.filter(pk__in=list(rebase)).update(updated_at=now)
            held_rows = {row[0]: row for row in current if row[0] in rebase}
            feed.extend(
                sanction_feed_entry(
                    ChangeAction.BASIS_CHANGED,
                    pk=pk,
                    agency_id=held_rows[pk][1],
                    rule_id=held_rows[pk][2],
                    measure=held_rows[pk][3],
                    imposed_at=held_rows[pk][4],
                    basis=basis,
                )
                for pk, basis in sorted(rebase.items())
            )
            result.rebased = len(rebase)

        missing = sorted(key for key in required if key not in held)
        if missing:
            created = Sanction.objects.bulk_create(
                [
                    Sanction(
                        agency_id=agency_id,
                        rule_id=rule_id,
                        measure_id=measure,
                        status=SanctionStatus.ACTIVE,
                        imposed_at=now,
                    )
                    for agency_id, rule_id, measure in missing
                ]
            )
            BasisThrough.objects.bulk_create(
                [
                    BasisThrough(sanction_id=sanction.pk, creditrecord_id=r)
                    for sanction, key in zip(created, missing, strict=True)
                    for r in required[key]
                ]
            )
            _notice_tasks_open(created)
            feed.extend(
                sanction_feed_entry(
                    ChangeAction.IMPOSED,
                    pk=sanction.pk,
                    agency_id=agency_id,
                    rule_id=rule_id,
                    measure=measure,
                    imposed_at=now,
                    basis=required[(agency_id, rule_id, measure)],
                )
                for sanction, (agency_id, rule_id, measure) in zip(created, missing, strict=True)
            )
            result.imposed = len(created)
            result.changed_agencies |= {agency_id for agency_id, _r, _m in missing}

        changes_record(feed)
        if result.changed_agencies:
            from ..selectors import sanction_state_invalidate

            changed = sorted(result.changed_agencies)
            transaction.on_commit(lambda: sanction_state_invalidate(changed))
    return result


def _notice_tasks_open(created: list[Sanction]) -> None:
    """通报 / 约谈 / 曝光 are acts of the credit office: each opens a task with a notice, one
    per agency and measure however many rules impose it (two rules imposing 通报 on the same
    agency ask for one 通报, not two). A measure whose task is still open gets none; the task
    page and the notice list every rule and record behind it."""
    notices = [s for s in created if s.measure_id in NOTICE_MEASURES]
    if not notices:
        return
    opened = set(
        OfficeTask.objects.filter(
            status=TaskStatus.OPEN,
            sanction__isnull=False,
            agency_id__in={s.agency_id for s in notices},
        ).values_list("agency_id", "kind")
    )
    tasks = []
    for sanction in notices:
        key = (sanction.agency_id, sanction.measure_id)
        if key in opened:
            continue
        opened.add(key)
        tasks.append(
            OfficeTask(
                kind=TaskKind(sanction.measure_id),
                agency_id=sanction.agency_id,
                sanction_id=sanction.pk,
            )
        )
    OfficeTask.objects.bulk_create(tasks, ignore_conflicts=True)


def reconcile_all(*, batch_size: int = BATCH, today=None) -> int:
    """Every agency, in id batches (no whole table in memory), one transaction per batch:
    the nightly sweep, and the reconcile after a rule edit. Returns imposed + lifted."""
    rules = active_rules()
    changed, last = 0, 0
    while True:
        ids = list(
            Agency.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return changed
        result = agencies_sanctions_reconcile(agency_ids=ids, today=today, rules=rules)
        changed += result.imposed + result.lifted
        last = ids[-1]


def record_changes_sweep(*, limit: int = 50_000) -> int:
    """Reconcile the agencies of ``AgencyRecordChange`` rows past the cursor (a lost message or
    a dead worker loses nothing), then move the cursor over what is settled. Returns how many
    agencies were reconciled.

    The cursor passes only ids no open transaction can still commit (``settled_head``, read
    before the rows, so the read sees every change up to it): a change row whose transaction
    stays open while later ones commit holds the cursor below it, however long it stays open,
    and is reconciled when it commits. Rows above the settled head are reconciled too and read
    again next time (a reconcile is idempotent).
    """
    cursor, _created = ChangeCursor.objects.get_or_create(name=CURSOR_NAME)
    head = settled_head(
        AgencyRecordChange,
        pending_upto=cursor.pending_upto,
        pending_writers=cursor.pending_writers,
    )
    rows = list(
        AgencyRecordChange.objects.filter(pk__gt=cursor.last_id)
        .order_by("pk")
        .values_list("pk", "agency_id")[:limit]
    )
    agencies = sorted({agency_id for _pk, agency_id in rows})
    for start in range(0, len(agencies), BATCH):
        agencies_sanctions_reconcile(agency_ids=agencies[start : start + BATCH])
    # A read cut by the limit covers the ids up to its last row only.
    covered = rows[-1][0] if len(rows) == limit else head.upto
    last_id = min(head.upto, covered)
    pending = (head.pending_upto, head.pending_writers)
    if (max(last_id, cursor.last_id), *pending) == (
        cursor.last_id,
        cursor.pending_upto,
        cursor.pending_writers,
    ):
        return len(agencies)  # an idle sweep writes nothing
    with transaction.atomic():
        # Locked: two sweeps at once take turns here; the state either leaves is safe.
        cursor = ChangeCursor.objects.select_for_update().get(name=CURSOR_NAME)
        cursor.last_id = max(last_id, cursor.last_id)
        cursor.pending_upto, cursor.pending_writers = pending
        cursor.save(update_fields=["last_id", "pending_upto", "pending_writers", "updated_at"])
    return len(agencies)
