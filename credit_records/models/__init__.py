"""The credit_records app's models: the record, its terms, event log and change outbox
(``record``); the consumer's bookkeeping of complaint events (``ingestion``); scores
(``scores``); objections and evidence files (``objections``); the integration clients that push
records (``clients``); and the annual publication of overdue payments (``publication``).
Everything is imported from here, as from one module."""

from .clients import IntegrationClient, integration_token_hash
from .ingestion import (
    ComplaintEventIngestFailure,
    ComplaintEventWatermark,
    ConsumedComplaintEvent,
)
from .objections import (
    EvidenceFile,
    Objection,
    ObjectionFile,
    _evidence_path,  # named by this app's migration 0005 and sanctions 0005 (upload_to)
)
from .publication import ArrearsPublication, ArrearsPublicationRow
from .record import (
    AgencyRecordChange,
    AppendOnly,
    CreditRecord,
    CreditRecordEvent,
    RecordPolicy,
    record_policy_cache,
)
from .scores import AgencyCreditScore, AgencyCreditScoreHistory

__all__ = [
    "AgencyCreditScore",
    "AgencyCreditScoreHistory",
    "AgencyRecordChange",
    "AppendOnly",
    "ArrearsPublication",
    "ArrearsPublicationRow",
    "ComplaintEventIngestFailure",
    "ComplaintEventWatermark",
    "ConsumedComplaintEvent",
    "CreditRecord",
    "CreditRecordEvent",
    "EvidenceFile",
    "IntegrationClient",
    "Objection",
    "ObjectionFile",
    "RecordPolicy",
    "_evidence_path",
    "integration_token_hash",
    "record_policy_cache",
]
