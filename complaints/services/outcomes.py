"""The outcome of each stage, stored on the complaint when the stage ends.

The evaluation (DESIGN section 8) asks of every complaint whether it was routed, accepted and
verified on time, whether it was found founded, closed or reopened, and how many working days
it took. ``transitions.move`` — the one place a complaint's state changes — records those
answers here as the stages end, so that every evaluation figure is one SQL aggregate over the
complaints instead of a walk through their events. Migration ``complaints 0015`` filled the
columns for complaints that existed before, from their events, by the same rules.
"""

import datetime as dt

from integrity_portal.workdays import Calendar

from ..choices import CLOSED_STATUSES, Action, Status
from ..models import EVALUATION_OUTCOMES
from .deadlines import end_of_day, local_date

# Seed 004 二(一): 第一时间将线索转交 — a complaint is routed on time when it reaches its
# handling department by the end of the first working day after submission (automatic routing
# is immediate; a complaint pending routing waits for the credit office). One working day is
# local practice: neither the seed nor DESIGN gives a number.
ROUTING_WORKDAYS = 1
# A complaint is founded once it reached rectification or negotiation (DESIGN section 4).
FOUNDED_STATUSES = frozenset({Status.RECTIFYING, Status.NEGOTIATING})
# Stage → the column that keeps whether its first run ended within its due date.
STAGE_ON_TIME = {Status.ROUTED: "accepted_on_time", Status.VERIFYING: "verified_on_time"}

OUTCOME_FIELDS = EVALUATION_OUTCOMES


def routing_due(submitted_at: dt.datetime, calendar: Calendar | None = None) -> dt.datetime:
    """When routing falls due: the end of the ``ROUTING_WORKDAYS``-th working day after
    the day of submission."""
    calendar = calendar or Calendar()
    return end_of_day(calendar.add_workdays(local_date(submitted_at), ROUTING_WORKDAYS))


def outcomes(
    complaint,
    *,
    action: str,
    from_status: str,
    to_status: str,
    at: dt.datetime,
    due_at: dt.datetime | None,
    calendar: Calendar | None = None,
) -> dict:
    """The outcome columns a step ``from_status`` → ``to_status`` at ``at`` sets.

    ``due_at`` is the due time of the stage that ends (``None``: the stage ran without a
    clock, so it ended on time). Only the first run of a stage is judged; a status that does
    not change ends no stage.
    """
    out = {}
    if action == Action.REOPEN and complaint.reopened_at is None:
        out["reopened_at"] = at
    if to_status == from_status:
        return out
    if to_status == Status.ROUTED and complaint.routed_at is None:
        out["routed_at"] = at
        out["routed_on_time"] = at <= routing_due(complaint.submitted_at or at, calendar)
    column = STAGE_ON_TIME.get(from_status)
    if column and getattr(complaint, column) is None:
        out[column] = due_at is None or at <= due_at
    if to_status in FOUNDED_STATUSES and complaint.founded_at is None:
        out["founded_at"] = at
    if to_status in CLOSED_STATUSES:
        if complaint.first_closed_at is None:
            out["first_closed_at"] = at
        if to_status != Status.WITHDRAWN:
            calendar = calendar or Calendar()
            start = local_date(complaint.submitted_at or at)
            out["handling_workdays"] = calendar.workdays_between(start, local_date(at))
    return out
