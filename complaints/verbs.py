"""The staff verbs on a complaint, each with its service, its API body and its console form.

One row per verb, read by the API (``POST /api/v1/complaints/{reference}/{verb}/``, whose
routes are declared one by one in ``api/views.py``) and by the console's action forms. Who may
use each verb is the policy table's answer (``agencies.policy``, verb ``complaint.<code>``);
which state allows it is the transition table's (``choices.TRANSITIONS``).
"""

from collections.abc import Callable
from dataclasses import dataclass

from .api import serializers as s
from .choices import TRANSITIONS, Action, Status
from .console import forms as f
from .models import Complaint
from .services import arrears, clock, review, workflow
from .services.deadlines import TIMED_STATUSES
from .services.transitions import may_act


@dataclass(frozen=True)
class Verb:
    code: str
    service: Callable
    serializer: type
    form: type

    @property
    def label(self) -> str:
        return Action(self.code).label

    def applies_to(self, complaint: Complaint) -> bool:
        """Whether the case's state allows the verb now (the transition table, or for the
        clock verbs a running or paused clock)."""
        if self.code in TRANSITIONS:
            return complaint.status in TRANSITIONS[self.code][0]
        if self.code == Action.DECIDE_REVIEW:
            return (
                complaint.status == Status.UNFOUNDED and complaint.review_requested_at is not None
            )
        if self.code == Action.RECORD_PAYMENT:
            return (
                arrears.has_arrears_facts(complaint)
                and complaint.status not in arrears.NO_PAYMENT_STATUSES
                and bool(complaint.amount_outstanding)
            )
        timed = complaint.status in TIMED_STATUSES and complaint.due_at is not None
        paused = complaint.clock_paused_at is not None
        return timed and (paused if self.code == Action.RESUME else not paused)


VERBS: dict[str, Verb] = {
    verb.code: verb
    for verb in (
        Verb(Action.ACCEPT, workflow.complaint_accept, s.EmptyActionSerializer, f.EmptyForm),
        Verb(Action.REROUTE, workflow.complaint_reroute, s.RerouteSerializer, f.RerouteForm),
        Verb(Action.REJECT, workflow.complaint_reject, s.ReasonSerializer, f.ReasonForm),
        Verb(
            Action.FIND_UNFOUNDED,
            workflow.complaint_find_unfounded,
            s.ExplanationSerializer,
            f.ExplanationForm,
        ),
        Verb(
            Action.FIND_FOUNDED,
            workflow.complaint_find_founded,
            s.FindFoundedSerializer,
            f.FoundedForm,
        ),
        Verb(Action.FIND_DISPUTED, workflow.complaint_find_disputed, s.NoteSerializer, f.NoteForm),
        Verb(
            Action.RECORD_RECTIFIED,
            workflow.complaint_record_rectified,
            s.NoteSerializer,
            f.NoteForm,
        ),
        Verb(
            Action.RECORD_SETTLEMENT,
            workflow.complaint_record_settlement,
            s.NoteSerializer,
            f.NoteForm,
        ),
        Verb(
            Action.REFER_TO_LITIGATION,
            workflow.complaint_refer_to_litigation,
            s.NoteSerializer,
            f.NoteForm,
        ),
        Verb(
            Action.RECORD_JUDGMENT,
            workflow.complaint_record_judgment,
            s.JudgmentSerializer,
            f.JudgmentForm,
        ),
        Verb(
            Action.DETERMINE_BREACH,
            workflow.complaint_determine_breach,
            s.BreachSerializer,
            f.BreachForm,
        ),
        Verb(Action.REOPEN, workflow.complaint_reopen, s.ReasonSerializer, f.ReasonForm),
        # The clock (DESIGN section 5); not part of the binding contract, same shape.
        Verb(Action.PAUSE, clock.complaint_clock_pause, s.ReasonSerializer, f.ReasonForm),
        Verb(Action.RESUME, clock.complaint_clock_resume, s.EmptyActionSerializer, f.EmptyForm),
        Verb(Action.EXTEND, clock.complaint_clock_extend, s.ExtendSerializer, f.ExtendForm),
        # 复核 of an unfounded finding, decided by the credit office.
        Verb(
            Action.DECIDE_REVIEW,
            review.complaint_decide_review,
            s.DecideReviewSerializer,
            f.DecideReviewForm,
        ),
        # Payment arrears (DESIGN section 12).
        Verb(
            Action.RECORD_PAYMENT,
            arrears.complaint_record_payment,
            s.PaymentSerializer,
            f.PaymentForm,
        ),
    )
}


def verbs_allowed(*, actor, complaint: Complaint) -> list[str]:
    """The verbs ``actor`` may use on the case right now (the console's forms, the API's
    ``allowed_actions``): the state allows it, the case is in the actor's scope and the role
    may."""
    return [
        code
        for code, verb in VERBS.items()
        if verb.applies_to(complaint) and may_act(actor=actor, complaint=complaint, action=code)
    ]
