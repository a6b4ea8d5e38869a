# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class AccountPartialReconcile(models.Model):
    """Payments move customers off the ladder at once, not at the next run."""

    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        partials._dunning_refresh()
        return partials

    def unlink(self):
        moves = self.debit_move_id.move_id | self.credit_move_id.move_id
        res = super().unlink()
        moves._dunning_refresh_partners()
        return res

    def _dunning_refresh(self):
        moves = self.debit_move_id.move_id | self.credit_move_id.move_id
        moves._dunning_refresh_partners()
        self.env["dunning.promise"].sudo()._check_kept(moves)
