"""Writes to the agency directory and the staff accounts: one function per verb. Views,
serializers, the admin and the commands call these."""

from .directory import (
    MAX_SUPERVISOR_DEPTH,
    agency_create,
    agency_update,
    staff_create,
    staff_update,
    supervisor_creates_loop,
)

__all__ = [
    "MAX_SUPERVISOR_DEPTH",
    "agency_create",
    "agency_update",
    "staff_create",
    "staff_update",
    "supervisor_creates_loop",
]
