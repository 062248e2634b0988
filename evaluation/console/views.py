"""The credit office's dashboard /console/evaluation/: presets and a custom range, grouping,
the table sortable by any column, ranking bars drawn as server-rendered SVG (no script, no
CDN), exports, and every figure linking to the rows behind it (``rows``)."""

import datetime as dt
from decimal import Decimal

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from agencies.policy import office_region, policy_required
from complaints.choices import Domain

from ..definitions import COUNTS, FIGURES, RESULT_FIELDS
from ..exports import XLSX
from ..figures import counts_by_month_and_domain, evaluate, rows_behind
from ..params import EvaluationParams, quarter_start
from ..scheme import DEDUCTIONS, current_scheme
from ..selectors import archived_reports, report_figures_for
from ..services import reports as report_service
from ..services.reports import GROUP_TITLES

PRESETS = ("month", "quarter", "year", "last_quarter")
ROWS_PAGE = 50


def preset_period(preset: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """This month, this quarter, this year, or the last whole quarter."""
    if preset == "month":
        return today.replace(day=1), today
    if preset == "year":
        return today.replace(month=1, day=1), today
    if preset == "last_quarter":
        end = quarter_start(today) - dt.timedelta(days=1)
        return quarter_start(end), end
    return quarter_start(today), today


def _params(request):
    query = request.GET.copy()
    preset = query.get("preset")
    if preset in PRESETS and not (query.get("from") or query.get("to")):
        start, end = preset_period(preset, timezone.localdate())
        query["from"], query["to"] = start.isoformat(), end.isoformat()
    params = EvaluationParams(data={k: v for k, v in query.items() if v != ""})
    return params, params.is_valid()


def _sort_key(code):
    def key(row):
        value = row.get(code)
        if value is None:
            return (1, Decimal(0), "")
        if isinstance(value, bool):
            return (0, Decimal(int(value)), "")
        if isinstance(value, int):
            return (0, Decimal(value), "")
        try:
            return (0, Decimal(value), "")
        except ArithmeticError:
            return (0, Decimal(0), str(value))

    return key


def ranking_bars(rows, limit=15):
    """SVG geometry for the ranking bars: the ranked groups by score."""
    ranked = [r for r in rows if r["ranked"]][:limit]
    bars = []
    for i, row in enumerate(ranked):
        width = float(Decimal(row["score"])) * 3  # 100 points = 300 px
        bars.append({"y": i * 22, "width": width, "row": row})
    return {"bars": bars, "height": max(22, len(bars) * 22)}


TABLE_PAGE = 100
TREND = ("received", "closed", "overdue_open")
OUTCOMES = ("rectified", "settled", "unfounded", "breaches")
TREND_COLOURS = {"received": "#2f6db5", "closed": "#3b9c5a", "overdue_open": "#c0392b"}
OUTCOME_COLOURS = {
    "rectified": "#3b9c5a",
    "settled": "#7fb77e",
    "unfounded": "#9e9e9e",
    "breaches": "#c0392b",
}


def trend_chart(tallies):
    """Monthly received / closed / overdue of the complaints submitted in each month, from
    ``{month: Tally}``."""
    return trend_geometry(
        [{"month": m, **{c: tallies[m].counts[c] for c in TREND}} for m in sorted(tallies)]
    )


def trend_geometry(months: list[dict]):
    """The trend as SVG geometry — three bars per month, scaled to the largest — from
    ``[{"month": "YYYY-MM", "received": n, "closed": n, "overdue_open": n}, …]`` (the
    dashboard's live counts, or an archived report's)."""
    peak = max([month[c] for month in months for c in TREND] or [0]) or 1
    groups = []
    for i, month in enumerate(months):
        bars = []
        for j, code in enumerate(TREND):
            value = month[code]
            height = round(value / peak * 120, 1)
            bars.append(
                {
                    "x": i * 60 + j * 16,
                    "y": 130 - height,
                    "height": height,
                    "value": value,
                    "colour": TREND_COLOURS[code],
                    "label": COUNTS[code].label,
                }
            )
        groups.append({"month": month["month"], "x": i * 60, "bars": bars})
    legend = [{"label": COUNTS[c].label, "colour": TREND_COLOURS[c]} for c in TREND]
    return {"groups": groups, "width": max(60, len(months) * 60), "legend": legend}


def outcome_chart(tallies):
    """Outcomes by domain (rectified, settled, unfounded, breach) as stacked bars, from
    ``{domain: Tally}``."""
    peak = max([sum(t.counts[c] for c in OUTCOMES) for t in tallies.values()] or [0]) or 1
    rows = []
    for domain in Domain:
        tally = tallies.get(domain.value)
        if tally is None:
            continue
        x, parts = 160, []
        for code in OUTCOMES:
            value = tally.counts[code]
            width = round(value / peak * 300, 1)
            parts.append(
                {
                    "x": x,
                    "width": width,
                    "value": value,
                    "colour": OUTCOME_COLOURS[code],
                    "label": COUNTS[code].label,
                }
            )
            x += width
        rows.append({"label": domain.label, "y": len(rows) * 22, "parts": parts})
    legend = [{"label": COUNTS[c].label, "colour": OUTCOME_COLOURS[c]} for c in OUTCOMES]
    return {"rows": rows, "height": max(22, len(rows) * 22), "legend": legend}


@policy_required("evaluation.read")
def dashboard(request):
    params, valid = _params(request)
    context = {"presets": PRESETS, "figures": FIGURES, "errors": None, "rows": []}
    if not valid:
        context["errors"] = params.errors
        return render(request, "evaluation/dashboard.html", context, status=400)
    data = params.validated_data
    period = params.period()
    scheme = current_scheme()
    region = office_region(request.user)  # levels (DESIGN section 13): their region and below
    rows = evaluate(
        period=period, group_by=data["group_by"], level=data["level"], scheme=scheme, region=region
    )
    sort = request.GET.get("sort", "")
    code = sort.lstrip("-")
    if code in RESULT_FIELDS:
        rows = sorted(rows, key=_sort_key(code), reverse=sort.startswith("-"))
    base = {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "group_by": data["group_by"],
        "level": data["level"],
    }
    # The table a page at a time (a quarter by respondent is thousands of groups): the links
    # of the rows shown only; the ranking and the sorting are over all of them.
    page = Paginator(rows, TABLE_PAGE).get_page(request.GET.get("page"))
    # Both charts from one query, of the counts they draw only.
    by_month, by_domain = counts_by_month_and_domain(
        period=period, codes=TREND + OUTCOMES, region=region
    )
    table = []
    for row in page.object_list:
        cells = []
        for figure in FIGURES:
            count = figure.numerator or figure.denominator
            link = None
            if count:
                link = "rows/?" + urlencode({**base, "key": row["key"] or "", "count": count})
            cells.append({"figure": figure, "value": row[figure.code], "link": link})
        table.append({"row": row, "cells": cells})
    context.update(
        {
            "period": period,
            "params": data,
            "scheme": scheme,
            "table": table,
            "page": page,
            "sort": sort,
            "query": urlencode(base),
            "chart": ranking_bars(rows if code == "" else sorted(rows, key=_rank_order)),
            "counts": COUNTS,
            "deduction_labels": DEDUCTIONS,
            "trend": trend_chart(by_month),
            "outcomes": outcome_chart(by_domain),
        }
    )
    return render(request, "evaluation/dashboard.html", context)


def _rank_order(row):
    return (row["rank"] is None, row["rank"] or 0)


@policy_required("evaluation.read")
def rows(request):
    """The rows behind one count of one group: the complaints (or records, sanctions,
    repairs) that produced the figure — as many as the figure says."""
    params, valid = _params(request)
    count = request.GET.get("count", "")
    if not valid or count not in COUNTS:
        raise Http404(_("没有这个统计口径。"))
    data = params.validated_data
    key = request.GET.get("key") or None
    if key is not None and data["group_by"] != "region":
        if not key.isdigit():
            raise Http404(_("没有这个分组。"))
        key = int(key)
    queryset = rows_behind(
        period=params.period(),
        group_by=data["group_by"],
        level=data["level"],
        key=key,
        count=count,
        region=office_region(request.user),
    )
    entity = COUNTS[count].entity
    related = {
        "complaint": ("respondent_agency", "handling_agency"),
        "credit_record": ("agency",),
        "sanction": ("agency", "measure"),
        "repair": ("agency",),
    }[entity]
    page = Paginator(queryset.select_related(*related).order_by("pk"), ROWS_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "evaluation/rows.html",
        {
            "count": COUNTS[count],
            "entity": entity,
            "page": page,
            "total": page.paginator.count,
            "query": query.urlencode(),
            "period": params.period(),
        },
    )


@policy_required("evaluation.read")
def reports(request):
    """The archived quarterly and annual reports."""
    return render(request, "evaluation/reports.html", {"reports": archived_reports()})


@policy_required("evaluation.read")
def report(request, pk: int):
    """One archived report as a printable page: the monthly trend, every grouping's table and
    ranking bars."""
    archived = get_object_or_404(archived_reports().defer(None), pk=pk)
    figures = report_figures_for(request.user, archived.figures)
    sections = [
        {
            "title": GROUP_TITLES[group_by],
            "rows": [{**row, "cells": [row[f.code] for f in FIGURES]} for row in rows],
            "chart": ranking_bars(rows),
        }
        for group_by, rows in figures.items()
    ]
    return render(
        request,
        "evaluation/report.html",
        {
            "report": archived,
            "sections": sections,
            "figures": FIGURES,
            "trend": trend_geometry(archived.trend) if archived.trend is not None else None,
            "scoped": figures != archived.figures,
        },
    )


@policy_required("evaluation.read")
def report_xlsx(request, pk: int):
    archived = get_object_or_404(archived_reports().defer(None), pk=pk)
    figures = report_figures_for(request.user, archived.figures)
    # A region's officer whose rows are not the whole report gets the workbook of their rows,
    # built from the archived figures; otherwise the archived file itself.
    content = (
        bytes(archived.xlsx) if figures == archived.figures else report_service.report_xlsx(figures)
    )
    response = HttpResponse(content, content_type=XLSX)
    name = f"evaluation-{archived.kind}-{archived.period_start}-{archived.period_end}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
