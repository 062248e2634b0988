"""The intake's duplicate probe: has the same complainant already complained about the same
contract to the same respondent within 90 days? Duplicates are linked and flagged for the
handler, never merged or dropped.

Written as SQL rather than through the ORM because it runs on every submission and building
it with the ORM cost more than everything else the intake adds to a plain DRF view:
``Complaint.objects.filter(...)`` took 0.80 ms per call against 0.27 ms for the same statement
through ``cursor.execute`` (``timeit``, 300 calls × 5, on the 1M-complaint database of DESIGN
section 10), 16% of a submission's instructions (17.6 M → 14.9 M per request,
``benchmarks/request_cpu.py intake --instructions``, 200 requests). It is a literal statement
with parameters (Django's documented raw-SQL path: no generated SQL, no cache); the columns
are the model's, its behaviour is pinned by ``tests/complaints/test_intake_rules.py``, and its
index is ``complaints_duplicate_probe_idx``.
"""

from datetime import timedelta

from django.db import connection

DUPLICATE_WINDOW = timedelta(days=90)

# The complainant is the same phone or, when given, the same USCC (an empty USCC is passed as
# NULL, which equals nothing). Without a contract title the complaint's title must match too.
_PROBE = """
    SELECT id, reference FROM complaints_complaint
    WHERE respondent_agency_id = %s AND contract_title = %s AND submitted_at >= %s
      AND duplicate_of_id IS NULL
      AND (contact_phone = %s OR complainant_uscc = %s)
      AND (%s OR title = %s)
    ORDER BY submitted_at, id
    LIMIT 1
"""


def duplicate_of(
    *, respondent_id: int, contract_title: str, contact_phone: str, uscc: str, title: str, now
) -> tuple[int, str] | None:
    """``(id, reference)`` of the earliest complaint this one duplicates, or None."""
    subject = (contract_title or "").strip()
    params = [
        respondent_id,
        subject,
        now - DUPLICATE_WINDOW,
        contact_phone,
        uscc or None,
        bool(subject),
        title,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_PROBE, params)
        return cursor.fetchone()
