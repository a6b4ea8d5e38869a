# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Clone ORM-made customers and their invoices in bulk SQL.

Posting 100,000 invoices through the ORM takes tens of minutes on a 2-core
machine.  We let the ORM make a few *model* customers (invoices, payments,
reconciliations), then copy their rows N times with ``INSERT ... SELECT``
over ``generate_series``: every copy is the model's rows with

- new ids, computed as ``base + (copy - 1) * K + rank`` so that foreign keys
  between copied rows can be remapped without a lookup table per copy;
- every foreign key that points into a copied row remapped the same way
  (found from the database's own foreign-key constraints);
- names made unique (``name || '-' || copy``) and every ``date`` column
  shifted by a per-copy number of days, to spread due dates.

Everything else is the ORM's value, byte for byte; ``compare_copy`` checks it
(tests/benchmarks/test_generator.py).
"""

from psycopg2 import sql

TABLES = (
    "res_partner",
    "account_move",
    "account_payment",
    "account_full_reconcile",
    "account_move_line",
    "account_partial_reconcile",
)
RENAME = {
    "res_partner": ("name", "complete_name"),
    "account_move": ("name",),
    "account_payment": ("name",),
}
SKIP = {"create_date", "write_date"}


def model_rows(cr, partner_ids):
    """Ids of every row that belongs to the model customers."""
    cr.execute(
        "SELECT id FROM account_move WHERE commercial_partner_id = ANY(%s)",
        [list(partner_ids)],
    )
    moves = [r[0] for r in cr.fetchall()]
    cr.execute(
        "SELECT id, full_reconcile_id FROM account_move_line WHERE move_id = ANY(%s)",
        [moves],
    )
    rows = cr.fetchall()
    lines = [r[0] for r in rows]
    fulls = sorted({r[1] for r in rows if r[1]})
    cr.execute(
        "SELECT id FROM account_partial_reconcile"
        " WHERE debit_move_id = ANY(%s) OR credit_move_id = ANY(%s)",
        [lines, lines],
    )
    partials = [r[0] for r in cr.fetchall()]
    cr.execute("SELECT id FROM account_payment WHERE move_id = ANY(%s)", [moves])
    payments = [r[0] for r in cr.fetchall()]
    return {
        "res_partner": sorted(partner_ids),
        "account_move": sorted(moves),
        "account_payment": sorted(payments),
        "account_full_reconcile": fulls,
        "account_move_line": sorted(lines),
        "account_partial_reconcile": sorted(partials),
    }


def _columns(cr, table):
    cr.execute(
        """SELECT column_name, data_type FROM information_schema.columns
            WHERE table_name = %s AND table_schema = current_schema()
            ORDER BY ordinal_position""",
        [table],
    )
    return cr.fetchall()


def _foreign_keys(cr, table):
    """``{column: referenced table}`` for the copied tables."""
    cr.execute(
        """SELECT a.attname, cf.relname
             FROM pg_constraint c
             JOIN pg_class ct ON ct.oid = c.conrelid
             JOIN pg_class cf ON cf.oid = c.confrelid
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            WHERE c.contype = 'f' AND ct.relname = %s AND cf.relname = ANY(%s)""",
        [table, list(TABLES)],
    )
    return dict(cr.fetchall())


def clone(cr, rows, copies, shift_sql="0"):
    """Copy the model rows ``copies`` times; ``shift_sql`` is an SQL
    expression of ``g`` (the copy number, from 1) giving the days to add to
    every date column.  Returns ``{table: (base, K)}``."""
    layout = {}
    # Moves and payments point at each other: foreign-key triggers are off
    # while the copies go in (they are consistent by construction, which
    # compare_copy checks); this needs a superuser role, as the setup uses.
    cr.execute("SET LOCAL session_replication_role = replica")
    for table in TABLES:
        ids = rows[table]
        cr.execute(
            sql.SQL(
                "CREATE TEMP TABLE {map} ON COMMIT DROP AS"
                " SELECT id AS old_id, (row_number() OVER (ORDER BY id)) - 1 AS rank"
                " FROM unnest(%s::int[]) AS id"
            ).format(map=sql.Identifier(f"clone_map_{table}")),
            [ids],
        )
        cr.execute(
            sql.SQL("SELECT COALESCE(MAX(id), 0) + 1 FROM {}").format(
                sql.Identifier(table)
            )
        )
        layout[table] = (cr.fetchone()[0], len(ids))
    for table in TABLES:
        base, count = layout[table]
        if not count:
            continue
        fks = _foreign_keys(cr, table)
        targets, values, joins = [], [], []
        for index, (column, data_type) in enumerate(_columns(cr, table)):
            col = sql.Identifier(column)
            targets.append(col)
            if column == "id":
                values.append(
                    sql.SQL("{} + (g.g - 1) * {} + m.rank").format(
                        sql.Literal(base), sql.Literal(count)
                    )
                )
            elif column in fks and layout[fks[column]][1]:
                ref_base, ref_count = layout[fks[column]]
                alias = sql.Identifier(f"j{index}")
                joins.append(
                    sql.SQL(
                        "LEFT JOIN {map} {alias} ON {alias}.old_id = src.{col}"
                    ).format(
                        map=sql.Identifier(f"clone_map_{fks[column]}"),
                        alias=alias,
                        col=col,
                    )
                )
                values.append(
                    sql.SQL(
                        "CASE WHEN {alias}.old_id IS NULL THEN src.{col}"
                        " ELSE {base} + (g.g - 1) * {count} + {alias}.rank END"
                    ).format(
                        alias=alias,
                        col=col,
                        base=sql.Literal(ref_base),
                        count=sql.Literal(ref_count),
                    )
                )
            elif column in RENAME.get(table, ()):
                values.append(sql.SQL("src.{col} || '-' || g.g").format(col=col))
            elif data_type == "date":
                values.append(
                    sql.SQL("src.{col} + ({shift})::int").format(
                        col=col, shift=sql.SQL(shift_sql)
                    )
                )
            else:
                values.append(sql.SQL("src.{col}").format(col=col))
        cr.execute(
            sql.SQL(
                "INSERT INTO {table} ({targets}) SELECT {values} FROM {table} src"
                " JOIN {map} m ON m.old_id = src.id"
                " CROSS JOIN generate_series(1, {copies}) AS g(g) {joins}"
            ).format(
                table=sql.Identifier(table),
                targets=sql.SQL(", ").join(targets),
                values=sql.SQL(", ").join(values),
                map=sql.Identifier(f"clone_map_{table}"),
                copies=sql.Literal(copies),
                joins=sql.SQL(" ").join(joins),
            )
        )
        cr.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), MAX(id)) FROM {}"
            ).format(sql.Identifier(table)),
            [table],
        )
    for table in TABLES:
        cr.execute(
            sql.SQL("DROP TABLE {}").format(sql.Identifier(f"clone_map_{table}"))
        )
    cr.execute("SET LOCAL session_replication_role = origin")
    return layout


def compare_copy(cr, rows, layout, copy, shift_days):
    """Differences between the model rows and copy number ``copy``: a list of
    ``(table, column, model value, copy value)``, empty when identical
    (remapped keys, renamed names and shifted dates taken into account)."""
    differences = []
    for table in TABLES:
        base, count = layout[table]
        fks = _foreign_keys(cr, table)
        columns = _columns(cr, table)
        for rank, old_id in enumerate(rows[table]):
            new_id = base + (copy - 1) * count + rank
            cr.execute(
                sql.SQL("SELECT * FROM {} WHERE id = %s").format(sql.Identifier(table)),
                [old_id],
            )
            model = cr.fetchone()
            cr.execute(
                sql.SQL("SELECT * FROM {} WHERE id = %s").format(sql.Identifier(table)),
                [new_id],
            )
            other = cr.fetchone()
            for (column, data_type), a, b in zip(columns, model, other, strict=True):
                if column in SKIP or column == "id":
                    continue
                if column in fks and a in rows[fks[column]]:
                    ref_base, ref_count = layout[fks[column]]
                    expected = (
                        ref_base + (copy - 1) * ref_count + rows[fks[column]].index(a)
                    )
                elif column in RENAME.get(table, ()) and a is not None:
                    expected = f"{a}-{copy}"
                elif data_type == "date" and a is not None:
                    from datetime import timedelta

                    expected = a + timedelta(days=shift_days)
                else:
                    expected = a
                if expected != b:
                    differences.append((table, column, expected, b))
    return differences
