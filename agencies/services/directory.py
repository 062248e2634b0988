"""Writes to the agency directory. Views, serializers, the admin and commands call these."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Agency, Region, User
from ..validators import validate_uscc

# A supervisor chain longer than this is a data error, not an organisation chart.
MAX_SUPERVISOR_DEPTH = 64


def supervisor_creates_loop(*, agency: Agency | None, supervisor: Agency | None) -> bool:
    """Would making ``supervisor`` the supervisor of ``agency`` close a cycle?"""
    if supervisor is None or agency is None or agency.pk is None:
        return False
    current_id = supervisor.pk
    seen: set[int] = set()
    while current_id is not None and len(seen) < MAX_SUPERVISOR_DEPTH:
        if current_id == agency.pk:
            return True
        seen.add(current_id)
        current_id = (
            Agency.objects.filter(pk=current_id).values_list("supervisor_id", flat=True).first()
        )
        if current_id in seen:
            return True
    return current_id is not None


def _clean_uscc(value: str | None) -> str | None:
    """Normalised USCC, ``None`` when blank; a bad code is a field error on ``uscc``."""
    if not value or not value.strip():
        return None
    try:
        return validate_uscc(value)
    except ValidationError as exc:
        raise ValidationError({"uscc": exc.error_list}) from None


def _check_supervisor(agency: Agency | None, supervisor: Agency | None) -> None:
    if supervisor_creates_loop(agency=agency, supervisor=supervisor):
        raise ValidationError(
            {"supervisor": _("不能将该机构设为上级部门：会形成循环的隶属关系。")},
            code="supervisor_loop",
        )


@transaction.atomic
def agency_create(
    *,
    name: str,
    kind: str,
    uscc: str | None = None,
    region: Region | None = None,
    supervisor: Agency | None = None,
    is_active: bool = True,
) -> Agency:
    """Create an agency. The USCC is normalised (upper case, no spaces) and checked."""
    agency = Agency(
        name=name,
        kind=kind,
        uscc=_clean_uscc(uscc),
        region=region,
        supervisor=supervisor,
        is_active=is_active,
    )
    agency.full_clean()
    agency.save()
    return agency


_UPDATABLE = ("name", "kind", "uscc", "region", "supervisor", "is_active")


@transaction.atomic
def agency_update(*, agency: Agency, **changes) -> Agency:
    """Update the given fields. A supervisor change that would create a loop is refused.

    The row and the proposed supervisor chain are read under ``select_for_update`` so two
    concurrent edits (A under B, B under A) cannot both pass the loop check.
    """
    unknown = set(changes) - set(_UPDATABLE)
    if unknown:
        raise TypeError(f"not updatable: {sorted(unknown)}")
    if "uscc" in changes:
        changes["uscc"] = _clean_uscc(changes["uscc"])
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    if "supervisor" in changes:
        supervisor = changes["supervisor"]
        if supervisor is not None:
            Agency.objects.select_for_update().filter(pk=supervisor.pk).exists()
        _check_supervisor(agency, supervisor)
    changed = [f for f, v in changes.items() if getattr(agency, f) != v]
    if not changed:
        return agency
    for field in changed:
        setattr(agency, field, changes[field])
    agency.full_clean()
    agency.save(update_fields=[*changed, "updated_at"])
    return agency


@transaction.atomic
def staff_create(
    *,
    username: str,
    password: str,
    agency: Agency,
    role: str,
    email: str = "",
    first_name: str = "",
) -> User:
    user = User(username=username, email=email, agency=agency, role=role, first_name=first_name)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


_STAFF_UPDATABLE = ("agency", "role", "email", "first_name", "is_active")


@transaction.atomic
def staff_update(*, user: User, password: str | None = None, **changes) -> User:
    """Change a staff account's agency, role, contact fields, active flag or password."""
    unknown = set(changes) - set(_STAFF_UPDATABLE)
    if unknown:
        raise TypeError(f"not updatable: {sorted(unknown)}")
    user = User.objects.select_for_update().get(pk=user.pk)
    changed = [f for f, v in changes.items() if getattr(user, f) != v]
    for field in changed:
        setattr(user, field, changes[field])
    if password:
        user.set_password(password)
        changed.append("password")
    if not changed:
        return user
    user.full_clean(exclude=["password"])
    user.save(update_fields=changed)
    return user
