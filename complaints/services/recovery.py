"""找回查询码: a complainant who lost the access code gets a new one by proving the contact on
file, without the portal ever weakening the code itself (DESIGN section 11).

1. ``access_code_recovery_request``: reference + the phone or e-mail given at submission. When
   the pair matches, a one-time code goes to that contact (SMS to a mobile, else e-mail). The
   caller gets the same answer whether or not it matched — no oracle for which references
   exist or which contact they carry — and every request is a logged row
   (``AccessCodeRecovery``), matched or not. Requests are throttled per client address and per
   reference by counting those rows, so a throttle cannot be reset by flushing a cache.
2. ``access_code_recovery_confirm``: reference + one-time code → a new random access code
   (60 bits, like the first). The old one stops working at once: only the new HMAC is kept.
   A one-time code expires after ``CODE_VALID``, is used once, and allows ``MAX_ATTEMPTS``
   tries; a new request supersedes the older codes of the same complaint.

The reset goes through ``transitions`` (an internal event ``reset_access_code``), so it is in
the hash-chained log, and the contact on file is told that the code changed.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agencies.policy import Complainant

from .. import notices
from ..choices import Action, NotificationChannel
from ..models import AccessCodeRecovery, Complaint, Notification
from ..validators import is_mobile, normalize_phone
from .notifications import deliver_on_commit
from .references import access_code_hash, access_code_new, normalize_reference
from .tracking import _rate
from .transitions import begin, move, write

CODE_DIGITS = 6
CODE_VALID = timedelta(minutes=15)
MAX_ATTEMPTS = 5


class RecoveryThrottled(Exception):
    """Too many requests from this client or for this reference; ``wait`` in seconds."""

    def __init__(self, wait: int):
        self.wait = wait
        super().__init__(wait)


def _code_hash(code: str) -> str:
    key = f"recovery:{settings.ACCESS_CODE_KEY}".encode()
    return hmac.new(key, code.strip().encode(), hashlib.sha256).hexdigest()


def _contact_channel(complaint: Complaint, contact: str) -> str | None:
    """The channel to reach ``contact`` when it is the complaint's contact on file, else None.

    A landline on file cannot receive an SMS: such a complainant recovers by e-mail."""
    contact = (contact or "").strip()
    if "@" in contact:
        on_file = (complaint.contact_email or "").strip().lower()
        if on_file and hmac.compare_digest(on_file, contact.lower()):
            return NotificationChannel.EMAIL
        return None
    try:
        phone = normalize_phone(contact)
    except Exception:
        return None
    if is_mobile(phone) and hmac.compare_digest(phone, complaint.contact_phone or ""):
        return NotificationChannel.SMS
    return None


def _guard(*, client: str, reference: str) -> None:
    now = timezone.now()
    for scope, filters in (
        ("recovery", {"client": client}),
        ("recovery_reference", {"reference": reference}),
    ):
        rate = _rate(scope)
        if rate is None:
            continue
        num, duration = rate
        since = now - timedelta(seconds=duration)
        if AccessCodeRecovery.objects.filter(created_at__gte=since, **filters).count() >= num:
            raise RecoveryThrottled(duration)


def access_code_recovery_request(*, client: str, reference: str, contact: str) -> None:
    """Log the request and, when reference and contact match, send a one-time code there.

    Returns nothing either way (the identical answer); raises ``RecoveryThrottled`` — for a
    matching and a non-matching pair alike — when the client or the reference is over its
    limit."""
    reference = normalize_reference(reference)[:20]
    client = (client or "")[:64]
    _guard(client=client, reference=reference)
    complaint = Complaint.objects.filter(reference=reference).first()
    channel = _contact_channel(complaint, contact) if complaint else None
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    now = timezone.now()
    with transaction.atomic():
        if channel is None:
            # Hash anyway, so a match and a miss cost about the same time.
            _code_hash(code)
            AccessCodeRecovery.objects.create(reference=reference, client=client, created_at=now)
            return
        # Older codes of this complaint stop working: only the newest request counts.
        AccessCodeRecovery.objects.filter(
            complaint=complaint, used_at__isnull=True, code_hash__gt=""
        ).update(expires_at=now)
        AccessCodeRecovery.objects.create(
            reference=reference,
            client=client,
            complaint=complaint,
            channel=channel,
            code_hash=_code_hash(code),
            created_at=now,
            expires_at=now + CODE_VALID,
        )
        notification = _code_notification(complaint, channel=channel, code=code)
        deliver_on_commit([notification.pk])


def _code_notification(complaint: Complaint, *, channel: str, code: str) -> Notification:
    """The one-time code, to the contact on file, rendered in the complaint's language when
    sent (``complaints.notices``)."""
    minutes = int(CODE_VALID.total_seconds() // 60)
    sms = channel == NotificationChannel.SMS
    return Notification.objects.create(
        complaint=complaint,
        channel=channel,
        recipient=complaint.contact_phone if sms else complaint.contact_email,
        template=notices.RECOVERY_CODE,
        params={"reference": complaint.reference, "code": code, "minutes": minutes},
        language=complaint.language,
    )


def access_code_recovery_confirm(
    *, client: str, reference: str, code: str
) -> tuple[Complaint, str] | None:
    """The complaint and its new access code when ``code`` is the live one-time code of
    ``reference``; None otherwise (unknown reference, no request, wrong, expired, used or
    exhausted code all look the same)."""
    reference = normalize_reference(reference)[:20]
    code = (code or "").strip()
    now = timezone.now()
    with transaction.atomic():
        # Locked: two confirmations of one code must not both succeed, and the attempt count
        # must not be lost between concurrent tries.
        recovery = (
            AccessCodeRecovery.objects.select_for_update()
            .filter(
                reference=reference,
                complaint__isnull=False,
                used_at__isnull=True,
                expires_at__gt=now,
                attempts__lt=MAX_ATTEMPTS,
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if recovery is None:
            _code_hash(code)
            return None
        recovery.attempts += 1
        if not hmac.compare_digest(_code_hash(code), recovery.code_hash):
            recovery.save(update_fields=["attempts"])
            return None
        recovery.used_at = now
        recovery.save(update_fields=["attempts", "used_at"])
        new_code = access_code_new()
        actor = Complainant(recovery.complaint_id)
        locked, _target = begin(
            complaint=recovery.complaint, actor=actor, action=Action.RESET_ACCESS_CODE
        )
        event = move(
            locked,
            action=Action.RESET_ACCESS_CODE,
            actor=actor,
            public=False,
            fields={"access_code_hash": access_code_hash(new_code)},
            data={"channel": recovery.channel},
            at=now,
        )
        write(locked, [event])
    return locked, new_code
