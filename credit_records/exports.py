"""CSV (streamed) and XLSX exports of the credit office's record list."""

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from .choices import Kind, Polarity, RecordStatus, Severity, Source


def _header():
    return [
        _("编号"),
        _("主体"),
        _("统一社会信用代码"),
        _("类别"),
        _("性质"),
        _("失信程度"),
        _("状态"),
        _("认定日期"),
        _("可申请修复日期"),
        _("公示截止日期"),
        _("涉及金额（元）"),
        _("来源"),
        _("来源编号"),
        _("来源投诉"),
        _("事实"),
    ]


def _label(choices, value):
    return str(choices(value).label) if value else ""


def _row(r):
    return [
        r.pk,
        r.agency.name,
        r.agency.uscc or "",
        _label(Kind, r.kind),
        _label(Polarity, r.polarity),
        _label(Severity, r.severity),
        _label(RecordStatus, r.status),
        r.decided_on.isoformat(),
        r.repair_eligible_on.isoformat() if r.repair_eligible_on else "",
        r.publicity_ends.isoformat() if r.publicity_ends else "",
        str(r.amount) if r.amount is not None else "",
        _label(Source, r.source),
        r.source_ref,
        r.complaint.reference if r.complaint_id else "",
        r.facts,
    ]


def _safe(value):
    # Spreadsheet formula injection: a cell starting with = + - @ is neutralised.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def records_csv(queryset, filename="credit-records.csv"):
    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())

    def rows():
        yield "\ufeff"  # Excel opens UTF-8 correctly with a BOM
        yield writer.writerow(_header())
        for record in queryset.iterator(chunk_size=1000):
            yield writer.writerow([_safe(v) for v in _row(record)])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def records_xlsx(queryset, filename="credit-records.xlsx"):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("信用记录"))
    sheet.append(_header())
    for record in queryset.iterator(chunk_size=1000):
        sheet.append([_safe(v) for v in _row(record)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
