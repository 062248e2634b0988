"""DRF permissions by staff role (DESIGN section 1). 403 = role not allowed."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .choices import StaffRole


def is_credit_officer(user) -> bool:
    return bool(user and user.is_authenticated and getattr(user, "is_credit_officer", False))


def has_role(user, *roles: str) -> bool:
    return bool(user and user.is_authenticated and user.has_role(*roles))


class IsCreditOfficer(BasePermission):
    def has_permission(self, request, view):
        return is_credit_officer(request.user)


class IsStaff(BasePermission):
    """Any staff role (or superuser)."""

    def has_permission(self, request, view):
        return has_role(request.user, *StaffRole.values)


class ReadAnyoneWriteCreditOfficer(BasePermission):
    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or is_credit_officer(request.user)
