"""Submission of a complaint: reference, access code, routing, duplicate link, receipt.

Everything a submission writes — the complaint, its attachments' rows and files, the routing,
the events and the receipt's outbox rows — is written in ONE transaction before the caller
answers 201; nothing is rendered or sent inline (DESIGN sections 2 and 10). On PostgreSQL that
transaction is a single statement (``insert_together``), after one read that allocates the
ids and probes for a duplicate: two round trips per submission.
"""

import contextlib
from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.models import Agency
from integrity_portal.sql import (
    Rows,
    execute_prepared,
    insert_instance,
    insert_together,
    instance_rows,
)

from ..choices import Action, ActorKind, Channel, ComplainantType, Status
from ..files import CheckedFile, evidence_check, file_sha256
from ..models import Attachment, Complaint, ComplaintEvent, Notification
from ..signals import complaint_event_committed
from .deadlines import stage_deadline
from .events import event_hash, event_payload
from .notifications import RECEIPT_FIELDS, receipt_drain_on_commit, receipt_rows
from .references import (
    PRECREATED_YEARS,
    access_code_hash,
    access_code_new,
    reference_format,
    reference_next,
    sequence_name,
)

DUPLICATE_WINDOW = timedelta(days=90)

CONTRACT_FIELDS = (
    "complainant_type",
    "complainant_name",
    "complainant_uscc",
    "contact_name",
    "contact_phone",
    "contact_email",
    "respondent_agency",
    "domain",
    "title",
    "description",
    "contract_title",
    "contract_signed_on",
    "amount_involved",
    "remedy_sought",
    "consent_to_share_contact",
)


def complaint_submit(
    *,
    data: dict,
    files=(),
    actor=None,
    channel: str = Channel.WEB,
) -> tuple[Complaint, str]:
    """File a complaint from validated ``data``; return it and its access code (shown once).

    ``data`` holds the contract's fields (``respondent_agency`` an active ``Agency``), already
    validated by the API serializer or the public form. ``actor`` is the intake clerk who
    registers a complaint that arrived by another channel; anonymous submissions are ``web``.
    Routing (第一时间转交): the handling agency is the respondent's supervising agency and the
    status ``routed``; without one the status is ``pending_routing`` for the credit office.
    """
    respondent = data["respondent_agency"]
    if not isinstance(respondent, Agency):
        respondent = Agency.objects.select_related("supervisor").get(pk=respondent)
    if not respondent.is_active:
        raise ValidationError({"respondent_agency": _("被投诉主体不存在或已停用。")})
    is_staff = actor is not None and actor.is_authenticated
    if not is_staff:
        channel = Channel.WEB
    checked: list[CheckedFile] = [f if isinstance(f, CheckedFile) else None for f in files]
    if any(f is None for f in checked):
        checked = evidence_check(files)

    supervisor = respondent.supervisor if respondent.supervisor_id else None
    if supervisor is not None and not supervisor.is_active:
        supervisor = None
    now = timezone.now()
    code = access_code_new()
    fields = {name: data.get(name) for name in CONTRACT_FIELDS if name in data}
    for name in ("complainant_uscc", "contact_email", "contract_title", "remedy_sought"):
        fields[name] = fields.get(name) or ""
    if fields.get("complainant_type") == ComplainantType.INDIVIDUAL and not fields.get(
        "complainant_uscc"
    ):
        fields["complainant_uscc"] = ""
    fields["respondent_agency"] = respondent
    fields["consent_to_share_contact"] = bool(fields.get("consent_to_share_contact"))

    stored_paths: list[str] = []
    # PostgreSQL outside a transaction: the allocation read, then every row in ONE statement,
    # which is its own transaction (no BEGIN and COMMIT round trips). Otherwise a transaction
    # (a savepoint inside the caller's) around one INSERT per table.
    single_statement = connection.vendor == "postgresql" and not connection.in_atomic_block
    try:
        with contextlib.nullcontext() if single_statement else transaction.atomic():
            complaint_id, reference, original_id, original_reference = _allocate(fields, now=now)
            complaint = Complaint(
                **fields,
                id=complaint_id,
                reference=reference,
                access_code_hash=access_code_hash(code),
                channel=channel,
                status=Status.ROUTED if supervisor else Status.PENDING_ROUTING,
                handling_agency=supervisor,
                registered_by=actor if is_staff else None,
                duplicate_of_id=original_id,
                submitted_at=now,
                stage_started_at=now if supervisor else None,
            )
            # Routed at once (第一时间转交), so the acceptance clock starts at submission.
            deadline_basis = None
            if supervisor:
                complaint.due_at, deadline_basis = stage_deadline(
                    complaint=complaint, status=Status.ROUTED, start=now
                )
            parts = []
            if complaint_id is None:
                insert_instance(complaint)  # the id comes from the INSERT
            else:
                parts.append(instance_rows([complaint], with_pk=True))
            attachments = _attachments_save(
                complaint, checked, actor=actor if is_staff else None, stored_paths=stored_paths
            )
            specs, event_rows = _events_initial(
                complaint,
                actor=actor if is_staff else None,
                original_reference=original_reference,
                at=now,
                deadline=deadline_basis,
            )
            events_part = len(parts)
            parts += [
                Rows(ComplaintEvent, _EVENT_FIELDS, event_rows),
                Rows(Notification, RECEIPT_FIELDS, receipt_rows(complaint)),
            ]
            if attachments:
                parts.append(instance_rows(attachments))
            ids = insert_together(parts)
            for event_id, spec in zip(ids[events_part], specs, strict=True):
                _signal_on_commit(event_id, complaint.pk, spec["action"], spec["to_status"])
            receipt_drain_on_commit(ids[events_part + 1])
    except BaseException:
        # Nothing was committed; the files written for it must not outlive it.
        _files_remove(stored_paths)
        raise
    return complaint, code


_ALLOCATE_SQL = None


def _allocate(fields: dict, *, now) -> tuple[int | None, str, int | None, str]:
    """The new complaint's id (None where the INSERT assigns it), its reference, and the id
    and reference of the complaint it duplicates (``(None, "")`` if none).

    On PostgreSQL in ONE read, prepared once per connection: ``nextval`` of the id and
    reference sequences (never rolled back, never blocking; a failed submission leaves a
    harmless gap) and the duplicate probe.
    """
    global _ALLOCATE_SQL
    year = timezone.localdate().year
    if connection.vendor != "postgresql" or year not in PRECREATED_YEARS:
        original_id, original_reference = _duplicate_candidate(fields, now=now)
        return None, reference_next(year=year), original_id, original_reference
    if _ALLOCATE_SQL is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, %s)",
                [Complaint._meta.db_table, Complaint._meta.pk.column],
            )
            id_sequence = cursor.fetchone()[0]
        _ALLOCATE_SQL = (
            f"SELECT nextval('{id_sequence}'), nextval(%s), d.* FROM (SELECT 1) AS one"  # noqa: S608 — catalogue name
            f" LEFT JOIN LATERAL ({_duplicate_sql()}) AS d ON true"
        )
    with connection.cursor() as cursor:
        execute_prepared(
            cursor, _ALLOCATE_SQL, [sequence_name(year), *_duplicate_params(fields, now=now)]
        )
        complaint_id, number, original_id, original_reference = cursor.fetchone()
    return complaint_id, reference_format(year, number), original_id, original_reference or ""


# Columns of the respondent and its supervisor read at intake; the timestamps stay deferred.
_AGENCY_FIELDS = ("id", "name", "uscc", "kind", "region_id", "supervisor_id", "is_active")
_AGENCY_SQL = None
_PK_RANGE = (-(2**63), 2**63 - 1)


def respondent_for_intake(pk) -> Agency | None:
    """The active agency ``pk`` with its supervisor loaded (as ``select_related`` would), or
    None. ``pk`` is converted like the ORM converts it (TypeError/ValueError propagate).

    One statement written once from the model's metadata (building the equivalent ORM query
    on every submission cost more CPU than running it), prepared once per connection. The
    agencies' timestamps are left deferred (the intake never reads them).
    """
    global _AGENCY_SQL
    pk = Agency._meta.pk.get_prep_value(pk)
    if not _PK_RANGE[0] <= pk <= _PK_RANGE[1]:
        return None
    if _AGENCY_SQL is None:
        qn = connection.ops.quote_name
        columns = [qn(Agency._meta.get_field(name).column) for name in _AGENCY_FIELDS]
        _AGENCY_SQL = (
            f"SELECT {', '.join('a.' + c for c in columns)}, {', '.join('s.' + c for c in columns)}"  # noqa: S608 — names from the model, quoted
            f" FROM {qn(Agency._meta.db_table)} a LEFT OUTER JOIN {qn(Agency._meta.db_table)} s"
            f" ON s.{columns[0]} = a.{columns[5]} WHERE a.{columns[0]} = %s AND a.{columns[6]}"
        )
    with connection.cursor() as cursor:
        execute_prepared(cursor, _AGENCY_SQL, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    n = len(_AGENCY_FIELDS)
    respondent = _agency_from_row(row[:n])
    supervisor = _agency_from_row(row[n:]) if row[n] is not None else None
    Agency._meta.get_field("supervisor").set_cached_value(respondent, supervisor)
    return respondent


def _agency_from_row(values) -> Agency:
    values = list(values)
    values[-1] = bool(values[-1])  # SQLite returns 0/1 for booleans
    return Agency.from_db(connection.alias, _AGENCY_FIELDS, values)


_DUPLICATE_SQL = None


def _duplicate_sql() -> str:
    global _DUPLICATE_SQL
    if _DUPLICATE_SQL is None:
        meta, qn = Complaint._meta, connection.ops.quote_name

        def col(name):
            return qn(meta.get_field(name).column)

        _DUPLICATE_SQL = (
            f"SELECT {col('id')}, {col('reference')} FROM {qn(meta.db_table)} "  # noqa: S608 — names from the model, quoted
            f"WHERE ({col('contact_phone')} = %s OR {col('complainant_uscc')} = %s)"
            f" AND {col('contract_title')} = %s AND (%s OR {col('title')} = %s)"
            f" AND {col('respondent_agency')} = %s AND {col('submitted_at')} >= %s"
            f" AND {col('duplicate_of')} IS NULL"
            f" ORDER BY {col('submitted_at')}, {col('id')} LIMIT 1"
        )
    return _DUPLICATE_SQL


def _duplicate_params(fields: dict, *, now) -> list:
    subject = (fields.get("contract_title") or "").strip()
    respondent = fields["respondent_agency"]
    since = Complaint._meta.get_field("submitted_at").get_db_prep_value(
        now - DUPLICATE_WINDOW, connection
    )
    return [
        fields["contact_phone"],
        fields.get("complainant_uscc") or None,
        subject,
        bool(subject),
        fields["title"],
        respondent.pk if isinstance(respondent, Agency) else respondent,
        since,
    ]


def _duplicate_candidate(fields: dict, *, now) -> tuple[int | None, str]:
    """The id and reference of the earliest complaint by the same complainant against the
    same respondent about the same contract within 90 days, or ``(None, "")``. Duplicates
    are linked and flagged, never merged.

    The same comparison as ``Complaint.objects.filter(...)`` would make, written once as SQL
    because building that query cost more CPU than running it. The complainant is the same
    phone or, when given, the same USCC (an empty USCC matches nothing: ``%s`` is then NULL).
    Without a contract title the complaint's title must match too.
    """
    with connection.cursor() as cursor:
        cursor.execute(_duplicate_sql(), _duplicate_params(fields, now=now))
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (None, "")


def _attachments_save(complaint, checked, *, actor, stored_paths) -> list[Attachment]:
    """Store the files (their paths go into ``stored_paths`` at once, for clean-up) and return
    the unsaved rows describing them."""
    rows = []
    for item in checked:
        attachment = Attachment(
            complaint=complaint,
            original_name=item.name,
            content_type=item.content_type,
            size=item.size,
            sha256=file_sha256(item.upload),
            uploaded_by_kind=ActorKind.STAFF if actor else ActorKind.COMPLAINANT,
            uploaded_by=actor,
        )
        item.upload.seek(0)
        attachment.file.save("evidence", item.upload, save=False)
        stored_paths.append(attachment.file.name)
        rows.append(attachment)
    return rows


def _attachments_store(complaint, checked, *, actor, stored_paths) -> list[Attachment]:
    rows = _attachments_save(complaint, checked, actor=actor, stored_paths=stored_paths)
    if rows:
        Attachment.objects.bulk_create(rows)
    return rows


def attachments_add(*, complaint, files, actor=None) -> list[Attachment]:
    """Store more evidence for an existing complaint (call inside the caller's transaction)."""
    checked = [f if isinstance(f, CheckedFile) else None for f in files]
    if any(f is None for f in checked):
        checked = evidence_check(files)
    stored_paths: list[str] = []
    try:
        with transaction.atomic():
            return _attachments_store(complaint, checked, actor=actor, stored_paths=stored_paths)
    except BaseException:
        _files_remove(stored_paths)
        raise


def _files_remove(paths) -> None:
    from django.core.files.storage import default_storage

    for path in paths:
        try:
            default_storage.delete(path)
        except OSError:
            pass


_EVENT_FIELDS = [
    "complaint",
    "seq",
    "action",
    "from_status",
    "to_status",
    "actor",
    "actor_kind",
    "is_public",
    "message",
    "note",
    "data",
    "created_at",
    "prev_hash",
    "hash",
]


def _events_initial(
    complaint: Complaint, *, actor, original_reference="", at, deadline=None
) -> tuple[list[dict], list[tuple]]:
    """The submission's events: ``submit`` and, when routed, ``route``, as their specs and
    their rows in ``_EVENT_FIELDS`` order (written with the rest of the submission).

    The complaint is new, so the chain starts here (seq 1, empty previous hash) and no lock
    or read of earlier events is needed. Tuples, not model instances (this runs on every
    submission); the hash is the one ``event_append`` computes, from the same
    ``event_payload`` of the same values.
    """
    actor_kind = ActorKind.STAFF if actor else ActorKind.COMPLAINANT
    with translation.override(settings.LANGUAGE_CODE):
        submit_message = _("投诉已提交，受理编号 %(reference)s。") % {
            "reference": complaint.reference
        }
        duplicate_note = (
            _("疑似重复投诉：与 %(reference)s 为同一投诉人、同一被投诉主体、同一合同。")
            % {"reference": original_reference}
            if original_reference
            else ""
        )
        specs = [
            {
                "action": Action.SUBMIT,
                "from_status": "",
                "to_status": Status.PENDING_ROUTING,
                "actor_id": actor.pk if actor else None,
                "actor_kind": actor_kind,
                "message": submit_message,
                "note": duplicate_note,
                "data": {
                    "channel": complaint.channel,
                    **({"duplicate_of": original_reference} if original_reference else {}),
                },
            }
        ]
        if complaint.handling_agency_id:
            specs.append(
                {
                    "action": Action.ROUTE,
                    "from_status": Status.PENDING_ROUTING,
                    "to_status": Status.ROUTED,
                    "actor_id": None,
                    "actor_kind": ActorKind.SYSTEM,
                    "message": _("已转交%(agency)s核实办理。")
                    % {"agency": complaint.handling_agency.name},
                    "note": "",
                    "data": {
                        "handling_agency": complaint.handling_agency_id,
                        **({"deadline": deadline} if deadline else {}),
                    },
                }
            )
        else:
            specs[0]["data"]["routing"] = "no_supervisor"
            specs[0]["message"] += _("被投诉主体暂无登记的上级部门，待信用办分办。")
    rows, prev_hash = [], ""
    for seq, spec in enumerate(specs, start=1):
        event = SimpleNamespace(is_public=True, created_at=at, **spec)
        event_hash_ = event_hash(
            prev_hash=prev_hash, complaint_id=complaint.pk, seq=seq, payload=event_payload(event)
        )
        rows.append(
            (
                complaint.pk,
                seq,
                event.action,
                event.from_status,
                event.to_status,
                event.actor_id,
                event.actor_kind,
                True,
                event.message,
                event.note,
                event.data,
                at,
                prev_hash,
                event_hash_,
            )
        )
        prev_hash = event_hash_
    return specs, rows


def _signal_on_commit(event_id: int, complaint_id: int, action: str, to_status: str) -> None:
    transaction.on_commit(
        lambda: complaint_event_committed.send(
            sender=ComplaintEvent,
            event_id=event_id,
            complaint_id=complaint_id,
            action=action,
            to_status=to_status,
        )
    )
