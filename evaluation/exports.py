"""Files: the evaluation table (CSV, XLSX) and the ledger (streamed CSV, write-only XLSX).

The ledger never holds its rows in memory: the CSV is a ``StreamingHttpResponse`` over a
chunked iterator, the XLSX an openpyxl write-only workbook (rows go to a temporary file as
they are appended) served from that file.
"""

import csv
import tempfile

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.choices import OPEN_STATUSES, Domain, Satisfaction, Status

from .definitions import FIGURES
from .selectors import LEDGER_COLUMNS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe(value):
    """Spreadsheet formula injection: a text cell starting with = + - @ is neutralised."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def _attachment(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- the evaluation table ---------------------------------------------------------------------


def evaluation_header():
    return [
        _("编号"),
        _("名称"),
        *[str(f.label) for f in FIGURES],
        _("参与排名"),
        _("名次"),
    ]


def evaluation_cells(row):
    cells = [row["key"] if row["key"] is not None else "", row["name"]]
    cells += [row[f.code] if row[f.code] is not None else "" for f in FIGURES]
    cells += [_("是") if row["ranked"] else _("否"), row["rank"] or ""]
    return [safe(c) for c in cells]


def evaluation_csv(rows, filename):
    writer = csv.writer(_Echo())
    body = ["\ufeff", writer.writerow(evaluation_header())]
    body += [writer.writerow(evaluation_cells(r)) for r in rows]
    return _attachment(
        HttpResponse("".join(body), content_type="text/csv; charset=utf-8"), filename
    )


def evaluation_workbook(sheets):
    """A write-only workbook with one sheet per ``(title, rows)``."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.append(evaluation_header())
        for row in rows:
            sheet.append(evaluation_cells(row))
    return workbook


def evaluation_xlsx(rows, filename):
    buffer = tempfile.SpooledTemporaryFile(max_size=4 << 20)
    evaluation_workbook([(_("考核"), rows)]).save(buffer)
    buffer.seek(0)
    return _attachment(HttpResponse(buffer.read(), content_type=XLSX), filename)


# --- the ledger (台账) -----------------------------------------------------------------------


def ledger_header():
    return [
        _("受理编号"),
        _("投诉人"),
        _("被投诉主体"),
        _("承办单位"),
        _("领域"),
        _("涉及金额（元）"),
        _("受理时间"),
        _("转办时间"),
        _("办理时限"),
        _("办结时间"),
        _("办理结果"),
        _("满意度"),
        _("是否超期"),
    ]


def is_overdue(complaint, now) -> bool:
    """Open, past its due date, clock not paused — the queue's ``overdue`` rule."""
    return (
        complaint.status in OPEN_STATUSES
        and complaint.due_at is not None
        and complaint.due_at < now
        and complaint.clock_paused_at is None
    )


def ledger_item(complaint, now) -> dict:
    """One ledger row as JSON (codes, not labels)."""
    feedback = getattr(complaint, "feedback", None)
    return {
        "reference": complaint.reference,
        "complainant_name": complaint.complainant_name,
        "respondent_agency": complaint.respondent_agency_id,
        "respondent_agency_name": complaint.respondent_agency.name,
        "handling_agency": complaint.handling_agency_id,
        "handling_agency_name": complaint.handling_agency.name
        if complaint.handling_agency_id
        else None,
        "domain": complaint.domain,
        "amount_involved": str(complaint.amount_involved)
        if complaint.amount_involved is not None
        else None,
        "submitted_at": complaint.submitted_at,
        "routed_at": complaint.routed_at,
        "due_at": complaint.due_at,
        "closed_at": complaint.closed_at,
        "status": complaint.status,
        "outcome": complaint.status if complaint.status not in OPEN_STATUSES else None,
        "satisfaction": feedback.satisfaction if feedback else None,
        "overdue": is_overdue(complaint, now),
    }


LEDGER_BATCH = 500  # rows per streamed chunk


def _ledger_formatter(now):
    """A function from a ``LEDGER_COLUMNS`` tuple to the ledger's cells in the reader's
    language; labels are looked up once per file, not once per row."""
    domains = {d.value: str(d.label) for d in Domain}
    outcomes = {s.value: "" if s in OPEN_STATUSES else str(s.label) for s in Status}
    ratings = {r.value: str(r.label) for r in Satisfaction}
    yes, no = _("是"), _("否")
    tz = timezone.get_current_timezone()

    def local(moment):
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""

    def cells(row):
        (reference, complainant, respondent, handling, domain, amount, submitted, routed, due,
         closed, status, paused, rating) = row  # fmt: skip
        overdue = status in OPEN_STATUSES and due is not None and due < now and paused is None
        return [
            safe(reference),
            safe(complainant),
            safe(respondent),
            safe(handling or ""),
            domains.get(domain, domain),
            str(amount) if amount is not None else "",
            local(submitted),
            local(routed),
            local(due),
            local(closed),
            outcomes.get(status, status),
            ratings.get(rating, "") if rating else "",
            yes if overdue else no,
        ]

    return cells


def _ledger_tuples(queryset):
    return queryset.values_list(*LEDGER_COLUMNS).iterator(chunk_size=2000)


def ledger_csv(queryset, filename="ledger.csv"):
    writer = csv.writer(_Echo())
    cells = _ledger_formatter(timezone.now())

    def rows():
        yield "\ufeff"  # Excel opens UTF-8 correctly with a BOM
        yield writer.writerow(ledger_header())
        batch = []
        for row in _ledger_tuples(queryset):
            batch.append(writer.writerow(cells(row)))
            if len(batch) == LEDGER_BATCH:
                yield "".join(batch)
                batch = []
        if batch:
            yield "".join(batch)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    return _attachment(response, filename)


def ledger_xlsx(queryset, filename="ledger.xlsx"):
    from openpyxl import Workbook

    cells = _ledger_formatter(timezone.now())
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("投诉台账"))
    sheet.append(ledger_header())
    for row in _ledger_tuples(queryset):
        sheet.append(cells(row))
    output = tempfile.TemporaryFile()
    workbook.save(output)
    output.seek(0)
    response = FileResponse(output, content_type=XLSX)
    return _attachment(response, filename)
