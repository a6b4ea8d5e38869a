# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.reporting import AGING_BUCKETS, aging_bucket_sql


class DunningAgingReport(models.Model):
    """Aging of the receivables: one row per open customer installment.

    An installment's age is counted from its own due date on the day the
    report is read (``fields.Date.context_today``), so the rows are a query
    (``_table_query``), not a view created once at install: a view would
    freeze ``CURRENT_DATE`` of the server, not the user's day.

    The query starts from the open customer invoices, which the partial index
    ``account_move_dunning_open_partner_idx`` lists without reading paid ones
    (when most invoices are open, the planner rightly prefers a scan), then
    joins their installments.  The customer (for its collector) and the level
    reached are joined on unique keys with ``LEFT JOIN``: PostgreSQL drops
    such a join when the grouping at hand does not use its columns, so a
    pivot by customer and bucket never reads the follow-up items, and one by
    level reads them in one pass rather than one look-up per installment.
    An open installment is the one rule the run, the customers' state and
    the notices share (``account.move.line._dunning_open_installment_sql``),
    for every company at once; the amounts are in company currency, as the
    customers' follow-up state sums them.
    """

    _name = "dunning.aging.report"
    _description = "Receivables aging"
    _auto = False
    _rec_name = "move_id"
    _order = "days_late desc, id"

    move_line_id = fields.Many2one("account.move.line", string="Installment")
    move_id = fields.Many2one("account.move", string="Invoice")
    partner_id = fields.Many2one("res.partner", string="Customer")
    company_id = fields.Many2one("res.company")
    currency_id = fields.Many2one("res.currency", string="Company currency")
    responsible_id = fields.Many2one("res.users", string="Collector")
    user_id = fields.Many2one("res.users", string="Salesperson")
    level_id = fields.Many2one("dunning.level", string="Level reached")
    invoice_date = fields.Date()
    date_maturity = fields.Date(string="Due date")
    days_late = fields.Integer(aggregator="max")
    bucket = fields.Selection(
        [(bucket.name, bucket.label) for bucket in AGING_BUCKETS], string="Aging"
    )
    situation = fields.Selection(
        selection="_selection_situation",
        help="Chased by the follow-up, or why not (the invoice's exclusion).",
    )
    amount_residual = fields.Monetary(string="Amount due", currency_field="currency_id")
    amount_overdue = fields.Monetary(currency_field="currency_id")

    _depends = {
        "account.move": [
            "move_type",
            "state",
            "payment_state",
            "commercial_partner_id",
            "company_id",
            "invoice_user_id",
            "invoice_date",
            "dunning_excluded",
            "dunning_excluded_until",
            "dunning_exclusion_reason",
        ],
        "account.move.line": [
            "move_id",
            "company_id",
            "display_type",
            "parent_state",
            "reconciled",
            "amount_residual",
            "date_maturity",
        ],
        "dunning.action.line": ["move_line_id", "level_id"],
        "dunning.level": ["days"],
        "res.partner": ["dunning_responsible_id"],
    }

    @api.model
    def _selection_situation(self):
        reasons = self.env["account.move"]._fields["dunning_exclusion_reason"]
        return [
            ("active", self.env._("In follow-up")),
            *reasons._description_selection(self.env),
        ]

    @property
    def _table_query(self):
        return self._aging_query(fields.Date.context_today(self))

    @api.model
    def _aging_query(self, today):
        """The rows as they are on ``today``."""
        late = SQL("(%s::date - aml.date_maturity)", today)
        return SQL(
            """
            SELECT aml.id AS id,
                   aml.id AS move_line_id,
                   move.id AS move_id,
                   move.commercial_partner_id AS partner_id,
                   aml.company_id,
                   aml.company_currency_id AS currency_id,
                   (partner.dunning_responsible_id ->> aml.company_id::text)::int
                       AS responsible_id,
                   move.invoice_user_id AS user_id,
                   cur.level_id,
                   move.invoice_date,
                   aml.date_maturity,
                   %(late)s AS days_late,
                   %(bucket)s AS bucket,
                   CASE WHEN %(excluded)s
                        THEN move.dunning_exclusion_reason
                        ELSE 'active' END AS situation,
                   aml.amount_residual,
                   CASE WHEN %(late)s > 0 THEN aml.amount_residual ELSE 0 END
                       AS amount_overdue
                   %(extra_select)s
              FROM account_move move
              JOIN account_move_line aml ON aml.move_id = move.id
              LEFT JOIN res_partner partner ON partner.id = move.commercial_partner_id
              LEFT JOIN (
                    -- the highest level of each installment
                    -- (dunning.action.line._highest_levels, for all of them)
                    SELECT DISTINCT ON (dal.move_line_id) dal.move_line_id, dal.level_id
                      FROM dunning_action_line dal
                      JOIN dunning_level lvl ON lvl.id = dal.level_id
                     ORDER BY dal.move_line_id, lvl.days DESC, lvl.id DESC
                   ) cur ON cur.move_line_id = aml.id
              %(extra_from)s
             WHERE %(open_invoice)s AND %(open_installment)s
            """,
            open_invoice=self.env["account.move"]._dunning_open_invoice_sql(),
            open_installment=self.env[
                "account.move.line"
            ]._dunning_open_installment_sql(),
            excluded=self.env["account.move"]._dunning_excluded_sql(today),
            late=late,
            bucket=aging_bucket_sql(late),
            extra_select=self._aging_select_extra(today),
            extra_from=self._aging_from_extra(today),
        )

    @api.model
    def _aging_select_extra(self, today):
        """Extension hook: more columns (``, expression AS field``, each
        starting with a comma) over the aliases ``move``, ``aml``, ``partner``
        and those of :meth:`_aging_from_extra`."""
        return SQL()

    @api.model
    def _aging_from_extra(self, today):
        """Extension hook: more joins for :meth:`_aging_select_extra`; each
        must keep one row per installment (``LEFT JOIN`` on a unique key)."""
        return SQL()

    def action_open_invoice(self):
        """Drill-down: the invoice of the installment."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
