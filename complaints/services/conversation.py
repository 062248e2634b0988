"""Messages between the complainant and the staff, and the staff's internal notes."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from agencies.policy import AGENCY_LIAISON, CREDIT_OFFICER, HANDLER, require, roles_of
from integrity_portal.api import NotEligible

from ..choices import OPEN_STATUSES, Action, MessageSender
from ..models import Complaint, ComplaintMessage
from ..selectors import complaint_scope
from .intake import attachments_add
from .notifications import reply_notices_queue
from .transitions import begin, move, write
from .workflow import required

MAX_MESSAGE = 5000

# Who speaks, by the role the staff member acts in (a superuser speaks for the credit office).
SENDER_OF_ROLE = (
    (CREDIT_OFFICER, MessageSender.CREDIT_OFFICE),
    (HANDLER, MessageSender.HANDLER),
    (AGENCY_LIAISON, MessageSender.AGENCY),
)


def complaint_reply(*, complaint: Complaint, actor, body: str) -> ComplaintMessage:
    """A staff message to the complainant (handler, the respondent's liaison, credit office)."""
    if not complaint_scope(actor).admits(complaint):
        raise Http404
    require(actor, "complaint.reply")
    roles = roles_of(actor)
    sender = next(sender for role, sender in SENDER_OF_ROLE if role in roles)
    body = required(body, "body")
    if len(body) > MAX_MESSAGE:
        raise ValidationError({"body": _("内容过长。")}, code="max_length")
    with transaction.atomic():
        message = ComplaintMessage.objects.create(
            complaint=complaint, sender=sender, author=actor, body=body
        )
        # The complainant learns of the reply by SMS/e-mail (outbox, same transaction).
        reply_notices_queue(complaint, sender=sender)
    return message


@transaction.atomic
def complaint_note_add(*, complaint: Complaint, actor, note: str):
    """An internal note on the timeline (never shown to the complainant or the respondent)."""
    locked, _target = begin(complaint=complaint, actor=actor, action=Action.INTERNAL_NOTE)
    note = required(note, "note")
    (event,) = write(
        locked,
        [move(locked, action=Action.INTERNAL_NOTE, actor=actor, public=False, note=note)],
    )
    return event


def complainant_message_add(*, complaint: Complaint, body: str, files=()) -> ComplaintMessage:
    """The complainant adds a message and/or evidence to an open complaint."""
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.status not in OPEN_STATUSES:
            raise NotEligible(_("投诉已办结，不能再补充留言或材料。"))
        message = ComplaintMessage.objects.create(
            complaint=locked, sender=MessageSender.COMPLAINANT, body=body
        )
        if files:
            attachments_add(complaint=locked, files=files)
    return message
