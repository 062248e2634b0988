"""Where a complaint's state changes: ``begin`` → ``move`` → ``write``, and nowhere else.

Every verb that changes a complaint — submission's first status and its routing, the workflow
of DESIGN section 4, the clock of section 5, withdrawal, the sweeps' notices — goes through
these three functions::

    locked, target = begin(complaint=c, actor=user, action=Action.ACCEPT, expected_version=v)
    event = move(locked, action=Action.ACCEPT, to_status=target, actor=user)
    write(locked, [event])

- ``begin`` locks the row (``select_for_update``: two people acting at once are serialised; the
  second sees the first one's result and fails the transition check), then checks, in this
  order, scope (404), role (403, the policy table), the version the user saw (409 ``stale``)
  and the transition table (409 ``invalid_transition``).
- ``move`` changes the row in memory — the status, the stage's clock (a new stage gets a new due
  date and loses the old one's pause, supervision and escalation), ``closed_at``, the verb's own
  fields, the outcome of the stage that ends (``outcomes``: what the evaluation counts) — and
  returns the event that records it, chained onto the complaint's last event.
- ``write`` saves the row (an INSERT for a new complaint) and its events, the complainant's
  notices for public status changes (outbox rows, same transaction), and after commit announces
  each event to other apps (``complaint_event_committed``).

Call all three inside one ``transaction.atomic`` block. Events store the action code and its
parameters (``data``), never rendered text: the timeline is rendered in the reader's language
when shown (``complaints.timeline``).
"""

import datetime as dt

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.policy import Complainant, may, require
from integrity_portal.api import InvalidTransition, StaleObject
from sharing.services.webhooks import origin_notify

from ..choices import CLOSED_STATUSES, TRANSITIONS, Action, ActorKind, Status
from ..models import Complaint, ComplaintEvent
from ..selectors import complaint_scope
from ..signals import complaint_event_committed
from . import deadlines
from .events import chain_seal, event_hash, event_payload
from .outcomes import outcomes


def verb(action: str) -> str:
    """The policy table's verb for a complaint action (``accept`` → ``complaint.accept``)."""
    return f"complaint.{action}"


def authorize(*, actor, complaint: Complaint, action: str) -> None:
    """404 when the case is outside the actor's scope, 403 when the role may not act."""
    if not complaint_scope(actor).admits(complaint):
        raise Http404
    require(actor, verb(action))


def may_act(*, actor, complaint: Complaint, action: str) -> bool:
    """Scope and role in one predicate, without raising (which forms and buttons to show)."""
    return complaint_scope(actor).admits(complaint) and may(actor, verb(action))


def check_transition(complaint: Complaint, action: str) -> str | None:
    """The target status of ``action`` from the complaint's status, or 409.

    ``None`` means the service decides the target (``record_judgment``).
    """
    allowed_from, target = TRANSITIONS[Action(action)]
    if complaint.status not in allowed_from:
        raise InvalidTransition(
            detail=_("投诉当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": Status(complaint.status).label, "action": Action(action).label},
            status=complaint.status,
            action=str(action),
        )
    return target


def begin(
    *, complaint: Complaint, actor, action: str, expected_version: int | None = None
) -> tuple[Complaint, str | None]:
    """Lock the row and run the checks; return the locked row and the target status (None for
    a verb that keeps the status or decides it itself)."""
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    authorize(actor=actor, complaint=locked, action=action)
    if expected_version is not None and locked.version != expected_version:
        raise StaleObject(version=locked.version)
    target = check_transition(locked, action) if action in TRANSITIONS else None
    return locked, target


def move(
    complaint: Complaint,
    *,
    action: str,
    to_status: str | None = None,
    actor=None,
    actor_kind: str = ActorKind.STAFF,
    data: dict | None = None,
    note: str = "",
    fields: dict | None = None,
    public: bool = True,
    at: dt.datetime | None = None,
    routed_at: dt.datetime | None = None,
    clock: bool = True,
) -> ComplaintEvent:
    """Apply one verb to ``complaint`` in memory and return its (unsaved) event.

    ``to_status`` None keeps the status (the clock verbs, notes, notices). ``clock=False``
    starts the stage without a due date (a submission routed in the same breath). A change of status
    starts a new stage: its due date is computed (the basis goes into the event's
    ``data["deadline"]``), and pause, supervision and escalation of the old stage are cleared.
    ``fields`` are the verb's own columns. An existing complaint's ``version`` goes up whenever
    the row changes, so a form opened before is refused as stale. The names of the changed
    columns are kept on the instance (``_moved_fields``) for ``write``'s ``update_fields``; the
    event gets its place in the chain (``seq``) here and its hashes in ``write``, once the
    complaint has its id.
    """
    at = at or timezone.now()
    data = dict(data or {})
    from_status = complaint.status
    changed = dict(fields or {})
    # The evaluation's record of the stage that ends (before the new stage replaces its due).
    changed.update(
        outcomes(
            complaint,
            action=action,
            from_status=from_status,
            to_status=to_status if to_status is not None else from_status,
            at=at,
            due_at=complaint.due_at,
        )
    )
    if to_status is not None and to_status != from_status:
        changed.update(
            _new_stage(complaint, to_status, at=at, routed_at=routed_at, data=data, clock=clock)
        )
    for name, value in changed.items():
        setattr(complaint, name, value)
    if changed:
        if not complaint._state.adding:
            complaint.version += 1
            changed["version"] = complaint.version
        complaint._moved_fields = getattr(complaint, "_moved_fields", set()) | set(changed)
    if actor is not None and isinstance(actor, Complainant):
        actor_kind = ActorKind.COMPLAINANT
    event = ComplaintEvent(
        complaint=complaint,
        seq=complaint.last_event_seq + 1,
        action=action,
        from_status=from_status,
        to_status=complaint.status if to_status is not None else from_status,
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        actor_kind=actor_kind,
        is_public=public,
        note=note,
        data=data,
        created_at=at,
    )
    complaint.last_event_seq = event.seq
    return event


def _new_stage(complaint, to_status: str, *, at, routed_at, data: dict, clock=True) -> dict:
    """The columns of a new stage ``to_status`` starting ``at``."""
    complaint.status = to_status  # stage_deadline reads the complaint's domain and dates
    due_at, basis = (
        deadlines.stage_deadline(
            complaint=complaint, status=to_status, start=at, routed_at=routed_at
        )
        if clock
        else (None, None)
    )
    if basis:
        data["deadline"] = basis
    return {
        "status": to_status,
        "stage_started_at": at,
        "due_at": due_at,
        "clock_paused_at": None,
        "supervised_at": None,
        "escalated_at": None,
        "closed_at": at if to_status in CLOSED_STATUSES else None,
    }


def write(complaint: Complaint, events: list[ComplaintEvent]) -> list[ComplaintEvent]:
    """Save ``complaint`` (INSERT when new) and its events, queue the complainant's notices,
    and announce every event after commit. Call inside the transaction ``begin`` opened."""
    from .notifications import notices_queue

    new = complaint._state.adding
    if new:
        complaint.save(force_insert=True)  # the id goes into every hash
    prev_hash = _hash_before(complaint, events[0].seq)
    for event in events:
        event.complaint = complaint  # the id the INSERT assigned, for a new complaint
        event.prev_hash = prev_hash
        event.hash = event_hash(
            prev_hash=prev_hash,
            complaint_id=complaint.pk,
            seq=event.seq,
            payload=event_payload(event),
        )
        prev_hash = event.hash
    # The chain's head on the row, sealed (services.events): a deleted last event shows.
    complaint.last_event_hash = prev_hash
    complaint.chain_seal = chain_seal(
        complaint_id=complaint.pk, seq=complaint.last_event_seq, last_hash=prev_hash
    )
    head = {"last_event_seq", "last_event_hash", "chain_seal"}
    if new:
        Complaint.objects.filter(pk=complaint.pk).update(
            last_event_hash=complaint.last_event_hash, chain_seal=complaint.chain_seal
        )
    else:
        moved = getattr(complaint, "_moved_fields", set())
        complaint.save(update_fields=sorted(moved | head | {"updated_at"}))
    complaint._moved_fields = set()
    events = ComplaintEvent.objects.bulk_create(events)
    notices_queue(complaint, events)
    if complaint.external_ref:
        _origin_notify(complaint, events)
    announcements = [(e.pk, e.action, e.to_status) for e in events]
    complaint_id = complaint.pk

    def announce():
        for event_id, action, to_status in announcements:
            complaint_event_committed.send(
                sender=ComplaintEvent,
                event_id=event_id,
                complaint_id=complaint_id,
                action=action,
                to_status=to_status,
            )

    transaction.on_commit(announce)
    return events


def _origin_notify(complaint: Complaint, events: list[ComplaintEvent]) -> None:
    """A complaint that another system registered reports each public step back to it with
    the origin's own id (DESIGN section 13: the 12345 work order closes when ours does).
    Internal events (an assignment, a follow-up call, an internal note) stay inside the
    portal, as they do on the complainant's tracking page. Queued in this transaction; the
    worker delivers."""
    now = timezone.now()
    for event in events:
        if not event.is_public:
            continue
        origin_notify(
            channel=complaint.channel,
            agency_id=complaint.respondent_agency_id,
            payload={
                "external_ref": complaint.external_ref,
                "reference": complaint.reference,
                "channel": complaint.channel,
                "action": event.action,
                "status": event.to_status,
                "closed": complaint.closed_at is not None,
                "at": now,
            },
        )


def _hash_before(complaint: Complaint, seq: int) -> str:
    """The hash of the event before ``seq`` (the chain's previous link; none before the first):
    the head kept on the complaint row, read from the log only for a row without one."""
    if seq == 1:
        return ""
    if complaint.last_event_hash:  # as loaded (under the row lock): the event before ``seq``
        return complaint.last_event_hash
    return (
        ComplaintEvent.objects.filter(complaint=complaint, seq=seq - 1)
        .values_list("hash", flat=True)
        .get()
    )
