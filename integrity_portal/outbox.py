"""Delivery of outbox rows in batches: the one shape every outbox of the product uses.

An outbox row (``OutboxRow``: ``created_at``, ``sent_at``, ``claimed_until``, ``attempts``,
``last_error``) is written in the transaction of the change it announces; a worker delivers it
later. Delivering row by row cost two commits per message (claim, then mark sent) and made the
worker, not the intake, the pipeline's limit. A batch costs two statements whatever its size:

1. ``claim_batch`` — one statement claims up to ``limit`` deliverable rows and returns them::

       UPDATE t SET claimed_until = <lease end>, attempts = attempts + 1
        WHERE id IN (SELECT id FROM t
                      WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < now)
                        AND <the caller's condition>
                      ORDER BY id LIMIT n FOR UPDATE SKIP LOCKED)
       RETURNING *

   The ORM cannot say UPDATE … RETURNING, so this is the one literal statement; it goes
   through ``Manager.raw`` so the rows come back as model instances. ``SKIP LOCKED`` lets two
   workers claim at the same moment without waiting for, or taking, each other's rows; the
   lease (``claimed_until``) keeps a claimed row out of every other claim until it expires, so
   a sender that dies mid-batch delays its rows, never loses them. SQLite (embedded mode) has
   no row locks and serialises writers, so the lock clause is left out there.
2. the caller sends every row through one connection to its gateway (one SMTP connection, one
   SMS or HTTP session), catching each row's failure on its own;
3. ``mark_sent`` — one UPDATE marks the rows that went out; ``mark_failed`` puts back a row
   that did not, alone, with its error and a backoff (its lease is extended to the retry time),
   so a failing message neither blocks the batch nor is sent twice.

Exactly once, as far as a gateway without idempotency keys allows: a row is sent only by the
worker whose claim returned it, and marked sent right after the batch. A worker killed
between a send and ``mark_sent`` leaves rows whose lease expires and which are then sent again
(at least once); the lease (``CLAIM_LEASE``) is far longer than a batch takes.

To add an outbox (webhook deliveries, say): inherit ``OutboxRow``, add a partial index on the
unsent rows, and write a deliver function of the shape of
``complaints.services.notifications.notification_deliver_batch``.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.db import connections, models, router
from django.utils import timezone

CLAIM_LEASE = timedelta(minutes=5)
BATCH_SIZE = 100
# A failed row waits 1, 2, 4, … minutes (capped) before a claim may take it again.
RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=6)


class OutboxRow(models.Model):
    """The delivery columns of an outbox table (abstract)."""

    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # A sender claims the row until this time, so two senders never both send it; a crashed
    # sender's claim simply expires. After a failure it holds the time of the next try.
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        abstract = True


def claim_batch(
    model: type[OutboxRow],
    *,
    where: str = "",
    params: Sequence = (),
    limit: int = BATCH_SIZE,
    lease: timedelta = CLAIM_LEASE,
    now: datetime | None = None,
) -> list[OutboxRow]:
    """Claim up to ``limit`` unsent, unclaimed rows of ``model`` in one statement, oldest first,
    and return them (each with ``attempts`` already counting this try).

    ``where`` narrows the rows further: an SQL condition on the table's own columns with
    ``%s`` placeholders for ``params`` (e.g. ``"attempts = 0"``, ``"id IN (%s, %s)"``). Run it
    outside a transaction (autocommit): the claim must be committed before anything is sent."""
    now = now or timezone.now()
    alias = router.db_for_write(model)
    connection = connections[alias]
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    columns = ", ".join(quote(field.column) for field in model._meta.concrete_fields)
    skip_locked = connection.features.has_select_for_update_skip_locked
    lock = " FOR UPDATE SKIP LOCKED" if skip_locked else ""
    extra = f" AND ({where})" if where else ""
    sql = (
        f"UPDATE {table} SET claimed_until = %s, attempts = attempts + 1 "  # noqa: S608 — names quoted, values bound
        f"WHERE {pk} IN (SELECT {pk} FROM {table} "
        f"WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < %s){extra} "
        f"ORDER BY {pk} LIMIT %s{lock}) "
        f"RETURNING {columns}"
    )

    # Datetimes in the form the column stores (SQLite keeps text); the ORM does this for its
    # own statements.
    def stamp(value):
        if isinstance(value, datetime):
            return connection.ops.adapt_datetimefield_value(value)
        return value

    values = [stamp(now + lease), stamp(now), *(stamp(value) for value in params), limit]
    rows = list(model.objects.db_manager(alias).raw(sql, values))
    rows.sort(key=lambda row: row.pk)  # RETURNING keeps no order
    return rows


def mark_sent(model: type[OutboxRow], ids: Iterable[int], *, now: datetime | None = None) -> int:
    """One UPDATE for every row of a batch that went out."""
    ids = list(ids)
    if not ids:
        return 0
    return model.objects.filter(pk__in=ids).update(
        sent_at=now or timezone.now(), claimed_until=None, last_error=""
    )


def retry_at(attempts: int, *, now: datetime | None = None) -> datetime:
    """When a row that failed ``attempts`` times may be claimed again (exponential backoff)."""
    delay = min(RETRY_BASE * 2 ** max(attempts - 1, 0), RETRY_CAP)
    return (now or timezone.now()) + delay


def mark_failed(row: OutboxRow, error: BaseException | str, *, now: datetime | None = None) -> None:
    """Put back one row that was not delivered, with its error and the time of its next try."""
    type(row).objects.filter(pk=row.pk).update(
        claimed_until=retry_at(row.attempts, now=now), last_error=str(error)[:2000]
    )
