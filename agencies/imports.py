"""Bulk import of the agency directory from CSV (``manage.py import_agencies``).

Columns: ``name, uscc, kind, region_code, supervisor_uscc``; UTF-8 with or without a BOM (Excel
writes one). A supervisor is named by its USCC and may be another row of the same file (in any
order) or an agency already in the directory.

The import is all-or-nothing: every row is validated first, against the file and the database,
and any error yields a report with row numbers and reasons and writes nothing. Existing agencies
are matched by USCC, so importing the same file twice changes nothing. The file is authoritative
for its columns: an empty ``region_code`` or ``supervisor_uscc`` clears that field of an existing
agency. Agencies not in the file are left alone.
"""

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .choices import AgencyKind
from .models import Agency, Region, name_initials_of
from .services import MAX_SUPERVISOR_DEPTH, agency_update
from .validators import normalize_uscc, validate_uscc

COLUMNS = ("name", "uscc", "kind", "region_code", "supervisor_uscc")
_MODEL_TO_COLUMN = {"region": "region_code", "supervisor": "supervisor_uscc"}
_NAME_MAX_LENGTH = Agency._meta.get_field("name").max_length
# Batches for ``IN (...)`` lookups stay under SQLite's bound-parameter limit.
_LOOKUP_BATCH = 500


@dataclass(frozen=True)
class RowError:
    """One problem: ``row`` is the spreadsheet row number (the header is row 1; 0 = the file)."""

    row: int
    column: str
    message: str

    def __str__(self):
        if self.row == 0:  # about the whole file
            return self.message
        return _("第%(row)d行 %(column)s：%(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


class ImportFailed(Exception):
    """Raised with every row error found; nothing has been written."""

    def __init__(self, errors: list[RowError]):
        self.errors = sorted(errors, key=lambda e: e.row)
        super().__init__(self.report())

    def report(self) -> str:
        lines = [
            _("导入失败：%(rows)d行有错误，未写入任何数据。")
            % {"rows": len({e.row for e in self.errors})}
        ]
        lines.extend(str(error) for error in self.errors)
        return "\n".join(lines)


@dataclass
class _Row:
    row: int
    name: str
    uscc: str
    kind: str
    region_code: str
    supervisor_uscc: str
    region: Region | None = None
    existing: Agency | None = None
    depth: int = 0
    errors: list[RowError] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.row, column, message))


def read_csv(source: bytes | str | IO) -> list[dict[str, str]]:
    """Decode (UTF-8, BOM tolerated) and parse; returns one dict per data row."""
    if hasattr(source, "read"):
        source = source.read()
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportFailed(
                [RowError(0, "file", _("文件不是UTF-8编码（%(error)s）。") % {"error": exc})]
            ) from None
    source = source.removeprefix("\ufeff")
    reader = csv.DictReader(io.StringIO(source, newline=""))
    header = [(name or "").strip() for name in (reader.fieldnames or [])]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise ImportFailed(
            [RowError(1, "header", _("缺少列：%(columns)s。") % {"columns": ", ".join(missing)})]
        )
    reader.fieldnames = header
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def _kind_from(value: str) -> str | None:
    """The kind code; the Chinese label (人民政府, 政府部门, 事业单位, 其他) is accepted too."""
    for code, label in AgencyKind.choices:
        if value in (code, str(label)):
            return code
    return None


def _in_batches(values: Iterable[str]) -> Iterable[list[str]]:
    values = list(values)
    for start in range(0, len(values), _LOOKUP_BATCH):
        yield values[start : start + _LOOKUP_BATCH]


def _parse(records: list[dict[str, str]]) -> list[_Row]:
    rows = []
    for index, record in enumerate(records, start=2):
        rows.append(
            _Row(
                row=index,
                name=record.get("name", ""),
                uscc=normalize_uscc(record.get("uscc", "")),
                kind=record.get("kind", ""),
                region_code=record.get("region_code", ""),
                supervisor_uscc=normalize_uscc(record.get("supervisor_uscc", "")),
            )
        )
    return rows


def _validate_fields(rows: list[_Row], *, allow_rename: bool) -> None:
    regions = {}
    codes = {r.region_code for r in rows if re.fullmatch(r"[0-9]{6}", r.region_code)}
    for batch in _in_batches(codes):
        regions.update({region.code: region for region in Region.objects.filter(code__in=batch)})
    existing = {}
    usccs = {r.uscc for r in rows if r.uscc} | {
        r.supervisor_uscc for r in rows if r.supervisor_uscc
    }
    for batch in _in_batches(usccs):
        existing.update({a.uscc: a for a in Agency.objects.filter(uscc__in=batch)})

    in_file = {row.uscc for row in rows if row.uscc}
    first_row_of: dict[str, int] = {}
    for row in rows:
        if not row.name:
            row.error("name", _("名称不能为空。"))
        elif len(row.name) > _NAME_MAX_LENGTH:
            row.error("name", _("名称不能超过%(max)d个字符。") % {"max": _NAME_MAX_LENGTH})

        if not row.uscc:
            row.error("uscc", _("统一社会信用代码不能为空（导入按统一社会信用代码匹配已有机构）。"))
        else:
            try:
                validate_uscc(row.uscc)
            except ValidationError as exc:
                row.error("uscc", " ".join(exc.messages))
            else:
                if row.uscc in first_row_of:
                    row.error(
                        "uscc",
                        _("统一社会信用代码与第%(row)d行重复。") % {"row": first_row_of[row.uscc]},
                    )
                else:
                    first_row_of[row.uscc] = row.row
                row.existing = existing.get(row.uscc)
                if (
                    row.existing is not None
                    and row.name
                    and row.existing.name != row.name
                    and not allow_rename
                ):
                    row.error(
                        "uscc",
                        _("该统一社会信用代码已属于机构“%(name)s”，与本行名称不一致。")
                        % {"name": row.existing.name},
                    )

        kind = _kind_from(row.kind)
        if kind is None:
            row.error(
                "kind",
                _("未知的机构类型“%(kind)s”，应为 %(choices)s 之一。")
                % {"kind": row.kind, "choices": ", ".join(AgencyKind.values)},
            )
        else:
            row.kind = kind

        if row.region_code:
            if not re.fullmatch(r"[0-9]{6}", row.region_code):
                row.error("region_code", _("行政区划代码应为6位数字。"))
            elif row.region_code not in regions:
                row.error(
                    "region_code",
                    _("未知的行政区划代码：%(code)s。") % {"code": row.region_code},
                )
            else:
                row.region = regions[row.region_code]

        if row.supervisor_uscc:
            if row.supervisor_uscc == row.uscc:
                row.error("supervisor_uscc", _("机构不能是自己的上级部门。"))
            elif row.supervisor_uscc not in in_file and row.supervisor_uscc not in existing:
                row.error(
                    "supervisor_uscc",
                    _("上级部门“%(uscc)s”既不在本文件中，也不在机构名录中。")
                    % {"uscc": row.supervisor_uscc},
                )


def _check_loops(rows: list[_Row]) -> None:
    """Refuse supervisor cycles in the directory as it would be after the import.

    The graph is the file's edges laid over the database's: a row replaces the supervisor of the
    agency with its USCC; agencies outside the file keep theirs. Each row's chain is walked to
    its root; the depth found orders the writes (supervisors first).
    """
    by_uscc = {row.uscc: row for row in rows if row.uscc}
    db_parent: dict[int, int | None] = {}

    def node_of(uscc: str):
        row = by_uscc.get(uscc)
        if row is not None and row.existing is None:
            return ("new", uscc)
        agency = row.existing if row is not None else Agency.objects.filter(uscc=uscc).first()
        return agency.pk if agency is not None else None

    node_row = {}
    for row in rows:
        if row.uscc:
            node_row[node_of(row.uscc)] = row

    def parent(node):
        row = node_row.get(node)
        if row is not None:
            return node_of(row.supervisor_uscc) if row.supervisor_uscc else None
        if node not in db_parent:
            db_parent[node] = (
                Agency.objects.filter(pk=node).values_list("supervisor_id", flat=True).first()
            )
        return db_parent[node]

    for row in rows:
        if row.errors or not row.uscc:
            continue
        start = node_of(row.uscc)
        path = [start]
        current = parent(start)
        while current is not None and current != start and current not in path:
            if len(path) > MAX_SUPERVISOR_DEPTH:
                break
            path.append(current)
            current = parent(current)
        if len(path) > MAX_SUPERVISOR_DEPTH:
            row.error(
                "supervisor_uscc",
                _("上级部门层级超过%(max)d级，请检查隶属关系。") % {"max": MAX_SUPERVISOR_DEPTH},
            )
        elif current == start:
            names = [_node_name(n, node_row) for n in [*path, start]]
            row.error(
                "supervisor_uscc",
                _("上级部门会形成循环的隶属关系：%(chain)s。") % {"chain": " → ".join(names)},
            )
        row.depth = len(path)


def _node_name(node, node_row) -> str:
    row = node_row.get(node)
    if row is not None:
        return row.name or row.uscc
    return Agency.objects.filter(pk=node).values_list("name", flat=True).first() or str(node)


def agencies_validate(records: list[dict[str, str]], *, allow_rename: bool = False) -> list[_Row]:
    """Validate every row; raise :class:`ImportFailed` with all errors, or return the rows."""
    rows = _parse(records)
    _validate_fields(rows, allow_rename=allow_rename)
    _check_loops(rows)
    errors = [error for row in rows for error in row.errors]
    if errors:
        raise ImportFailed(errors)
    return rows


def agencies_import(
    source: bytes | str | IO, *, dry_run: bool = False, allow_rename: bool = False
) -> ImportResult:
    """Validate the whole file, then create or update the agencies in one transaction.

    ``dry_run`` validates and counts without writing. ``allow_rename`` lets a row rename the
    existing agency with its USCC (after a reorganisation); otherwise a different name for a
    known USCC is treated as a typo and refused.
    """
    rows = agencies_validate(read_csv(source), allow_rename=allow_rename)
    result = ImportResult()
    agencies: dict[str, Agency] = {row.uscc: row.existing for row in rows if row.existing}
    try:
        with transaction.atomic():
            # Level by level, supervisors first: a row's supervisor is one level above it, so
            # when a level is written every supervisor it names exists and has its final
            # chain, and the service's own loop check sees the directory as it will be.
            for depth in sorted({row.depth for row in rows}):
                level = [row for row in rows if row.depth == depth]
                new = [row for row in level if row.existing is None]
                result.created += len(new)
                for row in level:
                    if row.existing is not None:
                        _update_row(row, _supervisor_of(row, agencies), result, dry_run=dry_run)
                if not dry_run:
                    _create_level(new, agencies)
                else:
                    agencies.update({r.uscc: Agency(name=r.name, uscc=r.uscc) for r in new})
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError:
        # Validation passed, so another writer got in between (e.g. the same USCC added
        # meanwhile). Everything is rolled back; running the import again reports it.
        raise ImportFailed(
            [RowError(0, "file", _("机构名录在导入过程中被修改，未写入任何数据，请重新导入。"))]
        ) from None
    return result


def _supervisor_of(row: _Row, agencies: dict[str, Agency]) -> Agency | None:
    if not row.supervisor_uscc:
        return None
    if row.supervisor_uscc not in agencies:
        agencies[row.supervisor_uscc] = Agency.objects.get(uscc=row.supervisor_uscc)
    return agencies[row.supervisor_uscc]


def _create_level(rows: list[_Row], agencies: dict[str, Agency]) -> None:
    """Insert one level of new agencies in batches.

    Every field was validated against the file and the directory above (name, USCC and its
    uniqueness, kind, region, supervisor, loops), so the per-row ``agency_create`` checks would
    only repeat those queries; a row-by-row import of 5,000 agencies took about a minute.
    """
    batch = [
        Agency(
            name=row.name,
            name_initials=name_initials_of(row.name),  # bulk_create skips save()
            uscc=row.uscc,
            kind=row.kind,
            region=row.region,
            supervisor=_supervisor_of(row, agencies),
        )
        for row in rows
    ]
    Agency.objects.bulk_create(batch, batch_size=_LOOKUP_BATCH)
    for agency in batch:
        agencies[agency.uscc] = agency


def _update_row(row: _Row, supervisor: Agency | None, result: ImportResult, *, dry_run: bool):
    # Compared by id: reading ``existing.supervisor`` would cost a query per row.
    current = row.existing
    changes = {}
    if current.name != row.name:
        changes["name"] = row.name
    if current.kind != row.kind:
        changes["kind"] = row.kind
    if current.region_id != (row.region.code if row.region else None):
        changes["region"] = row.region
    if current.supervisor_id != (supervisor.pk if supervisor else None) or (
        supervisor is not None and supervisor.pk is None  # a new agency in a dry run
    ):
        changes["supervisor"] = supervisor
    if not changes:
        result.unchanged += 1
        return
    result.updated += 1
    if dry_run:
        return
    try:
        agency_update(agency=current, **changes)
    except ValidationError as exc:
        # Validation above should have caught it; if not (a concurrent edit), the
        # transaction is rolled back and the row is reported like any other.
        raise ImportFailed(
            [
                RowError(row.row, _MODEL_TO_COLUMN.get(column, column), message)
                for column, messages in exc.message_dict.items()
                for message in messages
            ]
        ) from None
