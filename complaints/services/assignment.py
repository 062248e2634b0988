"""Assignment (指派) of a case to a named handler of the department that handles it.

A case belongs to its handling department; assignment only says which of its handlers works
it ("my cases"). Deadlines, supervision and the department's scope are unchanged by it. Each
assignment, reassignment or release is an internal event written through the one
state-change path (``transitions``: begin → move → write), so the timeline says who gave the
case to whom and when.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.policy import HANDLER, require

from ..choices import OPEN_STATUSES, Action
from ..models import Complaint
from ..selectors import complaint_scope
from .transitions import begin, move, write

BULK_LIMIT = 100  # rows one bulk assignment may name (a queue page is 25)


def department_handlers(agency_id: int | None):
    """The active handlers of a department, by name: whom its cases can be given to."""
    if agency_id is None:
        return get_user_model().objects.none()
    return (
        get_user_model()
        .objects.filter(agency_id=agency_id, role=HANDLER, is_active=True)
        .only("id", "username", "first_name", "last_name", "agency_id")
        .order_by("last_name", "first_name", "username")
    )


def display_name(user) -> str:
    return user.get_full_name() or user.username


def _check_assignee(complaint: Complaint, assignee) -> None:
    if assignee is None:
        return
    if (
        assignee.role != HANDLER
        or not assignee.is_active
        or assignee.agency_id != complaint.handling_agency_id
    ):
        raise ValidationError(
            {"assignee": _("只能指派给本案承办单位的在岗承办人。")}, code="not_in_department"
        )


def _assign_locked(locked: Complaint, *, actor, assignee):
    """The event of giving ``locked`` to ``assignee`` (None: back to the department)."""
    if locked.status not in OPEN_STATUSES:
        raise ValidationError({"assignee": _("案件已办结，不能再指派。")}, code="closed")
    if actor.agency_id != locked.handling_agency_id:
        # Colleagues and the lead of the department holding the case, nobody else.
        raise ValidationError(
            {"assignee": _("只有本案承办单位的人员可以指派。")}, code="not_in_department"
        )
    _check_assignee(locked, assignee)
    previous = locked.assignee
    data = {
        "assignee": assignee.pk if assignee else None,
        "assignee_name": display_name(assignee) if assignee else "",
        "previous": previous.pk if previous else None,
        "previous_name": display_name(previous) if previous else "",
    }
    return move(
        locked,
        action=Action.ASSIGN,
        actor=actor,
        public=False,
        data=data,
        fields={"assignee": assignee},
    )


@transaction.atomic
def complaint_assign(*, complaint: Complaint, actor, assignee, expected_version=None) -> Complaint:
    """Give one case to ``assignee`` (a handler of its department), or back to the department
    (``assignee`` None). 404 outside scope, 403 outside role, 409 stale, 400 for an assignee
    outside the department or a closed case; giving it to whom already holds it is a 400."""
    locked, _target = begin(
        complaint=complaint, actor=actor, action=Action.ASSIGN, expected_version=expected_version
    )
    if locked.assignee_id == (assignee.pk if assignee else None):
        raise ValidationError({"assignee": _("案件已由该承办人办理。")}, code="unchanged")
    write(locked, [_assign_locked(locked, actor=actor, assignee=assignee)])
    return locked


@transaction.atomic
def complaints_assign_bulk(*, references: list[str], actor, assignee) -> int:
    """Give several cases of the actor's department to one handler in one transaction: all or
    none. A reference outside the actor's scope is refused like a wrong one (400, nothing
    changes); cases the assignee already holds are left as they are. Returns how many changed."""
    require(actor, "complaint.assign")
    references = sorted(set(references))
    if not references:
        raise ValidationError({"references": _("请至少选择一件案件。")}, code="required")
    if len(references) > BULK_LIMIT:
        raise ValidationError(
            {"references": _("一次最多指派 %(n)s 件。") % {"n": BULK_LIMIT}}, code="too_many"
        )
    if assignee is None:
        raise ValidationError({"assignee": _("请选择承办人。")}, code="required")
    # Locked in reference order, so two bulk assignments never wait on each other in a cycle.
    rows = list(
        complaint_scope(actor)
        .filter(Complaint.objects.select_for_update(of=("self",)).filter(reference__in=references))
        .select_related("assignee")
        .order_by("reference")
    )
    if len(rows) != len(references):
        found = {row.reference for row in rows}
        missing = "、".join(ref for ref in references if ref not in found)
        raise ValidationError(
            {"references": _("以下案件不存在或不在您的范围内：%(refs)s") % {"refs": missing}},
            code="not_found",
        )
    changed = 0
    for locked in rows:
        if locked.assignee_id == assignee.pk:
            continue
        try:
            event = _assign_locked(locked, actor=actor, assignee=assignee)
        except ValidationError as exc:  # say which row; the transaction undoes the others
            detail = " ".join(exc.messages)
            raise ValidationError(
                {"references": f"{locked.reference}{_('：')}{detail}"}, code="refused"
            ) from None
        write(locked, [event])
        changed += 1
    return changed
