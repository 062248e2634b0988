"""Multi-row and single-instance INSERT for hot write paths (intake, record ingestion),
without the ORM's per-call work. Shared here because apps must not import the apps to their
right.

``bulk_create`` spends most of its time in Python (a model ``__init__`` and a per-field
preparation for every row); these paths write several rows per request or event, so this prepares
only the values whose type needs it and sends one statement per chunk. Values go through the
field's own ``get_db_prep_save`` (dates, datetimes, decimals, JSON), so the result is what the
ORM would have written, on PostgreSQL and SQLite alike.
"""

from django.db import connection
from django.db.models import AutoField

_PREPARED_TYPES = {"DateField", "DateTimeField", "DecimalField", "JSONField"}
CHUNK = 500


def insert_rows(model, fields: list[str], rows: list[tuple], *, returning: str | None = None):
    """Insert ``rows`` (tuples in ``fields`` order); return the ``returning`` column values
    in row order (PostgreSQL and SQLite return the rows of a multi-row VALUES in order)."""
    if not rows:
        return []
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    prepare = [
        (i, column)
        for i, column in enumerate(columns)
        if column.get_internal_type() in _PREPARED_TYPES
    ]
    qn = connection.ops.quote_name
    head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c.column) for c in columns)}) VALUES "  # noqa: S608 — names from the model, quoted
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    tail = f" RETURNING {qn(meta.get_field(returning).column)}" if returning else ""
    out: list = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        params: list = []
        for row in chunk:
            values = list(row)
            for i, column in prepare:
                values[i] = column.get_db_prep_save(values[i], connection)
            params += values
        with connection.cursor() as cursor:
            cursor.execute(head + ", ".join([one] * len(chunk)) + tail, params)
            if returning:
                out += [r[0] for r in cursor.fetchall()]
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
        meta = model._meta
        fields = [f for f in meta.concrete_fields if not isinstance(f, AutoField)]
        qn = connection.ops.quote_name
        sql = (
            f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)})"  # noqa: S608 — names from the model, quoted
            f" VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {qn(meta.pk.column)}"
        )
        prepare = [(i, f) for i, f in enumerate(fields) if f.get_internal_type() in _PREPARED_TYPES]
        cached = _INSTANCE_SQL[key] = (sql, fields, prepare)
    sql, fields, prepare = cached
    values = [field.pre_save(obj, True) for field in fields]
    for i, field in prepare:
        values[i] = field.get_db_prep_save(values[i], connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = connection.alias
