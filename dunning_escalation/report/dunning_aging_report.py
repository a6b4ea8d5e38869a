# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL


class DunningAgingReport(models.Model):
    """The aging tells the installments of customers on credit hold."""

    _inherit = "dunning.aging.report"

    credit_hold = fields.Boolean(string="Customer on credit hold")

    _depends = {"dunning.partner.state": ["partner_id", "company_id", "credit_hold"]}

    @api.model
    def _aging_select_extra(self, today):
        return SQL(
            "%s, COALESCE(hold.credit_hold, FALSE) AS credit_hold",
            super()._aging_select_extra(today),
        )

    @api.model
    def _aging_from_extra(self, today):
        # on the unique (customer, company) key: dropped by PostgreSQL when
        # the hold is not asked for
        return SQL(
            """%s
              LEFT JOIN dunning_partner_state hold
                     ON hold.partner_id = move.commercial_partner_id
                    AND hold.company_id = aml.company_id""",
            super()._aging_from_extra(today),
        )
