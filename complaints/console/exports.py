"""CSV (streamed) and XLSX exports of console tables: the work queue here, the sanctions list
in the sanctions console. Labels, never codes; cells that a spreadsheet would take for a
formula are neutralised."""

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import Domain, Status

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _safe(value):
    # Spreadsheet formula injection: a cell starting with = + - @ is neutralised.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


def table_csv(header, rows, *, filename: str):
    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())

    def lines():
        yield "\ufeff"  # Excel opens UTF-8 correctly with a BOM
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([_safe(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def table_xlsx(header, rows, *, filename: str, sheet: str):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    worksheet.append(header)
    for row in rows:
        worksheet.append([_safe(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def table_export(kind: str, header, rows, *, name: str, sheet: str):
    """``kind`` is ``csv`` or ``xlsx``."""
    if kind == "xlsx":
        return table_xlsx(header, rows, filename=f"{name}.xlsx", sheet=sheet)
    return table_csv(header, rows, filename=f"{name}.csv")


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def queue_export(kind: str, queryset):
    header = [
        _("受理编号"),
        _("标题"),
        _("状态"),
        _("领域"),
        _("被投诉主体"),
        _("承办单位"),
        _("提交时间"),
        _("办理时限"),
        _("已超期"),
        _("已督办"),
    ]
    rows = (
        [
            c.reference,
            c.title,
            str(Status(c.status).label) if c.status else "",
            str(Domain(c.domain).label) if c.domain else "",
            c.respondent_agency.name,
            c.handling_agency.name if c.handling_agency_id else "",
            _local(c.submitted_at),
            _local(c.due_at),
            _("是") if c.is_overdue else "",
            _local(c.supervised_at),
        ]
        for c in queryset.select_related("respondent_agency", "handling_agency").iterator(
            chunk_size=1000
        )
    )
    return table_export(kind, header, rows, name="complaint-queue", sheet=_("案件"))
