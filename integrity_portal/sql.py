"""Multi-row and single-instance INSERT for hot write paths (intake, record ingestion),
without the ORM's per-call work. Shared here because apps must not import the apps to their
right.

``bulk_create`` spends most of its time in Python (a model ``__init__`` and a per-field
preparation for every row); these paths write several rows per request or event, so this prepares
only the values whose type needs it and sends one statement per chunk. Values go through the
field's own ``get_db_prep_save`` (dates, datetimes, decimals, JSON, files), so the result is what
the ORM would have written, on PostgreSQL and SQLite alike.

``execute_prepared`` runs a statement written on every request as a PostgreSQL prepared
statement, so the server parses and plans it once per connection.
"""

import functools
import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import AutoField

_PREPARED_TYPES = {"DateField", "DateTimeField", "DecimalField", "JSONField", "FileField"}
CHUNK = 500


@functools.lru_cache(maxsize=256)
def _statement(model, fields: tuple, row_count: int, returning: str | None, vendor: str):
    """The INSERT text for ``row_count`` rows and the (position, field) pairs whose values need
    preparing, per shape (``vendor`` keeps backends apart): on the hot paths building them
    cost about as much as running them."""
    qn = connection.ops.quote_name
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    prepare = [(i, c) for i, c in enumerate(columns) if c.get_internal_type() in _PREPARED_TYPES]
    head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c.column) for c in columns)}) VALUES "  # noqa: S608 — names from the model, quoted
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    tail = f" RETURNING {qn(meta.get_field(returning).column)}" if returning else ""
    return head + ", ".join([one] * row_count) + tail, prepare


_PLACEHOLDER = re.compile(r"%s")
_UNKNOWN_STATEMENT = "26000"  # invalid_sql_statement_name: no such prepared statement


def execute_prepared(cursor, sql: str, params=()) -> None:
    """``cursor.execute(sql, params)``; on PostgreSQL as a statement prepared once per
    connection (``PREPARE``, then ``EXECUTE`` with the values).

    For statements run on every request: PostgreSQL then parses and plans them once, not
    each time (on the intake's INSERT that was about a third of its CPU). ``sql`` uses ``%s``
    placeholders and no other ``%``. Off (a plain execute) with ``DATABASE_PREPARED_STATEMENTS``
    false, for poolers that move a client between server connections.
    """
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        cursor.execute(sql, params)
        return
    name = _prepared_name(sql)
    prepared = _prepared_on_this_connection()
    arguments = f"({', '.join(['%s'] * len(params))})" if params else ""
    if name not in prepared:
        cursor.execute(f"PREPARE {name} AS {_numbered(sql)}")  # not undone by a rollback
        prepared.add(name)
    try:
        cursor.execute(f"EXECUTE {name}{arguments}", params or None)
    except DatabaseError as exc:
        if getattr(exc.__cause__, "pgcode", None) != _UNKNOWN_STATEMENT:
            raise
        # The server forgot it (DISCARD ALL, or a pooler switched connections): forget them
        # all; retry at once where no transaction was aborted by the failure.
        prepared.clear()
        if connection.in_atomic_block:
            raise
        cursor.execute(f"PREPARE {name} AS {_numbered(sql)}")
        prepared.add(name)
        cursor.execute(f"EXECUTE {name}{arguments}", params or None)


@functools.lru_cache(maxsize=512)
def _prepared_name(sql: str) -> str:
    return "ip_" + hashlib.blake2b(sql.encode(), digest_size=10).hexdigest()


@functools.lru_cache(maxsize=512)
def _numbered(sql: str) -> str:
    """``%s`` placeholders as PostgreSQL's ``$1``, ``$2`` …"""
    counter = iter(range(1, sql.count("%s") + 1))
    return _PLACEHOLDER.sub(lambda _match: f"${next(counter)}", sql)


def _prepared_on_this_connection() -> set:
    """The names prepared on the current database connection (a new connection, e.g. after
    ``CONN_MAX_AGE`` or an error closed the old one, starts with none)."""
    raw = connection.connection
    state = getattr(connection, "_prepared_statements", None)
    if state is None or state[0] is not raw:
        state = (raw, set())
        connection._prepared_statements = state
    return state[1]


def _params(prepare, rows) -> list:
    params: list = []
    for row in rows:
        values = list(row)
        for i, column in prepare:
            values[i] = column.get_db_prep_save(values[i], connection)
        params += values
    return params


def insert_rows(
    model,
    fields: list[str],
    rows: list[tuple],
    *,
    returning: str | None = None,
    prepared: bool = False,
):
    """Insert ``rows`` (tuples in ``fields`` order); return the ``returning`` column values
    in row order (PostgreSQL and SQLite return the rows of a multi-row VALUES in order).

    ``prepared``: run as a prepared statement (``execute_prepared``), for a shape written on
    every request; not for batches, whose many row counts would each be prepared once."""
    if not rows:
        return []
    out: list = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        sql, prepare = _statement(model, tuple(fields), len(chunk), returning, connection.vendor)
        with connection.cursor() as cursor:
            if prepared:
                execute_prepared(cursor, sql, _params(prepare, chunk))
            else:
                cursor.execute(sql, _params(prepare, chunk))
            if returning:
                out += [r[0] for r in cursor.fetchall()]
    return out


@dataclass
class Rows:
    """Rows for one table of ``insert_together``: tuples in ``fields`` order."""

    model: type
    fields: list[str]
    rows: list[tuple]
    returning: str | None = "id"


def instance_rows(objs, *, with_pk: bool = False) -> Rows:
    """``Rows`` holding what ``save()`` would write for new instances of one model: every
    concrete field (the primary key only when ``with_pk``, i.e. allocated by the caller), with
    ``auto_now`` stamps set by the fields' ``pre_save``."""
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields if with_pk or not isinstance(f, AutoField)]
    rows = [tuple(field.pre_save(obj, True) for field in fields) for obj in objs]
    return Rows(model, [f.name for f in fields], rows)


def insert_together(parts: list[Rows]) -> list[list]:
    """Insert rows into several tables; return each part's ``returning`` values (an empty
    list for a part without rows or without ``returning``).

    On PostgreSQL all parts go in ONE statement (data-modifying CTEs): one round trip, and
    atomic by itself, so outside a transaction it is its own transaction and needs no BEGIN
    or COMMIT; and it is prepared (``execute_prepared``), being written on every request.
    Rows may refer to each other only through ids the caller allocated (the foreign keys are
    checked when the statement ends). Elsewhere each part is one INSERT; the caller provides
    the transaction.
    """
    out: list[list] = [[] for _ in parts]
    written = [(n, part) for n, part in enumerate(parts) if part.rows]
    if connection.vendor != "postgresql":
        for n, p in written:
            out[n] = insert_rows(p.model, p.fields, p.rows, returning=p.returning)
        return out
    if not written:
        return out
    ctes, selects, params = [], [], []
    for n, part in written:
        meta = part.model._meta
        returning = part.returning or meta.pk.name
        sql, prepare = _statement(
            part.model, tuple(part.fields), len(part.rows), returning, connection.vendor
        )
        ctes.append(f"p{n} AS ({sql})")
        column = connection.ops.quote_name(meta.get_field(returning).column)
        selects.append(f"SELECT {n}, {column} FROM p{n}")  # noqa: S608 — generated names
        params += _params(prepare, part.rows)
    statement = f"WITH {', '.join(ctes)} {' UNION ALL '.join(selects)}"
    with connection.cursor() as cursor:
        execute_prepared(cursor, statement, params)
        # Each part's RETURNING lists its multi-row VALUES in order.
        for n, value in cursor.fetchall():
            if parts[n].returning:
                out[n].append(value)
    return out


def insert_instance(obj) -> None:
    """INSERT the new model instance ``obj`` and set its primary key: the row ``obj.save()``
    would write (defaults applied by ``__init__``, ``auto_now`` stamps by the fields'
    ``pre_save``), without the ORM's per-call query compilation, which cost more CPU than the
    statement itself on the intake path; prepared (``execute_prepared``). Sends no
    ``pre_save``/``post_save`` signals: use it only for models nothing listens to.
    """
    part = instance_rows([obj])
    (obj.pk,) = insert_rows(
        part.model, part.fields, part.rows, returning=obj._meta.pk.name, prepared=True
    )
    obj._state.adding = False
    obj._state.db = connection.alias
