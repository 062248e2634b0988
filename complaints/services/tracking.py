"""What the complainant can do with a reference and an access code (no account).

Lookup gives the same answer for an unknown reference and a wrong code (no oracle for
guessing references); wrong codes are counted per client and per reference and throttled.
"""

import hmac

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from agencies.policy import Complainant
from integrity_portal.api import NotEligible
from integrity_portal.http import client_address

from ..choices import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    WITHDRAWABLE_STATUSES,
    Action,
    MessageSender,
    Satisfaction,
    Status,
)
from ..models import Complaint, Feedback
from ..timeline import public_text
from .references import access_code_hash, normalize_access_code, normalize_reference
from .transitions import begin, move, write

# Status in plain words for the complainant (DESIGN section 4).
STATUS_EXPLANATIONS = {
    Status.PENDING_ROUTING: gettext_lazy(
        "投诉已收到。被投诉单位暂无登记的上级部门，信用办正在确定承办单位。"
    ),
    Status.ROUTED: gettext_lazy("投诉已转交被投诉单位的上级部门或主管部门，等待其受理。"),
    Status.VERIFYING: gettext_lazy("承办单位已受理，正在核实情况。"),
    Status.RECTIFYING: gettext_lazy("经核实投诉属实，承办单位正在督促被投诉单位限期整改。"),
    Status.NEGOTIATING: gettext_lazy("双方存在分歧，承办单位正在组织协商解决。"),
    Status.LITIGATION: gettext_lazy("已转入诉讼、仲裁或行政复议等法律途径解决。"),
    Status.UNFOUNDED: gettext_lazy("经核实投诉情况不属实，已办结。承办单位的解释说明见下文。"),
    Status.RECTIFIED: gettext_lazy("被投诉单位已整改履约，已办结。"),
    Status.SETTLED: gettext_lazy("双方已达成和解协议，已办结。"),
    Status.BREACH: gettext_lazy("被投诉单位拒不整改，已认定为违约失信并记入政务信用记录。"),
    Status.DISMISSED: gettext_lazy("司法途径裁判支持被投诉单位，已办结。"),
    Status.REJECTED: gettext_lazy("投诉不属于受理范围，不予受理，已办结。"),
    Status.WITHDRAWN: gettext_lazy("您已撤回投诉，已办结。"),
}


class TrackingThrottled(Exception):
    def __init__(self, wait: int):
        self.wait = wait
        super().__init__(wait)


def _rate(scope: str):
    # Read at request time, so an overridden setting (tests, operators) applies at once.
    rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
    if not rate:
        return None
    return SimpleRateThrottle.parse_rate(None, rate)


def client_ident(request) -> str:
    """The client address (``TRUSTED_PROXY_COUNT`` decides whether a proxy's header counts)."""
    return client_address(request)


def _failure_keys(request, reference: str) -> list[tuple[str, str]]:
    # Per client address only, never per reference: references are sequential, and a count
    # per reference would let anyone (a respondent) lock a complainant out of tracking,
    # withdrawing and rating from elsewhere. 60-bit codes make guessing one reference
    # hopeless without that count (DESIGN section 11).
    return [("track", f"track-fail:client:{client_ident(request)}")]


def tracking_guard(request, reference: str) -> None:
    """Raise ``TrackingThrottled`` when this client address had too many misses."""
    for scope, key in _failure_keys(request, reference):
        rate = _rate(scope)
        if rate is None:
            continue
        num, duration = rate
        if (cache.get(key) or 0) >= num:
            raise TrackingThrottled(duration)


def _failure_record(request, reference: str) -> None:
    for scope, key in _failure_keys(request, reference):
        rate = _rate(scope)
        if rate is None:
            continue
        cache.add(key, 0, timeout=rate[1])
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=rate[1])


def complaint_for_complainant(*, request, reference: str, access_code: str) -> Complaint | None:
    """The complaint when reference and code match, else None (and the miss is counted).

    Raises ``TrackingThrottled`` first when the client address is over its limit.
    """
    reference = normalize_reference(reference)
    tracking_guard(request, reference)
    complaint = (
        Complaint.objects.select_related("handling_agency", "respondent_agency")
        .filter(reference=reference)
        .first()
    )
    # Hash even when the reference is unknown, so both misses cost the same time.
    typed_hash = access_code_hash(normalize_access_code(access_code))
    stored = complaint.access_code_hash if complaint else "0" * 64
    if complaint is None or not hmac.compare_digest(typed_hash, stored):
        _failure_record(request, reference)
        return None
    return complaint


def public_timeline(complaint: Complaint, events=None) -> list[dict]:
    """``[{at, status, message}]`` from the public events only (never internal notes), in the
    reader's language."""
    timeline, status = [], ""
    if events is None:
        events = complaint.events.filter(is_public=True).order_by("seq")
    for event in events:
        status = event.to_status or status or complaint.status
        timeline.append({"at": event.created_at, "status": status, "message": public_text(event)})
    return timeline


# The steps of a case as the complainant sees them (DESIGN section 4): 受理 → 转办 → 核实 →
# 结果 → 回访. Which event completes each step; the result step names the branch taken.
STEP_LABELS = {
    "submitted": pgettext_lazy("step", "受理"),
    "routed": pgettext_lazy("step", "转办"),
    "verifying": pgettext_lazy("step", "核实"),
    "result": pgettext_lazy("step", "结果"),
    "feedback": pgettext_lazy("step", "回访"),
}
_RESULT_STATUSES = frozenset(
    {
        Status.RECTIFYING,
        Status.NEGOTIATING,
        Status.LITIGATION,
        Status.UNFOUNDED,
        Status.RECTIFIED,
        Status.SETTLED,
        Status.BREACH,
        Status.DISMISSED,
        Status.REJECTED,
        Status.WITHDRAWN,
    }
)


def public_steps(complaint: Complaint, events, feedback) -> list[dict]:
    """The stepper: each step with its date (when reached), its state (``done``, ``current``,
    ``upcoming`` or ``skipped``) and, for the result, the branch the case took."""
    reached: dict[str, object] = {"submitted": complaint.submitted_at}
    result_status = ""
    for event in events:
        to = event.to_status
        if to == Status.ROUTED and "routed" not in reached:
            reached["routed"] = event.created_at
        elif to == Status.VERIFYING:
            reached.setdefault("verifying", event.created_at)
            # Reopened (重新核查): the earlier result no longer stands.
            reached.pop("result", None)
            result_status = ""
        elif to in _RESULT_STATUSES:
            reached.setdefault("result", event.created_at)
            result_status = to  # the latest outcome (a reopened case may end differently)
    if feedback is not None:
        reached["feedback"] = feedback.created_at
    closed = complaint.status in CLOSED_STATUSES
    # Rejected or withdrawn: the case ended before the remaining steps, and is not rated.
    ended_early = complaint.status in (Status.REJECTED, Status.WITHDRAWN)
    steps = []
    for key, label in STEP_LABELS.items():
        at = reached.get(key)
        state = "done" if at is not None else ("skipped" if ended_early else "upcoming")
        detail = str(Status(result_status).label) if key == "result" and result_status else ""
        steps.append({"key": key, "label": str(label), "at": at, "state": state, "detail": detail})
    if not closed:
        if result_status in OPEN_STATUSES:
            steps[3]["state"] = "current"  # found; rectification or negotiation goes on
        else:
            next(s for s in steps if s["state"] != "done")["state"] = "current"
    elif not ended_early and feedback is None:
        steps[4]["state"] = "current"  # waiting for the complainant's rating
    return steps


def case_holder(complaint: Complaint) -> str:
    """Who has the case now, in the complainant's words."""
    if complaint.status == Status.PENDING_ROUTING:
        return _("信用办（确定承办单位）")
    if complaint.status in CLOSED_STATUSES:
        return _("已办结")
    if complaint.handling_agency is not None:
        return complaint.handling_agency.name
    return _("信用办")


def complaint_public_view(complaint: Complaint) -> dict:
    """Everything the complainant may see about their complaint."""
    status = Status(complaint.status)
    feedback = Feedback.objects.filter(complaint=complaint).first()
    public_events = list(complaint.events.filter(is_public=True).order_by("seq"))
    return {
        "reference": complaint.reference,
        "status": status.value,
        "status_display": str(status.label),
        "status_explanation": str(STATUS_EXPLANATIONS[status]),
        "explanation": complaint.explanation if status == Status.UNFOUNDED else "",
        "title": complaint.title,
        "domain": complaint.domain,
        "respondent_agency": complaint.respondent_agency.name,
        "handling_agency": complaint.handling_agency.name if complaint.handling_agency else None,
        "submitted_at": complaint.submitted_at,
        "closed_at": complaint.closed_at,
        "timeline": public_timeline(complaint, public_events),
        "steps": public_steps(complaint, public_events, feedback),
        "holder": case_holder(complaint),
        "due_at": complaint.due_at if status in OPEN_STATUSES else None,
        "clock_paused": bool(complaint.clock_paused_at) and status in OPEN_STATUSES,
        "arrears": _arrears(complaint),
        "messages": [
            {
                "at": m.created_at,
                "sender": m.sender,
                "sender_display": str(MessageSender(m.sender).label),
                "body": m.body,
            }
            for m in complaint.messages.order_by("id")
        ],
        "attachments": [
            {"name": a.original_name, "size": a.size, "at": a.created_at}
            for a in complaint.attachments.order_by("id")
        ],
        "can_withdraw": status in WITHDRAWABLE_STATUSES,
        "can_request_review": _review_open(complaint),
        "can_message": status in OPEN_STATUSES,
        "can_give_feedback": feedback is None and _feedback_allowed(status),
        "feedback": (
            {"satisfaction": feedback.satisfaction, "comment": feedback.comment}
            if feedback
            else None
        ),
    }


def _review_open(complaint: Complaint) -> bool:
    """Whether the complainant may still ask for 复核 (unfounded, none pending, in time)."""
    from .review import review_deadline

    last_day = review_deadline(complaint)
    return (
        last_day is not None
        and complaint.review_requested_at is None
        and timezone.localdate() <= last_day
    )


def _arrears(complaint: Complaint) -> dict | None:
    """Arrears facts and the late interest to date (DESIGN section 12), JSON-ready."""
    from .arrears import arrears_summary

    summary = arrears_summary(complaint)
    if summary is None:
        return None
    return {
        key: (str(value) if value is not None and not isinstance(value, dict) else value)
        for key, value in summary.items()
    }


def _feedback_allowed(status: str) -> bool:
    return status in CLOSED_STATUSES and status != Status.WITHDRAWN


def complaint_withdraw(*, complaint: Complaint, reason: str) -> Complaint:
    """撤回: only before any finding (pending_routing, routed, verifying)."""
    with transaction.atomic():
        # Locked: a handler's finding and the withdrawal must not both apply.
        locked, target = begin(
            complaint=complaint, actor=Complainant(complaint.pk), action=Action.WITHDRAW
        )
        event = move(
            locked,
            action=Action.WITHDRAW,
            to_status=target,
            actor=Complainant(complaint.pk),
            data={"reason": reason},
        )
        write(locked, [event])
    return locked


def feedback_submit(*, complaint: Complaint, satisfaction: str, comment: str = "") -> Feedback:
    """回访: once, on a closed case; 不满意 is flagged for the credit office."""
    with transaction.atomic():
        actor = Complainant(complaint.pk)
        locked, _target = begin(complaint=complaint, actor=actor, action=Action.FEEDBACK)
        if not _feedback_allowed(locked.status):
            raise NotEligible(_("投诉办结后才能评价。"))
        if Feedback.objects.filter(complaint=locked).exists():
            raise NotEligible(_("该投诉已评价过，每件投诉只能评价一次。"))
        flagged = satisfaction == Satisfaction.DISSATISFIED
        try:
            with transaction.atomic():
                feedback = Feedback.objects.create(
                    complaint=locked, satisfaction=satisfaction, comment=comment, flagged=flagged
                )
        except IntegrityError:
            raise NotEligible(_("该投诉已评价过，每件投诉只能评价一次。")) from None
        event = move(
            locked,
            action=Action.FEEDBACK,
            actor=actor,
            public=False,
            data={"satisfaction": satisfaction, "flagged": flagged},
        )
        write(locked, [event])
    return feedback
