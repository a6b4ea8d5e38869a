# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.tools.misc import format_amount, format_date


class DunningPromise(models.Model):
    _inherit = "dunning.promise"

    def action_break(self):
        res = super().action_break()
        State = self.env["dunning.partner.state"].sudo()
        for promise in self:
            State._hold_on_broken_promise(
                promise.partner_id.commercial_partner_id,
                promise.company_id,
                self.env._(
                    "Broken promise to pay %(amount)s by %(date)s.",
                    amount=format_amount(self.env, promise.amount, promise.currency_id),
                    date=format_date(self.env, promise.date),
                ),
            )
        return res
