# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.reporting import EFFECTIVENESS_DAYS, effectiveness_sql


class DunningEffectivenessReport(models.Model):
    """How well each level gets customers to pay.

    One row per installment in a notice that was sent (follow-up item of a
    done action): the amount the notice concerned (the installment's
    residual on the notice's date) and the part of it paid from the notice's
    date to :data:`..tools.reporting.EFFECTIVENESS_DAYS` days after it (the
    reconciliations of the installment in that window, company currency).
    The effectiveness of any grouping is the ratio of the sums
    (:meth:`_read_group_select`), so a level's rate weighs every notice by
    its amount.
    """

    _name = "dunning.effectiveness.report"
    _description = "Follow-up effectiveness"
    _auto = False
    _rec_name = "action_id"
    _order = "date desc, id"

    action_id = fields.Many2one("dunning.action", string="Notice")
    move_id = fields.Many2one("account.move", string="Invoice")
    partner_id = fields.Many2one("res.partner", string="Customer")
    company_id = fields.Many2one("res.company")
    currency_id = fields.Many2one("res.currency", string="Company currency")
    level_id = fields.Many2one("dunning.level")
    policy_id = fields.Many2one("dunning.policy")
    date = fields.Date(string="Notice date")
    amount_noticed = fields.Monetary(currency_field="currency_id")
    amount_paid = fields.Monetary(
        string="Paid within the window", currency_field="currency_id"
    )
    effectiveness = fields.Float(string="Effectiveness (%)", digits=(16, 1))
    window_closed = fields.Boolean(
        help="The days counted after the notice are over: the figure is final."
    )

    _depends = {
        "dunning.action": ["state", "date", "partner_id", "company_id", "level_id"],
        "dunning.action.line": [
            "action_id",
            "move_line_id",
            "move_id",
            "level_id",
            "amount_residual",
        ],
        "account.partial.reconcile": ["debit_move_id", "amount", "max_date"],
    }

    @property
    def _table_query(self):
        return self._effectiveness_query(fields.Date.context_today(self))

    @api.model
    def _effectiveness_query(self, today):
        return SQL(
            """
            SELECT dal.id AS id,
                   act.id AS action_id,
                   dal.move_id,
                   act.partner_id,
                   act.company_id,
                   company.currency_id,
                   dal.level_id,
                   act.policy_id,
                   act.date,
                   dal.amount_residual AS amount_noticed,
                   LEAST(COALESCE(paid.amount, 0), dal.amount_residual) AS amount_paid,
                   %(ratio)s AS effectiveness,
                   act.date + %(window)s < %(today)s AS window_closed
              FROM dunning_action act
              JOIN dunning_action_line dal ON dal.action_id = act.id
              JOIN res_company company ON company.id = act.company_id
              -- one hash join of the items with the reconciliations (and
              -- none when the payments are not asked for), rather than a
              -- look-up of the reconciliations of each item
              LEFT JOIN (
                    SELECT item.id, SUM(pr.amount) AS amount
                      FROM dunning_action_line item
                      JOIN dunning_action notice ON notice.id = item.action_id
                      JOIN account_partial_reconcile pr
                        ON pr.debit_move_id = item.move_line_id
                     WHERE pr.max_date BETWEEN notice.date
                                           AND notice.date + %(window)s
                     GROUP BY item.id
                   ) paid ON paid.id = dal.id
             WHERE act.state = 'done'
            """,
            today=today,
            window=EFFECTIVENESS_DAYS,
            ratio=effectiveness_sql(
                SQL("dal.amount_residual"), SQL("COALESCE(paid.amount, 0)")
            ),
        )

    def _read_group_select(self, aggregate_spec, query):
        # the rate of a group is the ratio of its sums, not a sum of rates
        if aggregate_spec.startswith("effectiveness:"):
            return effectiveness_sql(
                self._read_group_select("amount_noticed:sum", query),
                self._read_group_select("amount_paid:sum", query),
            )
        return super()._read_group_select(aggregate_spec, query)

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
