"""回访: the credit office's follow-up call to a complainant who was dissatisfied with a closed
case or never rated it (seed 000: 对于不满意的评价 … 接入12345热线进行后续的跟踪处理).

A call is an internal event (result + note) written through the one state-change path; it
takes a dissatisfied case off the follow-up list (``Feedback.flagged`` cleared) and an unrated
one too (a follow-up event after its closure). Where the transition table allows (a closed
case other than a withdrawn one) the officer may reopen it for verification in the same step.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integrity_portal.workdays import Calendar

from ..choices import CLOSED_STATUSES, TRANSITIONS, Action, FollowUpResult, Status
from ..models import Complaint, Feedback
from .transitions import begin, move, write
from .workflow import complaint_reopen, required

MAX_NOTE = 2000


def unrated_cutoff(now=None) -> dt.datetime:
    """The instant before which an unrated closure is due for a call: the start of the day
    after the day ``FOLLOW_UP_UNRATED_WORKDAYS`` working days before today."""
    now = now or timezone.now()
    calendar = Calendar()
    day, counted = timezone.localdate(now), 0
    while counted < settings.FOLLOW_UP_UNRATED_WORKDAYS:
        day -= dt.timedelta(days=1)
        if calendar.is_workday(day):
            counted += 1
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)


def may_reopen(complaint: Complaint) -> bool:
    """Whether the transition table lets the case be reopened from its status."""
    return complaint.status in TRANSITIONS[Action.REOPEN][0]


@transaction.atomic
def complaint_follow_up(
    *, complaint: Complaint, actor, result: str, note: str, reopen: bool = False
) -> Complaint:
    """Record a follow-up call on a closed case; ``reopen`` also sends it back to verification
    (the note is the reason). 404/403 as every verb; 400 for a bad result, an empty note, an
    open case, or a reopen the transition table refuses — and nothing is written then."""
    locked, _target = begin(complaint=complaint, actor=actor, action=Action.FOLLOW_UP)
    if result not in FollowUpResult.values:
        raise ValidationError({"result": _("请选择回访结果。")}, code="invalid_choice")
    note = required(note, "note")
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("内容过长。")}, code="max_length")
    if locked.status not in CLOSED_STATUSES or locked.status == Status.WITHDRAWN:
        raise ValidationError({"result": _("只能回访已办结的投诉。")}, code="not_closed")
    if reopen and not may_reopen(locked):
        raise ValidationError({"reopen": _("该投诉当前状态不能重新核查。")}, code="not_allowed")
    event = move(
        locked,
        action=Action.FOLLOW_UP,
        actor=actor,
        public=False,
        data={"result": result, "note": note, "reopen": bool(reopen)},
    )
    write(locked, [event])
    Feedback.objects.filter(complaint=locked, flagged=True).update(flagged=False)
    if reopen:
        locked = complaint_reopen(complaint=locked, actor=actor, reason=note)
    return locked
