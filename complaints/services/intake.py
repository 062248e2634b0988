"""Submission of a complaint: reference, access code, routing, duplicate link, receipt.

Everything a submission writes — the complaint, its events, its attachments' rows and files,
the receipt's outbox rows — is written in ONE transaction before the caller answers 201;
nothing is rendered or sent inline (DESIGN sections 2 and 10). The first status and the
routing go through ``transitions`` like every later change: ``submit`` moves the new complaint
to ``pending_routing`` and, when the respondent has an active supervising department, ``route``
moves it on to ``routed`` at once (第一时间转交), starting the acceptance clock.
"""

from contextlib import nullcontext

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.models import Agency
from agencies.policy import may, require

from ..choices import Action, ActorKind, Channel, Status
from ..files import CheckedFile, evidence_check, file_sha256
from ..models import Attachment, Complaint
from .arrears import ARREARS_FIELDS, arrears_errors, arrears_facts
from .duplicates import duplicate_of
from .references import access_code_hash, access_code_new, reference_next
from .transitions import move, write

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
_TEXT_FIELDS = ("complainant_uscc", "contact_email", "contract_title", "remedy_sought")


def complaint_submit(
    *,
    data: dict,
    files=(),
    actor=None,
    channel: str = Channel.WEB,
    external_ref: str = "",
    origin: dict | None = None,
    language: str = "",
) -> tuple[Complaint, str | None]:
    """File a complaint from validated ``data``; return it and its access code (shown once).

    ``data`` holds the contract's fields (``respondent_agency`` an ``Agency``, or its id),
    already validated by the API serializer or the public form. An ``actor`` who may register
    complaints (``complaint.register``: an intake clerk, the credit office) registers one that
    arrived by ``channel`` and is recorded as its registrant; any other submission is anonymous
    and ``web``. Routing: the handling agency is the respondent's active supervising agency and
    the status ``routed``; without one the status is ``pending_routing`` for the credit office.

    A registrant may give the origin's work-order id (``external_ref``, DESIGN section 13): a
    second submission with the same ``(channel, external_ref)`` returns the complaint made the
    first time and ``None`` for the code, and writes nothing. The unique constraint decides,
    not a lookup: two concurrent retries both try the INSERT and the loser finds the winner.

    ``origin`` (a registrant's only): where it came from, ``{"origin_ref": the other channel's
    work-order number, "received_on": "YYYY-MM-DD"}``, kept on the submission event.

    ``language`` is the complainant's (their e-mails and SMS are sent in it): the one given, else
    the active language of a complainant's own request, else (a registrant files for someone
    who did not choose) the product's language.
    """
    require(actor, "complaint.submit")
    registrant = actor if actor is not None and may(actor, "complaint.register") else None
    external_ref = (external_ref or "").strip()
    if registrant is None:
        channel = Channel.WEB
        external_ref = ""
    else:
        channel = _registrant_channel(registrant, channel)
    if external_ref:
        existing = _by_external_ref(channel, external_ref)
        if existing is not None:
            return existing, None
    respondent = data["respondent_agency"]
    if not isinstance(respondent, Agency):
        respondent = Agency.objects.select_related("supervisor").filter(pk=respondent).first()
    if respondent is None or not respondent.is_active:
        raise ValidationError({"respondent_agency": _("被投诉主体不存在或已停用。")})
    checked = [f if isinstance(f, CheckedFile) else None for f in files]
    if any(f is None for f in checked):
        checked = evidence_check(files)
    supervisor = respondent.supervisor if respondent.supervisor_id else None
    if supervisor is not None and not supervisor.is_active:
        supervisor = None

    # Arrears facts (DESIGN section 12), only on payment_arrears complaints: 400 naming the
    # field; a payment term beyond the statute's is a stored warning, not an error.
    errors = arrears_errors(data)
    if errors:
        raise ValidationError(errors)
    fields = {name: data.get(name) for name in CONTRACT_FIELDS if name in data}
    fields.update(arrears_facts({name: data.get(name) for name in ARREARS_FIELDS}))
    for name in _TEXT_FIELDS:
        fields[name] = fields.get(name) or ""
    fields["respondent_agency"] = respondent
    fields["consent_to_share_contact"] = bool(fields.get("consent_to_share_contact"))
    fields["language"] = _complainant_language(language, own_request=registrant is None)
    now, code = timezone.now(), access_code_new()
    stored_paths: list[str] = []
    try:
        with transaction.atomic():
            complaint = _insert(
                fields=fields,
                code=code,
                channel=channel,
                external_ref=external_ref,
                origin=origin,
                registrant=registrant,
                supervisor=supervisor,
                respondent=respondent,
                now=now,
            )
            if complaint is None:
                # A concurrent retry with the same origin id committed first: answer with it.
                existing = _by_external_ref(channel, external_ref)
                if existing is None:
                    raise IntegrityError("external_ref conflict without a stored complaint")
                return existing, None
            _attachments_store(complaint, checked, actor=registrant, stored_paths=stored_paths)
    except BaseException:
        # Nothing was committed; the files written for it must not outlive it.
        _files_remove(stored_paths)
        raise
    return complaint, code


def _registrant_channel(registrant, channel: str) -> str:
    """An external system registers by its own channel (the one set on its client), whatever
    it sends; another channel is refused with a 400 naming the field."""
    client = getattr(registrant, "integration_client", None)
    own = getattr(client, "channel", "") if client is not None else ""
    if not own:
        return channel
    if channel not in ("", Channel.WEB, own):
        raise ValidationError(
            {"channel": _("该对接系统只能以“%(channel)s”渠道登记投诉。") % {"channel": own}}
        )
    return own


def _complainant_language(language: str, *, own_request: bool) -> str:
    """A code of ``settings.LANGUAGES`` (``en-us`` → ``en``)."""
    if not language and own_request:
        language = translation.get_language() or ""
    try:
        return translation.get_supported_language_variant(language or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def _by_external_ref(channel: str, external_ref: str) -> Complaint | None:
    return Complaint.objects.filter(channel=channel, external_ref=external_ref).first()


def _insert(
    *, fields, code, channel, external_ref, origin, registrant, supervisor, respondent, now
) -> Complaint | None:
    """Write the complaint and its first events in a savepoint; ``None`` when the origin id's
    unique constraint refused it (the enclosing transaction stays usable). Without an
    origin id there is nothing to recover from, so no savepoint (two queries) is paid."""
    try:
        with transaction.atomic() if external_ref else nullcontext():
            original = duplicate_of(
                respondent_id=respondent.pk,
                contract_title=fields.get("contract_title", ""),
                contact_phone=fields["contact_phone"],
                uscc=fields.get("complainant_uscc", ""),
                title=fields["title"],
                now=now,
            )
            complaint = Complaint(
                **fields,
                reference=reference_next(),
                access_code_hash=access_code_hash(code),
                channel=channel,
                external_ref=external_ref,
                status="",
                registered_by=registrant,
                duplicate_of_id=original[0] if original else None,
                submitted_at=now,
            )
            actor_kind = ActorKind.STAFF if registrant else ActorKind.COMPLAINANT
            submitted = {"channel": channel, "reference": complaint.reference}
            if registrant is not None and origin:
                submitted.update({k: str(v) for k, v in origin.items() if v})
            if original is not None:
                submitted["duplicate_of"] = original[1]
            if supervisor is None:
                submitted["routing"] = "no_supervisor"
            events = [
                move(
                    complaint,
                    action=Action.SUBMIT,
                    to_status=Status.PENDING_ROUTING,
                    actor=registrant,
                    actor_kind=actor_kind,
                    data=submitted,
                    at=now,
                    # Routed at once: the 10-day routing clock never runs (第二十五条).
                    clock=supervisor is None,
                )
            ]
            if supervisor is not None:
                events.append(
                    move(
                        complaint,
                        action=Action.ROUTE,
                        to_status=Status.ROUTED,
                        actor_kind=ActorKind.SYSTEM,
                        data={"handling_agency": supervisor.pk, "agency_name": supervisor.name},
                        fields={"handling_agency": supervisor},
                        at=now,
                    )
                )
            write(complaint, events)
    except IntegrityError:
        if not external_ref:
            raise
        return None
    return complaint


def _attachments_store(complaint, checked, *, actor, stored_paths) -> list[Attachment]:
    """Store the files (their paths go into ``stored_paths`` at once, for clean-up) and their
    rows."""
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
    return Attachment.objects.bulk_create(rows) if rows else []


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
    for path in paths:
        try:
            default_storage.delete(path)
        except OSError:
            pass
