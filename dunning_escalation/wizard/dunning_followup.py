# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.exceptions import UserError


class DunningFollowup(models.TransientModel):
    _inherit = "dunning.followup"

    def action_installment_plan(self):
        """Offer the customer being followed up a payment plan instead."""
        self.ensure_one()
        self._check_rights()
        partner = (self.partner_ids | self.action_ids.partner_id).commercial_partner_id
        if len(partner) != 1:
            raise UserError(
                self.env._("Customers: choose one customer to offer a payment plan.")
            )
        return self.env["dunning.installment.plan"]._action_new(
            partner, self.company_id
        )
