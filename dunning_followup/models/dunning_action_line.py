# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL, Query


class DunningActionLine(models.Model):
    """One receivable line (installment) reaching one level.

    This is the idempotency key of the whole engine: the database refuses a
    second row for the same (receivable line, level), so no rerun, crash or
    concurrent run can apply a level twice to the same installment.

    It is also where the level an installment (and its invoice) reached is
    kept: ``account.move.line.dunning_level_id`` and
    ``account.move.dunning_level_id`` read the highest level of these rows
    instead of being stored on the accounting tables.  Writing them there
    would rewrite invoices and lines: ``account_move`` and
    ``account_move_line`` carry some forty and twenty indexes, two of them
    GIN, and every updated row is a new tuple in each of them.  This table
    is narrow and the run inserts into it anyway (figures in
    tests/benchmarks/README.md).
    """

    _name = "dunning.action.line"
    _description = "Follow-up action item"
    _order = "action_id, date_maturity, id"
    # A first run inserts tens of thousands of these rows, and each foreign
    # key costs a trigger per row (most of the insert, see
    # tests/benchmarks/README.md): the action carries who and when, the
    # company and currency are read through the action and the installment.
    _log_access = False

    action_id = fields.Many2one(
        "dunning.action", required=True, ondelete="cascade", index=True
    )
    # no index of its own: the unique (move_line_id, level_id) index serves
    # every look-up by installment
    move_line_id = fields.Many2one(
        "account.move.line",
        string="Installment",
        required=True,
        ondelete="cascade",
    )
    level_id = fields.Many2one("dunning.level", required=True, ondelete="restrict")
    move_id = fields.Many2one(
        "account.move", string="Invoice", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="action_id.company_id")
    partner_id = fields.Many2one(related="action_id.partner_id")
    currency_id = fields.Many2one(
        related="move_line_id.currency_id", string="Invoice currency"
    )
    date_maturity = fields.Date(string="Due date", readonly=True)
    days_late = fields.Integer(readonly=True)
    amount_residual = fields.Monetary(
        string="Amount due", currency_field="company_currency_id", readonly=True
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id")

    _sql_constraints = [
        (
            "move_line_level_unique",
            "UNIQUE (move_line_id, level_id)",
            "A follow-up level is applied only once to an installment.",
        )
    ]

    @api.model
    def _highest_level_sql(self, column, value):
        """SQL of the level with the most days among the rows whose
        ``column`` (``move_line_id`` or ``move_id``) is ``value``, one row
        or none: meant for ``LEFT JOIN LATERAL (...) ON TRUE``, which follows
        the unique (move_line_id, level_id) index, resp. the move index."""
        return SQL(
            """
            SELECT dal.level_id, lvl.days AS level_days
              FROM dunning_action_line dal
              JOIN dunning_level lvl ON lvl.id = dal.level_id
             WHERE %(column)s = %(value)s
             ORDER BY lvl.days DESC, lvl.id DESC
             LIMIT 1
            """,
            column=SQL.identifier("dal", column),
            value=value,
        )

    @api.model
    def _highest_levels(self, column, ids):
        """``{id: level id}``: the highest level reached per installment
        (``column="move_line_id"``) or per invoice (``"move_id"``)."""
        ids = [i for i in ids if isinstance(i, int)]
        if not ids:
            return {}
        self.flush_model(["move_line_id", "move_id", "level_id"])
        self.env["dunning.level"].flush_model(["days"])
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT ON (%(column)s) %(column)s, dal.level_id
                  FROM dunning_action_line dal
                  JOIN dunning_level lvl ON lvl.id = dal.level_id
                 WHERE %(column)s = ANY(%(ids)s)
                 ORDER BY %(column)s, lvl.days DESC, lvl.id DESC
                """,
                column=SQL.identifier("dal", column),
                ids=list(ids),
            )
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _search_highest_level(self, column, operator, value):
        """Domain on ``id`` for a search on the level reached (see
        :meth:`_highest_levels`)."""
        if operator in ("any", "not any"):
            # a domain on the level (custom filters)
            levels = self.env["dunning.level"]._search(value)
            operator, value = ("in" if operator == "any" else "not in"), levels
        elif operator not in ("=", "!=", "in", "not in"):
            # a name typed in the search bar: "ilike", "not ilike", ...
            negative = operator.startswith("not ") or operator == "!="
            levels = self.env["dunning.level"]._search(
                [("name", operator.removeprefix("not "), value)]
            )
            operator, value = ("not in" if negative else "in"), levels
        if isinstance(value, Query):
            value = list(value)
        if isinstance(value, models.BaseModel):
            value = value.ids
        values = value if isinstance(value, list | tuple | set) else [value]
        ids = [v for v in values if v]
        want_none = any(not v for v in values)
        negative = operator in ("!=", "not in")
        top = SQL(
            """
            (SELECT top.res_id FROM (
                SELECT DISTINCT ON (%(column)s) %(column)s AS res_id, dal.level_id
                  FROM dunning_action_line dal
                  JOIN dunning_level lvl ON lvl.id = dal.level_id
                 ORDER BY %(column)s, lvl.days DESC, lvl.id DESC) top
             WHERE top.level_id = ANY(%(ids)s))
            """,
            column=SQL.identifier("dal", column),
            ids=ids,
        )
        reached = SQL(
            "(SELECT dal.%s FROM dunning_action_line dal)", SQL.identifier(column)
        )
        domain = [("id", "not in" if negative else "in", top)]
        if want_none:
            none = [("id", "in" if negative else "not in", reached)]
            domain = (["&"] if negative else ["|"]) + domain + none
        return domain
