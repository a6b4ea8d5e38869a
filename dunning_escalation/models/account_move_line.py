# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    dunning_charge_id = fields.Many2one(
        "dunning.charge",
        string="Late payment charge",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )

    def _dunning_get_principal_changes(self):
        """``[(date, outstanding)]`` of this installment, invoice currency:
        its amount, lowered on the day of each payment reconciled with it
        (what the interest of :mod:`..tools.interest` runs on)."""
        self.ensure_one()
        outstanding = self.amount_currency
        changes = {date.min: outstanding}
        partials = self.matched_credit_ids.sorted(lambda p: (p.max_date, p.id))
        for partial in partials:
            outstanding -= partial.debit_amount_currency
            changes[partial.max_date] = max(outstanding, 0.0)
        return sorted(changes.items())
