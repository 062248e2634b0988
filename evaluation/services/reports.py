"""Periodic evaluation reports (DESIGN section 8): built once a quarter or a year has ended,
archived with the scheme version and a content hash.

The content is the figures of every grouping as canonical JSON (sorted keys, no spaces); its
SHA-256 is ``content_hash``. Counting "at the end of the period" for a period that has ended
reads the same rows the same way, so rebuilding from the same data gives the same hash
(``report_matches_data`` checks it).
"""

import datetime as dt
import hashlib
import io
import json

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..definitions import GROUP_BY
from ..exports import evaluation_workbook
from ..figures import Period, count_tallies, evaluate
from ..models import EvaluationReport
from ..params import quarter_start
from ..scheme import current_scheme

GROUP_TITLES = {"respondent": _("被投诉主体"), "handling": _("承办单位"), "region": _("行政区划")}


def period_of(kind: str, start: dt.date) -> Period:
    if kind == EvaluationReport.Kind.YEAR:
        return Period(start, start.replace(month=12, day=31))
    end_month = start.month + 2
    next_start = (
        dt.date(start.year + 1, 1, 1) if end_month == 12 else dt.date(start.year, end_month + 1, 1)
    )
    return Period(start, next_start - dt.timedelta(days=1))


def report_figures(*, period: Period, scheme) -> dict:
    """Every grouping's table for the period (regions at county level)."""
    return {
        group_by: evaluate(period=period, group_by=group_by, scheme=scheme) for group_by in GROUP_BY
    }


TREND = ("received", "closed", "overdue_open")


def report_trend(*, period: Period) -> list[dict]:
    """The monthly trend of the period: received, closed and overdue complaints by month of
    submission (the dashboard's chart, from the same counts)."""
    tallies = count_tallies(period=period, group_by="month")
    return [
        {"month": month, **{code: tallies[month].counts[code] for code in TREND}}
        for month in sorted(tallies)
    ]


def content_hash(
    *, kind, period: Period, scheme_version: int, figures: dict, trend: list | None = None
) -> str:
    content = {
        "kind": kind,
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "scheme_version": scheme_version,
        "figures": figures,
    }
    if trend is not None:  # reports archived before the trend was kept hash without it
        content["trend"] = trend
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def report_xlsx(figures: dict) -> bytes:
    """One sheet per grouping."""
    workbook = evaluation_workbook([(str(GROUP_TITLES[g]), rows) for g, rows in figures.items()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_build(*, kind: str, start: dt.date) -> EvaluationReport:
    """The archived report of the period starting ``start``; built once (a second call, or a
    concurrent one, returns the archived report)."""
    existing = EvaluationReport.objects.filter(kind=kind, period_start=start).first()
    if existing is not None:
        return existing
    period = period_of(kind, start)
    scheme = current_scheme()
    figures = report_figures(period=period, scheme=scheme)
    trend = report_trend(period=period)
    try:
        with transaction.atomic():
            return EvaluationReport.objects.create(
                kind=kind,
                period_start=period.start,
                period_end=period.end,
                scheme_version=scheme.version,
                content_hash=content_hash(
                    kind=kind,
                    period=period,
                    scheme_version=scheme.version,
                    figures=figures,
                    trend=trend,
                ),
                figures=figures,
                trend=trend,
                xlsx=report_xlsx(figures),
            )
    except IntegrityError:  # built concurrently by another worker: theirs is the archive
        return EvaluationReport.objects.get(kind=kind, period_start=start)


def report_matches_data(report: EvaluationReport) -> bool:
    """Rebuild the figures from today's data with the report's scheme version and compare."""
    from ..models import EvaluationScheme

    scheme = EvaluationScheme.objects.get(version=report.scheme_version)
    period = Period(report.period_start, report.period_end)
    figures = report_figures(period=period, scheme=scheme)
    trend = report_trend(period=period) if report.trend is not None else None
    rebuilt = content_hash(
        kind=report.kind,
        period=period,
        scheme_version=scheme.version,
        figures=figures,
        trend=trend,
    )
    return rebuilt == report.content_hash


def due_periods(today: dt.date) -> list[tuple[str, dt.date]]:
    """The last whole quarter and the last whole year before ``today``."""
    last_quarter_end = quarter_start(today) - dt.timedelta(days=1)
    return [
        (EvaluationReport.Kind.QUARTER, quarter_start(last_quarter_end)),
        (EvaluationReport.Kind.YEAR, dt.date(today.year - 1, 1, 1)),
    ]


def reports_build_due(today: dt.date | None = None) -> int:
    """Beat job: build the reports of the periods that have ended and are not archived."""
    built = 0
    for kind, start in due_periods(today or timezone.localdate()):
        if not EvaluationReport.objects.filter(kind=kind, period_start=start).exists():
            report_build(kind=kind, start=start)
            built += 1
    return built
