"""Documents that can be checked (受理回执, 受理告知书) and their verification (/verify/<code>/).

A document is issued once per complaint and kind (``document_issue``; later prints show the
same document) with what it states frozen in ``content`` and a SHA-256 of a canonical form of
that content. The printout carries the verification code, the first ``FINGERPRINT_LENGTH``
hex digits of the hash and a QR code of ``/verify/<code>/?h=<fingerprint>``. The verify page
shows what was issued, by whom and when, and says whether the document still stands and
whether the fingerprint on the paper matches the one issued.

The receipt is issued when first printed or shown, not at submission, so the intake's one
transaction per complaint stays as it is (DESIGN section 10).
"""

import hashlib
import hmac
import io
import json
import secrets

import segno
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ..choices import Status
from ..models import Complaint, IssuedDocument

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 16  # 80 bits: not guessable, so /verify/ needs no throttle to hide documents
FINGERPRINT_LENGTH = 16


class NotIssuable(Exception):
    """The complaint has not reached the stage the document attests (not yet accepted)."""


def _canonical(content: dict) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def content_hash(content: dict) -> str:
    return hashlib.sha256(_canonical(content)).hexdigest()


def fingerprint(document: IssuedDocument) -> str:
    return document.content_hash[:FINGERPRINT_LENGTH]


def _code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalize_code(value: str) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())[:CODE_LENGTH]


def _content(complaint: Complaint, kind: str) -> tuple[str, dict]:
    """The issuer and what the document states. Values, not sentences: the page renders them
    in the reader's language, and the hash does not depend on it."""
    content = {
        "reference": complaint.reference,
        "title": complaint.title,
        "complainant_name": complaint.complainant_name,
        "respondent_agency": complaint.respondent_agency.name,
        "submitted_at": timezone.localtime(complaint.submitted_at).strftime("%Y-%m-%d %H:%M"),
        "amount_involved": str(complaint.amount_involved or ""),
    }
    if kind == IssuedDocument.Kind.RECEIPT:
        return settings.SITE_HOST_OFFICE, content
    accepted = complaint.events.filter(action="accept").order_by("seq").first()
    if accepted is None or complaint.handling_agency is None:
        raise NotIssuable(kind)
    content |= {
        "handling_agency": complaint.handling_agency.name,
        "accepted_on": timezone.localtime(accepted.created_at).date().isoformat(),
    }
    return complaint.handling_agency.name, content


def document_issue(*, complaint: Complaint, kind: str) -> IssuedDocument:
    """The complaint's document of ``kind``: the one issued before, or a new one."""
    existing = IssuedDocument.objects.filter(complaint=complaint, kind=kind).first()
    if existing is not None:
        return existing
    issuer, content = _content(complaint, kind)
    try:
        with transaction.atomic():
            return IssuedDocument.objects.create(
                code=_code_new(),
                kind=kind,
                complaint=complaint,
                issuer=issuer,
                content=content,
                content_hash=content_hash(content),
            )
    except IntegrityError:
        # Two prints at once: the first one's document is the document.
        return IssuedDocument.objects.get(complaint=complaint, kind=kind)


def document_stands(document: IssuedDocument) -> bool:
    """Still valid: not revoked, and for the acknowledgement, the case was not later rejected
    or withdrawn (the acceptance it attests no longer holds)."""
    if document.revoked_at is not None:
        return False
    if document.kind == IssuedDocument.Kind.ACKNOWLEDGEMENT:
        return document.complaint.status not in (Status.REJECTED, Status.WITHDRAWN)
    return True


def document_verify(*, code: str, printed_fingerprint: str | None) -> dict | None:
    """What ``/verify/`` shows, or None for an unknown code. ``matches`` is None when no
    fingerprint was given, else whether it is the issued document's."""
    document = (
        IssuedDocument.objects.select_related("complaint").filter(code=normalize_code(code)).first()
    )
    if document is None:
        return None
    intact = content_hash(document.content) == document.content_hash
    matches = None
    if printed_fingerprint:
        matches = intact and hmac.compare_digest(
            printed_fingerprint.strip().lower()[:FINGERPRINT_LENGTH], fingerprint(document)
        )
    return {
        "document": document,
        "stands": document_stands(document) and intact,
        "matches": matches,
        "fingerprint": fingerprint(document),
    }


def verify_url(document: IssuedDocument) -> str:
    path = reverse("complaints:verify", args=[code_display(document.code)])
    return f"{settings.SITE_URL}{path}?h={fingerprint(document)}"


def qr_svg(document: IssuedDocument) -> str:
    """An inline SVG QR code of the document's verify URL (no script, no external file)."""
    buffer = io.BytesIO()
    segno.make(verify_url(document), error="m").save(
        buffer, kind="svg", xmldecl=False, svgns=True, scale=3, border=2, title=document.code
    )
    return buffer.getvalue().decode()
