# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.tools import SQL


class MergePartnerAutomatic(models.TransientModel):
    """Merging customers moves invoices to another customer by plain SQL:
    the daily run must look at the customer that receives them."""

    _inherit = "base.partner.merge.automatic.wizard"

    def _update_foreign_keys(self, src_partners, dst_partner):
        res = super()._update_foreign_keys(src_partners, dst_partner)
        State = self.env["dunning.partner.state"].sudo()
        State.flush_model()
        self.env.cr.execute(
            SQL(
                "UPDATE dunning_partner_state SET changed = TRUE"
                " WHERE partner_id = ANY(%s)",
                (dst_partner | dst_partner.commercial_partner_id).ids,
            )
        )
        State.invalidate_model(["changed"])
        return res
