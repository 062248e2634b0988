"""Multi-row INSERT for hot write paths (intake, record ingestion), without building a model
instance per row. Shared here because apps must not import the apps to their right.

``bulk_create`` spends most of its time in Python (a model ``__init__`` and a per-field
preparation for every row); these paths write several rows per request or event, so this prepares
only the values whose type needs it and sends one statement per chunk. Values go through the
field's own ``get_db_prep_save`` (dates, datetimes, decimals, JSON), so the result is what the
ORM would have written, on PostgreSQL and SQLite alike.
"""

from django.db import connection

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
