"""Multi-row and single-instance INSERT for hot write paths (intake, record ingestion),
without the ORM's per-call work. Shared here because apps must not import the apps to their
right.

``bulk_create`` spends most of its time in Python (a model ``__init__`` and a per-field
preparation for every row); these paths write several rows per request or event, so this prepares
only the values whose type needs it and sends one statement per chunk. Values go through the
field's own ``get_db_prep_save`` (dates, datetimes, decimals, JSON, files), so the result is what
the ORM would have written, on PostgreSQL and SQLite alike.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import AutoField

_PREPARED_TYPES = {"DateField", "DateTimeField", "DecimalField", "JSONField", "FileField"}
CHUNK = 500


def _columns(model, fields: list[str]):
    """The fields named, and the (position, field) pairs whose values need preparing."""
    columns = [model._meta.get_field(name) for name in fields]
    prepare = [(i, c) for i, c in enumerate(columns) if c.get_internal_type() in _PREPARED_TYPES]
    return columns, prepare


def _insert_sql(model, columns, row_count: int, returning: str | None) -> str:
    qn = connection.ops.quote_name
    meta = model._meta
    head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c.column) for c in columns)}) VALUES "  # noqa: S608 — names from the model, quoted
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    tail = f" RETURNING {qn(meta.get_field(returning).column)}" if returning else ""
    return head + ", ".join([one] * row_count) + tail


def _params(prepare, rows) -> list:
    params: list = []
    for row in rows:
        values = list(row)
        for i, column in prepare:
            values[i] = column.get_db_prep_save(values[i], connection)
        params += values
    return params


def insert_rows(model, fields: list[str], rows: list[tuple], *, returning: str | None = None):
    """Insert ``rows`` (tuples in ``fields`` order); return the ``returning`` column values
    in row order (PostgreSQL and SQLite return the rows of a multi-row VALUES in order)."""
    if not rows:
        return []
    columns, prepare = _columns(model, fields)
    out: list = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        with connection.cursor() as cursor:
            cursor.execute(
                _insert_sql(model, columns, len(chunk), returning), _params(prepare, chunk)
            )
            if returning:
                out += [r[0] for r in cursor.fetchall()]
    return out


# Statement text and value preparation per shape (tables, columns, row counts) of
# ``insert_together`` on PostgreSQL; building them cost about as much as running them.
_TOGETHER_SQL: dict = {}


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
    or COMMIT. Rows may refer to each other only through ids the caller allocated (the
    foreign keys are checked when the statement ends). Elsewhere each part is one INSERT;
    the caller provides the transaction.
    """
    out: list[list] = [[] for _ in parts]
    written = [(n, part) for n, part in enumerate(parts) if part.rows]
    if connection.vendor != "postgresql":
        for n, p in written:
            out[n] = insert_rows(p.model, p.fields, p.rows, returning=p.returning)
        return out
    if not written:
        return out
    shape = tuple((n, p.model, tuple(p.fields), len(p.rows), p.returning) for n, p in written)
    cached = _TOGETHER_SQL.get(shape)
    if cached is None:
        ctes, selects, prepares = [], [], []
        for n, model, fields, row_count, returning in shape:
            columns, prepare = _columns(model, list(fields))
            returning = returning or model._meta.pk.name
            column = connection.ops.quote_name(model._meta.get_field(returning).column)
            ctes.append(f"p{n} AS ({_insert_sql(model, columns, row_count, returning)})")
            selects.append(f"SELECT {n}, {column} FROM p{n}")  # noqa: S608 — generated names
            prepares.append(prepare)
        statement = f"WITH {', '.join(ctes)} {' UNION ALL '.join(selects)}"
        # The intake writes a handful of shapes; the bound keeps odd callers from growing it.
        if len(_TOGETHER_SQL) < 256:
            _TOGETHER_SQL[shape] = (statement, prepares)
        cached = (statement, prepares)
    statement, prepares = cached
    params: list = []
    for (_, part), prepare in zip(written, prepares, strict=True):
        params += _params(prepare, part.rows)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        # Each part's RETURNING lists its multi-row VALUES in order.
        for n, value in cursor.fetchall():
            if parts[n].returning:
                out[n].append(value)
    return out


_INSTANCE_SQL: dict = {}


def insert_instance(obj) -> None:
    """INSERT the new model instance ``obj`` and set its primary key: the row ``obj.save()``
    would write (defaults applied by ``__init__``, ``auto_now`` stamps by the fields'
    ``pre_save``), without the ORM's per-call query compilation, which cost more CPU than the
    statement itself on the intake path. Sends no ``pre_save``/``post_save`` signals: use it
    only for models nothing listens to.
    """
    model = type(obj)
    key = (model, connection.vendor)
    cached = _INSTANCE_SQL.get(key)
    if cached is None:
        fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoField)]
        _, prepare = _columns(model, [f.name for f in fields])
        cached = _INSTANCE_SQL[key] = (
            _insert_sql(model, fields, 1, model._meta.pk.name),
            fields,
            prepare,
        )
    sql, fields, prepare = cached
    values = [field.pre_save(obj, True) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(prepare, [values]))
        obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = connection.alias
