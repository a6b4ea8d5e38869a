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
  shifted by a per-copy number of days, to spread due dates;
- journal entries numbered as Odoo numbers them (:func:`_sequence_sql`): a
  name such as ``INV/2026/00010-99`` would break the next number Odoo
  gives in that journal (it reads the highest ``sequence_number`` of the
  prefix and formats the name it finds), and posting a new invoice would
  then fail on ``account_move_unique_name``.

Everything else is the ORM's value, byte for byte; ``compare_copy`` checks it
(tests/benchmarks/test_generator.py).
"""

from datetime import timedelta

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
    "account_payment": ("name",),
}
SKIP = {"create_date", "write_date"}
# the columns of a journal entry's number, recomputed for each copy
SEQUENCE = ("name", "sequence_prefix", "sequence_number")


def _sequence_offset(cr):
    """The highest entry number in use: the copies are numbered above it."""
    cr.execute("SELECT COALESCE(MAX(sequence_number), 0) FROM account_move")
    return cr.fetchone()[0]


def _sequence_sql(column, shift_sql, offset, count):
    """SQL of the copy's ``column`` (of SEQUENCE), ``g.g`` the copy number
    and ``m.rank`` the model entry's rank among the ``count`` model entries.

    Copy ``g`` of the entry of rank ``r`` is numbered
    ``offset + (g - 1) * count + r + 1``: above every number in use, and
    unique across journals and years, so that two entries never meet under
    one prefix with one number.  Its prefix takes the year of the copy's
    shifted date (a prefix names its year: Odoo looks for the last number
    of a year among the entries of that year), and the name is prefix +
    number, padded as the model's."""
    number = sql.SQL("({o} + (g.g - 1) * {c} + m.rank + 1)").format(
        o=sql.Literal(offset), c=sql.Literal(count)
    )
    prefix = sql.SQL(
        "regexp_replace(src.sequence_prefix, extract(year FROM src.date)::int::text,"
        " extract(year FROM src.date + ({shift})::int)::int::text)"
    ).format(shift=sql.SQL(shift_sql))
    numbered = sql.SQL("src.sequence_prefix IS NOT NULL AND src.sequence_number > 0")
    if column == "sequence_number":
        value = number
    elif column == "sequence_prefix":
        value = prefix
    else:
        value = sql.SQL(
            "{prefix} || lpad({number}::text, greatest("
            "length(src.name) - length(src.sequence_prefix),"
            " length({number}::text)), '0')"
        ).format(prefix=prefix, number=number)
    fallback = sql.SQL("src.name || '-' || g.g") if column == "name" else None
    return sql.SQL("CASE WHEN {numbered} THEN {value} ELSE {fallback} END").format(
        numbered=numbered,
        value=value,
        fallback=fallback or sql.SQL("src.{}").format(sql.Identifier(column)),
    )


def _expected_sequence(column, model, rank, copy, shift_days, layout):
    """Python twin of :func:`_sequence_sql` for :func:`compare_copy`;
    ``model`` is the model row as a dict."""
    if not (model["sequence_prefix"] is not None and model["sequence_number"] > 0):
        return f"{model['name']}-{copy}" if column == "name" else model[column]
    count = layout["account_move"][1]
    number = layout["sequence"] + (copy - 1) * count + rank + 1
    if column == "sequence_number":
        return number
    shifted = model["date"] + timedelta(days=shift_days)
    prefix = model["sequence_prefix"].replace(
        str(model["date"].year), str(shifted.year), 1
    )
    if column == "sequence_prefix":
        return prefix
    width = len(model["name"]) - len(model["sequence_prefix"])
    return prefix + str(number).zfill(width)


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
    layout["sequence"] = _sequence_offset(cr)
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
            elif table == "account_move" and column in SEQUENCE:
                values.append(
                    _sequence_sql(column, shift_sql, layout["sequence"], count)
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
            row = {
                name: value for (name, _type), value in zip(columns, model, strict=True)
            }
            for (column, data_type), a, b in zip(columns, model, other, strict=True):
                if column in SKIP or column == "id":
                    continue
                if table == "account_move" and column in SEQUENCE:
                    expected = _expected_sequence(
                        column, row, rank, copy, shift_days, layout
                    )
                elif column in fks and a in rows[fks[column]]:
                    ref_base, ref_count = layout[fks[column]]
                    expected = (
                        ref_base + (copy - 1) * ref_count + rows[fks[column]].index(a)
                    )
                elif column in RENAME.get(table, ()) and a is not None:
                    expected = f"{a}-{copy}"
                elif data_type == "date" and a is not None:
                    expected = a + timedelta(days=shift_days)
                else:
                    expected = a
                if expected != b:
                    differences.append((table, column, expected, b))
    return differences
