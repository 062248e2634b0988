"""How far an append-only table's ids are settled: no transaction still open can commit an id
at or below that point. A consumer that reads such a table by id and keeps its place in it
(the ingestion sweep's watermark over the complaint event log, the sanctions sweep's cursor
over the record-change outbox) may move its place only over settled ids; moving past an id a
slow transaction has not committed yet would skip that row for good when it commits.

Why an id up to ``SettledHead.upto`` can no longer appear. Ids are drawn in order from the
table's sequence (Django's identity column, CACHE 1: pinned in ``tests/test_settled.py``) by
an INSERT, and an INSERT holds the table's ROW EXCLUSIVE lock from before it draws the id
until its transaction ends. So once the head H of the table (the highest committed id) has
been read, an id below H that is not committed yet belongs to a transaction that holds a
write lock on the table at that moment, and every such lock is listed in ``pg_locks`` with
its holder's virtual transaction id (fast-path locks included). H is settled when that list,
read after H, is empty, or once none of the transactions on it is still running (every
running transaction holds the lock on its own virtual id; the consumer keeps the list with
its place, ``PendingHead``, and the next call checks it): by then every id up to H is
committed, and visible to the statements that follow (READ COMMITTED, Django's default), or
rolled back for good. Our own transaction is left out of the list: what it wrote is visible to
it. A transaction that stays open holds the settled point where it is, however long it takes
(the consumer re-reads more, never skips). On SQLite the database serialises writers, so an
uncommitted id is always above the committed head: H is settled at once.

The tables this serves only ever receive INSERTs (PostgreSQL refuses UPDATE and DELETE on
them), so the writers on the list are inserters; any other holder of a write lock only makes a
consumer wait one more call. ``sharing``'s change feed closes the same gap another way and
does not use this: its readers' cursor is not the id but a position a sequencer gives rows
after they committed (``sharing.services.changes``), so a slow writer holds back nobody and
readers get commit order.
"""

from dataclasses import dataclass, field

from django.db import connection, models
from django.db.models import Max

# Lock modes a transaction that inserts into a table holds on it (an INSERT takes ROW
# EXCLUSIVE; the stronger ones are listed too, in case a writer locked the table first).
_WRITERS_SQL = """
SELECT DISTINCT virtualtransaction FROM pg_locks
WHERE locktype = 'relation'
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND relation = %s::regclass
  AND granted
  AND mode IN ('RowExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock',
               'AccessExclusiveLock')
  AND pid IS DISTINCT FROM pg_backend_pid()
"""
_RUNNING_SQL = "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE virtualtransaction = ANY(%s))"


class PendingHead(models.Model):
    """A head of a table that becomes settled once the transactions in ``pending_writers``
    (PostgreSQL virtual transaction ids) have ended; kept with a consumer's place (abstract)."""

    pending_upto = models.BigIntegerField(default=0)
    pending_writers = models.JSONField(default=list, blank=True)

    class Meta:
        abstract = True


@dataclass(frozen=True)
class SettledHead:
    upto: int  # every id up to it is committed (visible from now on) or rolled back for good
    pending_upto: int = 0  # a later head, settled once ``pending_writers`` have ended
    pending_writers: list[str] = field(default_factory=list)


def settled_head(
    model: type[models.Model], *, pending_upto: int = 0, pending_writers=()
) -> SettledHead:
    """How far ``model``'s ids are settled (``upto``; 0 while nothing is known to be), given
    the pending head a previous call left, and the pending head to keep for the next call. Why
    an id up to ``upto`` can no longer appear: the module docstring. A caller reads the rows
    it lets its place pass after this call, never before."""
    upto = 0
    if pending_upto and not _any_running(list(pending_writers)):
        upto = pending_upto
    head, writers = _head_and_writers(model)
    if not writers:
        return SettledHead(upto=max(upto, head))
    return SettledHead(upto=upto, pending_upto=head, pending_writers=writers)


def _head_and_writers(model: type[models.Model]) -> tuple[int, list[str]]:
    """The highest committed id, then the transactions that may still commit a lower one (in
    this order: a writer seen after the head was read covers every id below it)."""
    head = model.objects.aggregate(head=Max("pk"))["head"] or 0
    if connection.vendor != "postgresql":
        return head, []  # SQLite: one writer at a time, its ids above every committed one
    with connection.cursor() as cursor:
        cursor.execute(_WRITERS_SQL, [model._meta.db_table])
        return head, sorted(row[0] for row in cursor.fetchall())


def _any_running(writers: list[str]) -> bool:
    if not writers or connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(_RUNNING_SQL, [writers])
        return cursor.fetchone()[0]
