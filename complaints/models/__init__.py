"""The complaints app's models: the case and its log (``case``), and what the complainant sends
and receives (``complainant``). Everything is imported from here, as from one module."""

from .case import (
    EVALUATION_OUTCOMES,
    AppendOnlyQuerySet,
    Complaint,
    ComplaintEvent,
    LoanPrimeRate,
    ReferenceCounter,
    SavedFilter,
)
from .complainant import (
    AccessCodeRecovery,
    Attachment,
    ComplaintMessage,
    Feedback,
    IssuedDocument,
    Notification,
    StagedUpload,
    _evidence_path,  # named by migrations 0001 and 0010 (upload_to)
    _staged_path,
)

__all__ = [
    "EVALUATION_OUTCOMES",
    "AccessCodeRecovery",
    "AppendOnlyQuerySet",
    "Attachment",
    "Complaint",
    "ComplaintEvent",
    "ComplaintMessage",
    "Feedback",
    "IssuedDocument",
    "LoanPrimeRate",
    "Notification",
    "ReferenceCounter",
    "SavedFilter",
    "StagedUpload",
    "_evidence_path",
    "_staged_path",
]
