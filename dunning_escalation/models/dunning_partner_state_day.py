# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class DunningPartnerState(models.Model):
    """The collector's day offers to put a customer on credit hold."""

    _inherit = "dunning.partner.state"

    def action_collector_hold(self):
        """Put the customer on hold, or lift its hold, with a reason."""
        self.ensure_one()
        partner = self.partner_id.with_company(self.company_id)
        if self.credit_hold:
            return partner.action_credit_release()
        return partner.action_credit_hold()
