"""The change feed: exactly once, in commit order, nothing skipped (DESIGN section 13).

The outbox gap. A writer inserts its ``Change`` row inside its own transaction, so rows get
their ids (from a sequence) when they are *written*, not when they *commit*. With a cursor on
the id, a reader that reads ids 1 and 3 while the transaction holding id 2 is still open moves
its cursor past 2, and when 2 commits a moment later the reader never sees it.

How it is closed here: the cursor is not the id but ``position``, given by a *sequencer*
after commit. ``changes_sequence`` runs in its own short transaction under a PostgreSQL
transaction-level advisory lock (one sequencer at a time; a second caller skips instead of
waiting), reads the rows that have no position yet — which are only the rows of transactions
that have already committed, since no one sees uncommitted rows — and numbers them after the
highest position given so far, in id order. Its own commit publishes the numbers all at once.
So:

- a position is only ever given to a committed change, and positions only grow: a change that
  commits late is numbered by a later sequencer run, *after* every position a reader may
  already have passed — it is never skipped;
- a reader sees positions 1..N with no hole: the numbers of one run commit together, and a
  run starts only after the previous one committed (the lock);
- the order is the order in which changes became visible (commit order, to the granularity
  of one sequencer run; within a run, changes that committed between the same two runs are
  ordered by id).

Readers run the sequencer themselves before reading (``changes_read``), and so do the webhook
fan-out and a beat job, so the feed is fresh without any one of them. On SQLite (embedded
mode) writers are serialised by the database, so the same code is trivially correct.

Measured with ``benchmarks/sharing.py`` (README, "Benchmarks").
"""

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from integrity_portal.tasking import enqueue_drain_on_commit

from ..models import Change

# pg_advisory lock key of the sequencer ("feed" in ASCII); any constant unique in the project.
SEQUENCER_LOCK = 0x66656564
SEQUENCE_BATCH = 20_000
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100


class CursorError(ValueError):
    """A cursor that is malformed or was never issued (answered 400)."""


def changes_record(entries) -> None:
    """Write ``(entity, object_id, action, data)`` changes in the caller's transaction."""
    entries = list(entries)
    if not entries:
        return
    now = timezone.now()
    Change.objects.bulk_create(
        [
            Change(
                entity=entity,
                object_id=object_id,
                agency_id=data.get("agency"),
                action=action,
                data=data,
                at=now,
            )
            for entity, object_id, action, data in entries
        ]
    )
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        # With a broker, a worker picks the change up within a second or two. In embedded
        # mode (no broker) nothing is sent from a request: the beat run or the
        # ``deliver_webhooks`` command delivers.
        from ..tasks import webhooks_run

        enqueue_drain_on_commit(webhooks_run, window=1.0)


def changes_sequence(*, batch: int = SEQUENCE_BATCH) -> int:
    """Number the committed changes that have no position yet; return how many were numbered
    (0 when another sequencer holds the lock: its run covers them)."""
    numbered = 0
    while True:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEQUENCER_LOCK])
                    if not cursor.fetchone()[0]:
                        return numbered
            top = Change.objects.aggregate(top=Max("position"))["top"] or 0
            table = Change._meta.db_table
            with connection.cursor() as cursor:
                # One statement: the unnumbered committed rows, numbered after ``top`` by id.
                cursor.execute(
                    f"UPDATE {table} SET position = %s + ranked.n FROM ("  # noqa: S608
                    f" SELECT id, row_number() OVER (ORDER BY id) AS n FROM {table}"
                    " WHERE position IS NULL ORDER BY id LIMIT %s"
                    f") AS ranked WHERE {table}.id = ranked.id",
                    [top, batch],
                )
                count = cursor.rowcount
        numbered += count
        if count < batch:
            return numbered


def parse_cursor(raw: str | None) -> int:
    """The position after which to read: 0 without a cursor; ``CursorError`` when malformed
    or beyond the last position ever issued."""
    if raw is None or raw == "":
        return 0
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise CursorError("malformed")
    position = int(raw)
    if position == 0:
        return 0
    if not Change.objects.filter(position=position).exists():
        raise CursorError("never issued")
    return position


# Exchange-format versions (docs/EXCHANGE.md): the actions each version's schema knows.
SCHEMA_VERSIONS = (1, 2)
CURRENT_SCHEMA = 2
NEWER_ACTIONS = {1: ("basis_changed",)}  # left out for a reader of that version


def changes_read(
    *,
    after: int,
    limit: int,
    entities=None,
    region: str | None = None,
    version: int = CURRENT_SCHEMA,
) -> list:
    """The next ``limit`` changes after position ``after``, in position order (sequencing the
    newly committed ones first); with ``region``, only those of agencies in that region and
    below (a region-scoped credit office, DESIGN section 13); for a reader of an older schema
    ``version``, without the actions that version does not know."""
    changes_sequence()
    qs = Change.objects.filter(position__gt=after)
    if NEWER_ACTIONS.get(version):
        qs = qs.exclude(action__in=NEWER_ACTIONS[version])
    if region:
        qs = qs.filter(agency__region__code__startswith=region)
    if entities:
        qs = qs.filter(entity__in=list(entities))
    return list(qs.order_by("position")[:limit])


def change_body(change: Change) -> dict:
    """One change as the feed and the webhooks show it (docs/schemas/v2/change.json)."""
    return {
        "cursor": str(change.position),
        "at": change.at,
        "entity": change.entity,
        "id": change.object_id,
        "action": change.action,
        "data": change.data,
    }
