"""复核: the complainant's request for a review of an unfounded finding, and the credit office's
decision (issue 18; seed 004 二(二) makes the department's finding the first word, not the
last). Both go through ``begin`` → ``move`` → ``write``.

- The request is open for 15 working days after the finding (``REVIEW_WINDOW_WORKDAYS``: a
  local rule, set here as data; no national text fixes the period for this procedure), only on
  an ``unfounded`` case and once at a time; otherwise 409.
- Upheld: the case goes back to ``verifying`` (as a reopen would), with the reason.
  Refused: the case stays ``unfounded`` and the reason is on the complainant's timeline.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.policy import Complainant
from integrity_portal.api import InvalidTransition, NotEligible
from integrity_portal.workdays import Calendar

from ..choices import Action, Status
from ..models import Complaint
from . import deadlines
from .transitions import begin, move, write

REVIEW_WINDOW_WORKDAYS = 15


def review_deadline(complaint: Complaint):
    """The last day a review may be asked for (None when the case is not unfounded)."""
    if complaint.status != Status.UNFOUNDED or complaint.closed_at is None:
        return None
    closed_day = deadlines.local_date(complaint.closed_at)
    return Calendar().add_workdays(closed_day, REVIEW_WINDOW_WORKDAYS)


def complaint_request_review(*, complaint: Complaint, reason: str) -> Complaint:
    """The complainant asks for 复核 of an unfounded finding (409 outside the window, on another
    status, or while a request is pending; 400 without a reason)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        actor = Complainant(complaint.pk)
        locked, _target = begin(complaint=complaint, actor=actor, action=Action.REQUEST_REVIEW)
        if locked.status != Status.UNFOUNDED:
            raise InvalidTransition(
                detail=_("只有认定不属实的投诉可以申请复核。"),
                status=locked.status,
                action=Action.REQUEST_REVIEW,
            )
        if locked.review_requested_at is not None:
            raise NotEligible(detail=_("已申请复核，请等待信用办决定。"))
        last_day = review_deadline(locked)
        if last_day is None or timezone.localdate() > last_day:
            raise NotEligible(
                detail=_("复核申请须在认定不属实后 %(n)s 个工作日内提出（截至 %(day)s）。")
                % {"n": REVIEW_WINDOW_WORKDAYS, "day": last_day}
            )
        if not reason:
            raise ValidationError({"reason": _("请填写申请复核的理由。")}, code="required")
        event = move(
            locked,
            action=Action.REQUEST_REVIEW,
            actor=actor,
            data={"reason": reason},
            fields={"review_requested_at": timezone.now()},
        )
        write(locked, [event])
    return locked


@transaction.atomic
def complaint_decide_review(
    *, complaint: Complaint, actor, upheld: bool, reason: str, expected_version=None
) -> Complaint:
    """The credit office decides a pending 复核: upheld → back to verifying; refused → stays
    unfounded, the reason on the timeline. 409 when no review is pending."""
    locked, _target = begin(
        complaint=complaint,
        actor=actor,
        action=Action.DECIDE_REVIEW,
        expected_version=expected_version,
    )
    if locked.status != Status.UNFOUNDED or locked.review_requested_at is None:
        raise InvalidTransition(
            detail=_("该投诉没有待决定的复核申请。"),
            status=locked.status,
            action=Action.DECIDE_REVIEW,
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("此项为必填项。")}, code="required")
    event = move(
        locked,
        action=Action.DECIDE_REVIEW,
        to_status=Status.VERIFYING if upheld else None,
        actor=actor,
        note=reason,
        data={"upheld": bool(upheld), "reason": reason},
        fields={"review_requested_at": None, **({"severity": ""} if upheld else {})},
        routed_at=deadlines.last_routed_at(locked) if upheld else None,
    )
    write(locked, [event])
    return locked
