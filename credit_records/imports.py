"""CSV import of credit records (拖欠账款 lists from the payment platform, 失信被执行人 lists
from courts): streaming, all-or-nothing, idempotent.

Columns (header row required, UTF-8 with or without BOM)::

    agency_uscc, kind, severity, facts, amount, decided_on, source_ref

One pass over the file with ``csv.reader``: each batch of rows is validated (one agency query
per batch) and, while no row has failed, written at once inside the single transaction that
wraps the whole import. Only the current batch's small tuples are held in memory. Any bad row
makes the import collect the rest of the report and roll back, so nothing is written. Rows
whose ``(source, source_ref)`` already exists are counted as unchanged: re-importing a file
changes nothing.
"""

import csv
import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Agency
from agencies.validators import normalize_uscc

from .choices import RecordAction, RecordStatus, Source
from .models import CreditRecord, CreditRecordEvent
from .services.records import announce_changes, build_record, record_input_errors

COLUMNS = ("agency_uscc", "kind", "severity", "facts", "amount", "decided_on", "source_ref")
REQUIRED_COLUMNS = frozenset({"agency_uscc", "kind", "facts", "decided_on", "source_ref"})
BATCH_SIZE = 1000
MAX_REPORTED_ERRORS = 200


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append((line, message))


class ImportFailed(Exception):
    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__(f"{report.error_count} bad rows")


def _rows(lines) -> Iterator[tuple[int, dict]]:
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        return
    header = [h.strip().lstrip("\ufeff").lower() for h in header]
    missing = REQUIRED_COLUMNS - set(header)
    if missing:
        raise ValueError(_("缺少列：%(columns)s") % {"columns": ", ".join(sorted(missing))})
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        padded = values + [""] * (len(header) - len(values))
        yield reader.line_num, {h: v.strip() for h, v in zip(header, padded, strict=False)}


def credit_records_import(
    *,
    lines,
    source: str = Source.CSV_IMPORT,
    actor=None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import from an iterable of text lines (an open file). Raises ``ImportFailed`` with the
    row report when any row is bad (nothing is written) or ``ValueError`` on a bad header."""
    if source not in Source.values or source == Source.COMPLAINT:
        raise ValueError(_("未知的来源：%(value)s") % {"value": source})
    report = ImportReport()
    try:
        with transaction.atomic():
            batch: list[tuple[int, dict]] = []
            for line, row in _rows(lines):
                report.rows += 1
                batch.append((line, row))
                if len(batch) >= batch_size:
                    _batch(batch, report, source=source, actor=actor)
                    batch = []
            _batch(batch, report, source=source, actor=actor)
            if not report.ok or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    if not report.ok:
        raise ImportFailed(report)
    return report


class _Rollback(Exception):
    pass


def _batch(batch, report: ImportReport, *, source: str, actor) -> None:
    if not batch:
        return
    usccs = {normalize_uscc(row.get("agency_uscc", "")) for _line, row in batch}
    agencies = dict(Agency.objects.filter(uscc__in=usccs).values_list("uscc", "pk"))
    refs = [row.get("source_ref", "") for _line, row in batch]
    existing = set(
        CreditRecord.objects.filter(source=source, source_ref__in=refs).values_list(
            "source_ref", flat=True
        )
    )
    seen: set[str] = set()
    records: list[CreditRecord] = []
    for line, row in batch:
        record = _validated(line, row, report, agencies=agencies, source=source, actor=actor)
        if record is None:
            continue
        if record.source_ref in existing or record.source_ref in seen:
            report.unchanged += 1
            continue
        seen.add(record.source_ref)
        records.append(record)
    if not report.ok or not records:
        return  # keep validating the rest for the report; the transaction will roll back
    created = CreditRecord.objects.bulk_create(records, batch_size=500)
    CreditRecordEvent.objects.bulk_create(
        [
            CreditRecordEvent(
                record=r,
                action=RecordAction.CREATE,
                to_status=RecordStatus.ACTIVE,
                actor=r.created_by,
                data={"source": r.source, "source_ref": r.source_ref, "import": True},
            )
            for r in created
        ],
        batch_size=500,
    )
    announce_changes([(r.agency_id, r.pk, RecordAction.CREATE) for r in created])
    report.created += len(created)


def _validated(line, row, report, *, agencies, source, actor) -> CreditRecord | None:
    problems: list[str] = []
    agency_id = agencies.get(normalize_uscc(row.get("agency_uscc", "")))
    if agency_id is None:
        problems.append(_("agency_uscc：找不到该统一社会信用代码对应的机构"))
    decided_on = None
    try:
        decided_on = datetime.date.fromisoformat(row.get("decided_on", ""))
    except ValueError:
        problems.append(_("decided_on：日期格式应为 YYYY-MM-DD"))
    amount_raw = row.get("amount", "")
    amount = None
    if amount_raw:
        try:
            amount = Decimal(amount_raw.replace(",", ""))
        except InvalidOperation:
            amount = amount_raw  # reported by record_input_errors
    errors = record_input_errors(
        kind=row.get("kind", ""),
        severity=row.get("severity", ""),
        decided_on=decided_on or datetime.date.min,
        source=source,
        amount=amount,
    )
    problems += [f"{name}：{message}" for name, message in errors.items()]
    if not row.get("facts"):
        problems.append(_("facts：请填写事实"))
    elif len(row["facts"]) > 10000:
        problems.append(_("facts：内容过长"))
    ref = row.get("source_ref", "")
    if not ref or len(ref) > 100:
        problems.append(_("source_ref：请填写不超过100个字符的来源编号"))
    if problems:
        for problem in problems:
            report.error(line, problem)
        return None
    return build_record(
        agency_id=agency_id,
        kind=row["kind"],
        severity=row.get("severity", ""),
        facts=row["facts"],
        amount=amount,
        decided_on=decided_on,
        source=source,
        source_ref=ref,
        created_by=actor,
    )
