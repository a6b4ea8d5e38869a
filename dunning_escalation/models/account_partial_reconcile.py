# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class AccountPartialReconcile(models.Model):
    """Payments fill the installments of running payment plans at once."""

    _inherit = "account.partial.reconcile"

    def _dunning_refresh(self):
        res = super()._dunning_refresh()
        moves = self.debit_move_id.move_id | self.credit_move_id.move_id
        self.env["dunning.installment.plan"]._refresh_for_moves(moves)
        return res

    def unlink(self):
        moves = self.debit_move_id.move_id | self.credit_move_id.move_id
        res = super().unlink()
        self.env["dunning.installment.plan"]._refresh_for_moves(moves)
        return res
