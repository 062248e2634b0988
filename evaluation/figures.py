"""The evaluation figures of DESIGN section 8, each defined once, here.

Every figure of ``GET /api/v1/evaluation/``, of the dashboard, of the exports and of the
archived reports is computed by ``evaluate`` below from *counts* (``COUNTS``): each count
is a set of rows (complaints, credit records, sanctions or repairs) that ``rows_behind``
lists for the drill-down, so a figure and the list behind it come from the same code.

Which date decides the period:

- a complaint counts in the period in which it was **submitted** (section 9), whatever
  happened to it since — its current state is read, and "at the end of the period" means
  the earlier of the period's end and now;
- a credit record by its **decision date** (``decided_on``); a sanction by when it was
  **imposed** or **lifted**; a repair by when it was **decided**.

Groups: the respondent agency, the handling agency (department), or the respondent's region
at the level asked (province, city, county). Records, sanctions and repairs belong to their
agency; under "handling" to the agency's supervising department, which handles complaints
against it.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Region
from complaints.choices import CLOSED_STATUSES, OPEN_STATUSES, Domain, Satisfaction, Status
from complaints.models import Complaint, ComplaintEvent
from complaints.services.deadlines import end_of_day, local_date
from credit_records.choices import Kind, RecordStatus
from credit_records.models import CreditRecord
from integrity_portal.workdays import Calendar
from sanctions.choices import RepairStatus
from sanctions.models import Repair, Sanction

from .definitions import (
    ARREARS_CLEARED,
    ARREARS_OUTSTANDING,
    COUNTS,
    FIGURES,
    FOUNDED_STATUSES,
    RESULT_FIELDS,
    ROUTING_WORKDAYS,
)
from .scheme import score


@dataclass(frozen=True)
class Period:
    """Inclusive local dates; ``start_at``/``end_at`` are the aware bounds (end exclusive)."""

    start: dt.date
    end: dt.date

    @property
    def start_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def end_at(self) -> dt.datetime:
        return timezone.make_aware(
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min)
        )

    def as_of(self, now: dt.datetime | None = None) -> dt.datetime:
        """ "The end of the period" for open cases: the period's end, or now if earlier."""
        return min(now or timezone.now(), self.end_at)


@dataclass
class Tally:
    """The counts of one group; ``rows`` keeps the ids behind each count when drilling."""

    counts: dict = field(default_factory=lambda: defaultdict(int))
    amounts: dict = field(default_factory=lambda: defaultdict(Decimal))
    days: dict = field(default_factory=lambda: defaultdict(int))
    rows: dict | None = None

    def add(self, code: str, pk, *, amount: Decimal | None = None, days: int | None = None):
        self.counts[code] += 1
        if amount is not None:
            self.amounts[code] += amount
        if days is not None:
            self.days[code] += days
        if self.rows is not None:
            self.rows.setdefault(code, []).append(pk)


# --- grouping --------------------------------------------------------------------------------


def region_key(code: str | None, level: str) -> str | None:
    """A region code folded to ``level`` (GB/T 2260: 2 digits province, 4 city, 6 county)."""
    if not code:
        return None
    if level == "province":
        return code[:2] + "0000"
    if level == "city":
        return code[:4] + "00"
    return code


def _complaint_group_field(group_by: str) -> str:
    return {
        "respondent": "respondent_agency_id",
        "handling": "handling_agency_id",
        "region": "respondent_agency__region_id",
        # The public page's groupings: the whole city, and each domain.
        "all": "domain",
        "domain": "domain",
        # The dashboard's monthly trend: the month of submission.
        "month": "submitted_at",
    }[group_by]


def _agency_group_field(group_by: str, prefix: str) -> str:
    """Records, sanctions and repairs: their agency, its supervisor, or its region."""
    return {
        "respondent": f"{prefix}agency_id",
        "handling": f"{prefix}agency__supervisor_id",
        "region": f"{prefix}agency__region_id",
    }[group_by]


def _group_filter(field_name: str, group_by: str, level: str, key) -> Q:
    """The rows of one group (for the drill-down), by the same field the grouping reads."""
    if key is None:
        return Q(**{f"{field_name}__isnull": True})
    if group_by == "region":
        prefix = {"province": 2, "city": 4, "county": 6}[level]
        # ``…region_id`` → ``…region__code`` (the primary key), which takes ``startswith``.
        return Q(**{f"{field_name[:-3]}__code__startswith": str(key)[:prefix]})
    return Q(**{field_name: key})


def _key(value, group_by: str, level: str):
    if group_by == "all":
        return "all"
    if group_by == "month":
        return timezone.localtime(value).strftime("%Y-%m")
    return region_key(value, level) if group_by == "region" else value


# --- the counts ----------------------------------------------------------------------------


def within_region(queryset, agency_path: str, region: str | None):
    """The scoping filter at the entry of every count (DESIGN section 13, levels): only the
    rows whose agency (at ``agency_path``) lies in ``region`` (a code prefix,
    ``agencies.policy.region_prefix``) and below; every row when ``region`` is None."""
    if not region:
        return queryset
    return queryset.filter(**{f"{agency_path}__region__code__startswith": region})


def _complaint_counts(tallies, period, group_by, level, key_filter, now, calendar, region=None):
    """One pass over the period's complaints and their events (two streamed queries)."""
    group_field = _complaint_group_field(group_by)
    complaints = within_region(
        Complaint.objects.filter(submitted_at__gte=period.start_at, submitted_at__lt=period.end_at),
        "respondent_agency",
        region,
    )
    if key_filter is not None:
        complaints = complaints.filter(_group_filter(group_field, group_by, level, key_filter))
    rows = complaints.order_by("id").values_list(
        "id",
        group_field,
        "status",
        "domain",
        "amount_involved",
        "due_at",
        "clock_paused_at",
        "supervised_at",
        "submitted_at",
        "closed_at",
        "feedback__satisfaction",
    )
    events = (
        ComplaintEvent.objects.filter(complaint__in=complaints.values("id"))
        .order_by("complaint_id", "seq")
        .values_list("complaint_id", "from_status", "to_status", "action", "created_at", "data")
    )
    as_of = period.as_of(now)
    event_iter = iter(events.iterator(chunk_size=5000))
    pending = next(event_iter, None)
    for row in rows.iterator(chunk_size=2000):
        pk = row[0]
        own = []
        while pending is not None and pending[0] <= pk:
            if pending[0] == pk:
                own.append(pending)
            pending = next(event_iter, None)
        tally = tallies[_key(row[1], group_by, level)]
        _count_complaint(tally, row, own, as_of, calendar)


def _count_complaint(tally, row, events, as_of, calendar):
    (pk, _group, status, domain, amount, due_at, paused_at, supervised_at, submitted_at,
     closed_at, satisfaction) = row  # fmt: skip
    tally.add("received", pk)
    overdue_now = (
        status in OPEN_STATUSES and due_at is not None and due_at < as_of and paused_at is None
    )
    if overdue_now:
        tally.add("overdue_open", pk)
        if supervised_at is not None:
            tally.add("overdue_supervised", pk)

    # Stages: walk the events, keeping the current stage and its due date.
    routed_at = None
    stage, due = None, None
    finished = {Status.ROUTED: None, Status.VERIFYING: None}  # first finish of each stage
    reached = set()
    reopened = False
    for _c, from_status, to_status, action, created_at, data in events:
        basis = (data or {}).get("deadline") or {}
        if action == "reopen":
            reopened = True
        if to_status and to_status != from_status:
            reached.add(to_status)
            if stage in finished and from_status == stage and finished[stage] is None:
                finished[stage] = due is None or created_at <= due
            if to_status == Status.ROUTED and routed_at is None:
                routed_at = created_at
            stage = to_status
            due = end_of_day(dt.date.fromisoformat(basis["due"])) if basis.get("due") else None
        elif basis.get("due"):
            due = end_of_day(dt.date.fromisoformat(basis["due"]))
    # A stage still running and past its due date counts as late.
    if stage in finished and finished[stage] is None and overdue_now and status == stage:
        finished[stage] = False

    routing_due = end_of_day(calendar.add_workdays(local_date(submitted_at), ROUTING_WORKDAYS))
    if routed_at is not None:
        tally.add("routing_due", pk)
        if routed_at <= routing_due:
            tally.add("routed_on_time", pk)
    elif status == Status.PENDING_ROUTING and routing_due < as_of:
        tally.add("routing_due", pk)
    for stage_status, due_code, on_time_code in (
        (Status.ROUTED, "acceptance_due", "accepted_on_time"),
        (Status.VERIFYING, "verification_due", "verified_on_time"),
    ):
        outcome = finished[stage_status]
        if outcome is not None:
            tally.add(due_code, pk)
            if outcome:
                tally.add(on_time_code, pk)

    founded = bool(reached & FOUNDED_STATUSES)
    if founded:
        tally.add("founded", pk)
    if founded or status == Status.UNFOUNDED:
        tally.add("verification_ended", pk)
    for code, wanted in (
        ("rectified", Status.RECTIFIED),
        ("settled", Status.SETTLED),
        ("unfounded", Status.UNFOUNDED),
        ("breaches", Status.BREACH),
    ):
        if status == wanted:
            tally.add(code, pk)
    if satisfaction:
        tally.add("rated", pk)
        if satisfaction in (Satisfaction.SATISFIED, Satisfaction.NEUTRAL):
            tally.add("satisfied_or_neutral", pk)
        else:
            tally.add("dissatisfied", pk)
    if reached & CLOSED_STATUSES:
        tally.add("closed", pk)
        if reopened:
            tally.add("reopened", pk)
    if status in CLOSED_STATUSES and status != Status.WITHDRAWN and closed_at is not None:
        days = calendar.workdays_between(local_date(submitted_at), local_date(closed_at))
        tally.add("handled", pk, days=days)
    if domain == Domain.PAYMENT_ARREARS and amount is not None:
        if status in ARREARS_CLEARED:
            tally.add("arrears_cleared", pk, amount=amount)
        elif status in ARREARS_OUTSTANDING:
            tally.add("arrears_outstanding", pk, amount=amount)


def _sanction_queryset(period):
    imposed = Q(imposed_at__gte=period.start_at, imposed_at__lt=period.end_at)
    lifted = Q(lifted_at__gte=period.start_at, lifted_at__lt=period.end_at)
    return Sanction.objects.filter(imposed | lifted), imposed, lifted


def _record_querysets(period):
    return {
        "dishonest_debtor": CreditRecord.objects.filter(
            kind=Kind.DISHONEST_DEBTOR, status=RecordStatus.ACTIVE, decided_on__lte=period.end
        ),
        "unrectified_breach": CreditRecord.objects.filter(
            kind=Kind.BREACH,
            status=RecordStatus.ACTIVE,
            decided_on__gte=period.start,
            decided_on__lte=period.end,
        ),
    }


def _repair_queryset(period):
    return Repair.objects.filter(
        status__in=(RepairStatus.APPROVED, RepairStatus.REJECTED),
        decided_at__gte=period.start_at,
        decided_at__lt=period.end_at,
    )


def _other_counts(tallies, period, group_by, level, key_filter, calendar, region=None):
    if group_by in ("domain", "month"):
        return  # records, sanctions and repairs have no domain; the trend is of complaints
    # "all": any field will do, every row folds into the one group.
    field_name = _agency_group_field("respondent" if group_by == "all" else group_by, "")

    def scoped(queryset):
        queryset = within_region(queryset, "agency", region)
        if key_filter is None:
            return queryset
        return queryset.filter(_group_filter(field_name, group_by, level, key_filter))

    sanctions, _imposed, _lifted = _sanction_queryset(period)
    for pk, group, imposed_at, lifted_at in (
        scoped(sanctions)
        .values_list("id", field_name, "imposed_at", "lifted_at")
        .iterator(chunk_size=5000)
    ):
        tally = tallies[_key(group, group_by, level)]
        if period.start_at <= imposed_at < period.end_at:
            tally.add("sanctions_imposed", pk)
        if lifted_at is not None and period.start_at <= lifted_at < period.end_at:
            tally.add("sanctions_lifted", pk)
    for code, queryset in _record_querysets(period).items():
        for pk, group in scoped(queryset).values_list("id", field_name).iterator(chunk_size=5000):
            tallies[_key(group, group_by, level)].add(code, pk)
    for pk, group, applied_at, decided_at in (
        scoped(_repair_queryset(period))
        .values_list("id", field_name, "applied_at", "decided_at")
        .iterator(chunk_size=5000)
    ):
        days = calendar.workdays_between(local_date(applied_at), local_date(decided_at))
        tallies[_key(group, group_by, level)].add("repairs_decided", pk, days=days)


def count_tallies(
    *, period, group_by, level="county", key=None, drill=False, now=None, region=None
):
    """``{group key: Tally}`` for the period; with ``key`` only that group's rows are read,
    with ``drill`` the ids behind every count are kept, and with ``region`` (a region-scoped
    officer's prefix, ``agencies.policy.office_region``) only the rows of that region and below
    are counted (``within_region``)."""
    tallies = defaultdict(lambda: Tally(rows={} if drill else None))
    calendar = Calendar()
    _complaint_counts(tallies, period, group_by, level, key, now, calendar, region)
    _other_counts(tallies, period, group_by, level, key, calendar, region)
    return tallies


# --- figures from counts ------------------------------------------------------------------

FOUR = Decimal("0.0001")
ONE = Decimal("0.1")


def rate(numerator: int, denominator: int) -> str | None:
    """A rate as a decimal string from 0 to 1 (four places), or None with nothing to count."""
    if not denominator:
        return None
    return str((Decimal(numerator) / Decimal(denominator)).quantize(FOUR, ROUND_HALF_UP))


def figures_of(tally: Tally) -> dict:
    """The figures of section 9 (all but ``score``) from one group's counts."""
    c = tally.counts
    out = {}
    for figure in FIGURES:
        if figure.unit == "count":
            out[figure.code] = c[figure.numerator]
        elif figure.unit == "rate":
            out[figure.code] = rate(c[figure.numerator], c[figure.denominator])
        elif figure.unit == "amount":
            out[figure.code] = str(tally.amounts[figure.numerator].quantize(Decimal("0.01")))
        elif figure.unit == "days":
            n = c[figure.denominator]
            out[figure.code] = (
                str((Decimal(tally.days[figure.denominator]) / n).quantize(ONE, ROUND_HALF_UP))
                if n
                else None
            )
    return out


def _names(group_by: str, keys) -> dict:
    keys = [k for k in keys if k is not None]
    if group_by == "region":
        return dict(Region.objects.filter(code__in=keys).values_list("code", "name"))
    return dict(Agency.objects.filter(pk__in=keys).values_list("pk", "name"))


def _ungrouped_name(group_by: str) -> str:
    return str({"handling": _("待分办"), "region": _("未设置区划")}.get(group_by, _("未知")))


def evaluate(*, period, group_by, scheme, level="county", now=None, region=None) -> list[dict]:
    """The rows of ``GET /api/v1/evaluation/``: one per group with anything in the period,
    ranked groups first (by score, ties share a rank), then the unranked by name; ``region``
    limits them to a region-scoped officer's region (``count_tallies``)."""
    tallies = count_tallies(period=period, group_by=group_by, level=level, now=now, region=region)
    names = _names(group_by, tallies.keys())
    minimum = settings.EVALUATION_MIN_CASES
    results = []
    for key, tally in tallies.items():
        row = {"key": key, "name": names.get(key) or _ungrouped_name(group_by)}
        row.update(figures_of(tally))
        row["score"] = str(score(scheme=scheme, rates=row, deduction_counts=tally.counts))
        row["ranked"] = key is not None and tally.counts["received"] >= minimum
        row["rank"] = None
        results.append(row)
    ranked = sorted(
        (r for r in results if r["ranked"]), key=lambda r: (-Decimal(r["score"]), r["name"])
    )
    previous, rank = None, 0
    for position, row in enumerate(ranked, start=1):
        if row["score"] != previous:
            rank, previous = position, row["score"]
        row["rank"] = rank
    unranked = sorted((r for r in results if not r["ranked"]), key=lambda r: str(r["name"]))
    return [{name: row[name] for name in RESULT_FIELDS} for row in ranked + unranked]


def rows_behind(*, period, group_by, key, count: str, level="county", now=None, region=None):
    """The queryset of the rows behind one count of one group — what the dashboard's figure
    links to. Its length equals the count ``evaluate`` reports (tested for every count)."""
    tallies = count_tallies(
        period=period, group_by=group_by, level=level, key=key, drill=True, now=now, region=region
    )
    ids = []
    for group_key, tally in tallies.items():
        if group_key == key or (key is None and group_key is None):
            ids = tally.rows.get(count, [])
    model = {
        "complaint": Complaint,
        "credit_record": CreditRecord,
        "sanction": Sanction,
        "repair": Repair,
    }[COUNTS[count].entity]
    return model.objects.filter(pk__in=ids)
