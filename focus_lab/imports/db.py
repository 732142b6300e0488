"""Writing many rows fast: PostgreSQL's COPY, with the new rows' ids drawn from the table's
sequence first so the caller knows them (an import records them, to undo it)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model
from psycopg import sql


def copy_insert(model: type[Model], fields: Sequence[str], rows: Sequence[Sequence[object]]) -> list[int]:
    """Insert ``rows`` (values in the order of ``fields``) into ``model``'s table; return their
    ids, in order. Database constraints and triggers apply as to an INSERT; Django's ``save()``
    does not run (no signals, no field defaults: give every column). Call inside a transaction."""
    if not rows:
        return []
    opts = model._meta
    table, pk = opts.db_table, opts.pk.column
    columns = [pk, *(opts.get_field(name).column for name in fields)]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        with cursor.cursor.copy(statement) as copy:
            for pk_value, row in zip(ids, rows, strict=True):
                copy.write_row((pk_value, *row))
    return ids
