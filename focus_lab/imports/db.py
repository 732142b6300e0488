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


def update_rows(model: type[Model], objs: Sequence[Model], fields: Sequence[str]) -> int:
    """Write ``fields`` of ``objs`` (saved instances) in one ``UPDATE ... FROM unnest(...)``: one
    array a column, so the statement's size and planning do not grow with the rows, where
    ``bulk_update`` builds a CASE WHEN per row and field. ``auto_now`` fields get the time now, as
    ``save()`` gives them. Row and statement triggers fire as for any UPDATE (a statement-level
    audit trigger records every changed row once). Returns the number of rows updated."""
    if not objs:
        return 0
    opts = model._meta
    pk = opts.pk
    targets = [opts.get_field(name) for name in fields]
    columns = [pk, *targets]
    arrays = [[pk.get_db_prep_value(obj.pk, connection) for obj in objs]]
    arrays += [[f.get_db_prep_save(f.pre_save(obj, add=False), connection) for obj in objs] for f in targets]
    names = [sql.Identifier(f"v{i}") for i in range(len(columns))]
    statement = sql.SQL("UPDATE {table} AS t SET {sets} FROM unnest({arrays}) AS v({names}) WHERE t.{pk} = v.v0").format(
        table=sql.Identifier(opts.db_table),
        sets=sql.SQL(", ").join(
            sql.SQL("{} = v.{}").format(sql.Identifier(f.column), name) for f, name in zip(targets, names[1:], strict=True)
        ),
        arrays=sql.SQL(", ").join(
            sql.SQL("%s::{}[]").format(sql.SQL(f.db_type(connection))) for f in columns
        ),
        names=sql.SQL(", ").join(names),
        pk=sql.Identifier(pk.column),
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string(cursor.connection), arrays)
        return cursor.rowcount
