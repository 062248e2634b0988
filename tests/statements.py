"""What a captured block of queries ran, with prepared statements (``integrity_portal.sql.
execute_prepared``) shown as the SQL they stand for."""

import re

from django.db import connection

_EXECUTE = re.compile(r"EXECUTE (ip_[0-9a-f]+)")


def statements_run(captured_queries) -> list[str]:
    """The SQL of each statement run, in order: ``PREPARE`` (done once per connection) left
    out, ``EXECUTE ip_…`` replaced by the prepared statement's text (``$n`` placeholders)."""
    names = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT name, statement FROM pg_prepared_statements")
            names = {
                name: re.sub(r"^PREPARE \S+ AS ", "", text, count=1)
                for name, text in cursor.fetchall()
            }
    out = []
    for query in captured_queries:
        sql = query["sql"].lstrip()
        if sql.startswith("PREPARE "):
            continue
        match = _EXECUTE.match(sql)
        out.append(names[match.group(1)] if match else sql)
    return out
