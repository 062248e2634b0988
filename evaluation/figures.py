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
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Region
from complaints.models import Complaint
from complaints.services.deadlines import local_date
from complaints.services.outcomes import ROUTING_WORKDAYS
from credit_records.choices import Kind, RecordStatus
from credit_records.models import CreditRecord
from integrity_portal.workdays import Calendar
from sanctions.choices import RepairStatus
from sanctions.models import Repair, Sanction

from .definitions import AMOUNT_OF, COUNTS, DAYS_OF, FIGURES, RESULT_FIELDS, complaint_conditions
from .scheme import prepared, score


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
    """The counts of one group, with the amounts and working days some counts sum."""

    counts: dict = field(default_factory=lambda: defaultdict(int))
    amounts: dict = field(default_factory=lambda: defaultdict(Decimal))
    days: dict = field(default_factory=lambda: defaultdict(int))

    def add(self, code: str, n: int, *, amount=None, days=None):
        self.counts[code] += n
        if amount is not None:
            self.amounts[code] += amount
        if days is not None:
            self.days[code] += days


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
#
# One aggregate query per entity, grouped by the grouping's column (the region's county code,
# the month of submission, the domain), folded into the groups asked in Python: a fixed
# number of queries whatever the number of rows.


def routing_cutoff(as_of: dt.datetime, calendar: Calendar) -> dt.datetime:
    """A complaint pending routing is past its routing limit at ``as_of`` when it was
    submitted before this moment. Routing falls due at the end of the ``ROUTING_WORKDAYS``-th
    working day after the submission day, which is before ``as_of``'s day exactly when that
    many working days lie strictly between the two days: counting working days back from the
    day before ``as_of``, the submission day is before the last one counted."""
    day, counted = local_date(as_of), 0
    while counted < ROUTING_WORKDAYS:
        day -= dt.timedelta(days=1)
        if calendar.is_workday(day):
            counted += 1
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def within_region(queryset, agency_path: str, region: str | None):
    """The scoping filter at the entry of every count (DESIGN section 13, levels): only the
    rows whose agency (at ``agency_path``) lies in ``region`` (a code prefix,
    ``agencies.policy.region_prefix``) and below; every row when ``region`` is None."""
    if not region:
        return queryset
    return queryset.filter(**{f"{agency_path}__region__code__startswith": region})


def _complaints_in(period: Period, region: str | None = None):
    return within_region(
        Complaint.objects.filter(submitted_at__gte=period.start_at, submitted_at__lt=period.end_at),
        "respondent_agency",
        region,
    )


def _group_expression(group_by: str):
    if group_by == "month":
        return TruncMonth("submitted_at")
    return F(_complaint_group_field(group_by))


def _complaint_counts(tallies, period, group_by, level, key_filter, now, calendar, region=None):
    """Every complaint count of every group: one ``GROUP BY`` query with a filtered
    ``COUNT`` (and ``SUM``) per count, from the stage outcomes stored on the complaint."""
    as_of = period.as_of(now)
    conditions = complaint_conditions(as_of=as_of, routing_cutoff=routing_cutoff(as_of, calendar))
    complaints = _complaints_in(period, region)
    if key_filter is not None:
        field_name = _complaint_group_field(group_by)
        complaints = complaints.filter(_group_filter(field_name, group_by, level, key_filter))
    codes = list(conditions)
    aggregates = {f"n_{code}": Count("pk", filter=conditions[code]) for code in codes}
    aggregates.update({f"a_{c}": Sum(AMOUNT_OF[c], filter=conditions[c]) for c in AMOUNT_OF})
    aggregates.update({f"d_{c}": Sum(DAYS_OF[c], filter=conditions[c]) for c in DAYS_OF})
    rows = (
        complaints.values(group=_group_expression(group_by))
        .annotate(**aggregates)
        .values_list("group", *aggregates)
        .order_by()
    )
    n = len(codes)
    for group, *values in rows:
        key = _key(group, group_by, level)
        tally = tallies[key]
        counts = tally.counts
        for code, value in zip(codes, values[:n], strict=True):
            counts[code] += value
        for code, value in zip(AMOUNT_OF, values[n : n + len(AMOUNT_OF)], strict=True):
            tally.amounts[code] += value or 0
        for code, value in zip(DAYS_OF, values[n + len(AMOUNT_OF) :], strict=True):
            tally.days[code] += value or 0


def counts_by_month_and_domain(*, period, codes, now=None, region=None) -> tuple[dict, dict]:
    """``({month: Tally}, {domain: Tally})`` of the complaint counts ``codes`` only — the
    dashboard's two charts — from one query grouped by month of submission and domain;
    ``region`` as in ``count_tallies``."""
    as_of = period.as_of(now)
    conditions = complaint_conditions(as_of=as_of, routing_cutoff=routing_cutoff(as_of, Calendar()))
    aggregates = {f"n_{code}": Count("pk", filter=conditions[code]) for code in codes}
    rows = (
        _complaints_in(period, region)
        .values(month=TruncMonth("submitted_at"), kind=F("domain"))
        .annotate(**aggregates)
        .values_list("month", "kind", *aggregates)
        .order_by()
    )
    by_month, by_domain = defaultdict(Tally), defaultdict(Tally)
    for month, domain, *values in rows:
        for tally in (by_month[_key(month, "month", "county")], by_domain[domain]):
            for code, value in zip(codes, values, strict=True):
                tally.counts[code] += value
    return by_month, by_domain


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


def other_querysets(period, region=None) -> dict:
    """``{count code: queryset}`` of the counts of records, sanctions and repairs; ``region``
    as in ``count_tallies``."""
    sanctions, imposed, lifted = _sanction_queryset(period)
    querysets = {
        "sanctions_imposed": sanctions.filter(imposed),
        "sanctions_lifted": sanctions.filter(lifted),
        **_record_querysets(period),
        "repairs_decided": _repair_queryset(period),
    }
    return {code: within_region(q, "agency", region) for code, q in querysets.items()}


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

    sanctions, imposed, lifted = _sanction_queryset(period)
    for row in (
        scoped(sanctions)
        .values(group=F(field_name))
        .annotate(imposed=Count("pk", filter=imposed), lifted=Count("pk", filter=lifted))
        .order_by()
    ):
        tally = tallies[_key(row["group"], group_by, level)]
        tally.add("sanctions_imposed", row["imposed"])
        tally.add("sanctions_lifted", row["lifted"])
    for code, queryset in _record_querysets(period).items():
        for row in scoped(queryset).values(group=F(field_name)).annotate(n=Count("pk")).order_by():
            tallies[_key(row["group"], group_by, level)].add(code, row["n"])
    # Repairs are few (a body applies after a sanction): their working days are counted here.
    for group, applied_at, decided_at in (
        scoped(_repair_queryset(period))
        .values_list(field_name, "applied_at", "decided_at")
        .iterator(chunk_size=5000)
    ):
        days = calendar.workdays_between(local_date(applied_at), local_date(decided_at))
        tallies[_key(group, group_by, level)].add("repairs_decided", 1, days=days)


def count_tallies(*, period, group_by, level="county", key=None, now=None, region=None):
    """``{group key: Tally}`` for the period; with ``key`` only that group's rows are read,
    and with ``region`` (a region-scoped officer's prefix, ``agencies.policy.office_region``)
    only the rows of that region and below are counted (``within_region``)."""
    tallies = defaultdict(Tally)
    calendar = Calendar()
    _complaint_counts(tallies, period, group_by, level, key, now, calendar, region)
    _other_counts(tallies, period, group_by, level, key, calendar, region)
    return tallies


# --- figures from counts ------------------------------------------------------------------

FOUR = Decimal("0.0001")
ONE = Decimal("0.1")
CENTS = Decimal("0.01")


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
        unit = figure.unit
        if unit == "count":
            out[figure.code] = c[figure.numerator]
        elif unit == "rate":
            out[figure.code] = rate(c[figure.numerator], c[figure.denominator])
        elif unit == "amount":
            out[figure.code] = str(tally.amounts[figure.numerator].quantize(CENTS))
        elif unit == "days":
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
    if len(keys) > NAMES_IN_LIMIT:  # a long IN list costs more than reading every name
        return dict(Agency.objects.values_list("pk", "name"))
    return dict(Agency.objects.filter(pk__in=keys).values_list("pk", "name"))


NAMES_IN_LIMIT = 1000


def _ungrouped_name(group_by: str) -> str:
    return str({"handling": _("待分办"), "region": _("未设置区划")}.get(group_by, _("未知")))


def evaluate(*, period, group_by, scheme, level="county", now=None, region=None) -> list[dict]:
    """The rows of ``GET /api/v1/evaluation/``: one per group with anything in the period,
    ranked groups first (by score, ties share a rank), then the unranked by name; ``region``
    limits them to a region-scoped officer's region (``count_tallies``)."""
    tallies = count_tallies(period=period, group_by=group_by, level=level, now=now, region=region)
    names = _names(group_by, tallies.keys())
    minimum = settings.EVALUATION_MIN_CASES
    ready = prepared(scheme)
    results = []
    for key, tally in tallies.items():
        row = {"key": key, "name": names.get(key) or _ungrouped_name(group_by)}
        row.update(figures_of(tally))
        row["score"] = str(
            score(scheme=scheme, rates=row, deduction_counts=tally.counts, prepared_scheme=ready)
        )
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
    links to: the same conditions ``evaluate`` aggregates, as a filter, so its length equals
    the count (tested for every count)."""
    entity = COUNTS[count].entity
    if entity == "complaint":
        as_of = period.as_of(now)
        condition = complaint_conditions(
            as_of=as_of, routing_cutoff=routing_cutoff(as_of, Calendar())
        )[count]
        queryset = _complaints_in(period, region)
        if condition is not None:
            queryset = queryset.filter(condition)
        field_name = _complaint_group_field(group_by)
    else:
        queryset = other_querysets(period, region)[count]
        field_name = _agency_group_field(group_by, "")
    if group_by != "all":
        queryset = queryset.filter(_group_filter(field_name, group_by, level, key))
    return queryset
