"""Submission of a complaint: reference, access code, routing, duplicate link, receipt.

Everything a submission writes — the complaint, its attachments' rows and files, the routing,
the events and the receipt's outbox rows — is written in ONE transaction before the caller
answers 201; nothing is rendered or sent inline (DESIGN sections 2 and 10).
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.models import Agency

from ..choices import Action, ActorKind, Channel, ComplainantType, Status
from ..files import CheckedFile, evidence_check, file_sha256
from ..models import Attachment, Complaint, ComplaintEvent
from ..signals import complaint_event_committed
from .deadlines import stage_deadline
from .events import event_hash, event_payload
from .notifications import notify_receipt
from .references import access_code_hash, access_code_new, reference_next

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

    # Routed at once (第一时间转交), so the acceptance clock starts at submission.
    due_at, deadline_basis = None, None
    if supervisor:
        due_at, deadline_basis = stage_deadline(
            complaint=Complaint(domain=fields["domain"]), status=Status.ROUTED, start=now
        )
    stored_paths: list[str] = []
    try:
        with transaction.atomic():
            original = _duplicate_candidate(fields, now=now)
            complaint = Complaint.objects.create(
                **fields,
                reference=reference_next(),
                access_code_hash=access_code_hash(code),
                channel=channel,
                status=Status.ROUTED if supervisor else Status.PENDING_ROUTING,
                handling_agency=supervisor,
                registered_by=actor if is_staff else None,
                duplicate_of=original,
                submitted_at=now,
                stage_started_at=now if supervisor else None,
                due_at=due_at,
            )
            _attachments_store(
                complaint, checked, actor=actor if is_staff else None, stored_paths=stored_paths
            )
            _events_initial(
                complaint,
                actor=actor if is_staff else None,
                original=original,
                at=now,
                deadline=deadline_basis,
            )
            notify_receipt(complaint=complaint)
    except BaseException:
        # The transaction rolled back; the files it wrote must not outlive it.
        _files_remove(stored_paths)
        raise
    return complaint, code


def _duplicate_candidate(fields: dict, *, now) -> Complaint | None:
    """The earliest complaint by the same complainant against the same respondent about the
    same contract within 90 days, or None. Duplicates are linked and flagged, never merged."""
    who = Q(contact_phone=fields["contact_phone"])
    if fields.get("complainant_uscc"):
        who |= Q(complainant_uscc=fields["complainant_uscc"])
    subject = (fields.get("contract_title") or "").strip()
    about = Q(contract_title=subject) if subject else Q(contract_title="", title=fields["title"])
    return (
        Complaint.objects.filter(
            who,
            about,
            respondent_agency=fields["respondent_agency"],
            submitted_at__gte=now - DUPLICATE_WINDOW,
            duplicate_of__isnull=True,
        )
        .order_by("submitted_at", "id")
        .only("id", "reference")
        .first()
    )


def _attachments_store(complaint, checked, *, actor, stored_paths) -> list[Attachment]:
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


def _events_initial(
    complaint: Complaint, *, actor, original, at, deadline=None
) -> list[ComplaintEvent]:
    """The submission's events, written in one INSERT: ``submit`` and, when routed, ``route``.

    The complaint is new, so the chain starts here (seq 1, empty previous hash) and no lock
    or read of earlier events is needed.
    """
    actor_kind = ActorKind.STAFF if actor else ActorKind.COMPLAINANT
    with translation.override(settings.LANGUAGE_CODE):
        submit_message = _("投诉已提交，受理编号 %(reference)s。") % {
            "reference": complaint.reference
        }
        duplicate_note = (
            _("疑似重复投诉：与 %(reference)s 为同一投诉人、同一被投诉主体、同一合同。")
            % {"reference": original.reference}
            if original
            else ""
        )
        specs = [
            {
                "action": Action.SUBMIT,
                "from_status": "",
                "to_status": Status.PENDING_ROUTING,
                "actor": actor,
                "actor_kind": actor_kind,
                "message": submit_message,
                "note": duplicate_note,
                "data": {
                    "channel": complaint.channel,
                    **({"duplicate_of": original.reference} if original else {}),
                },
            }
        ]
        if complaint.handling_agency_id:
            specs.append(
                {
                    "action": Action.ROUTE,
                    "from_status": Status.PENDING_ROUTING,
                    "to_status": Status.ROUTED,
                    "actor": None,
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
    events, prev_hash = [], ""
    for seq, spec in enumerate(specs, start=1):
        event = ComplaintEvent(
            complaint=complaint, seq=seq, is_public=True, created_at=at, prev_hash=prev_hash, **spec
        )
        event.hash = event_hash(
            prev_hash=prev_hash, complaint_id=complaint.pk, seq=seq, payload=event_payload(event)
        )
        prev_hash = event.hash
        events.append(event)
    ComplaintEvent.objects.bulk_create(events)
    for event in events:
        _signal_on_commit(event)
    return events


def _signal_on_commit(event: ComplaintEvent) -> None:
    event_id, complaint_id = event.pk, event.complaint_id
    action, to_status = event.action, event.to_status
    transaction.on_commit(
        lambda: complaint_event_committed.send(
            sender=ComplaintEvent,
            event_id=event_id,
            complaint_id=complaint_id,
            action=action,
            to_status=to_status,
        )
    )
