# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.exceptions import UserError


class SaleOrderHoldOverride(models.TransientModel):
    """Confirm orders of a customer on credit hold, with a logged reason."""

    _name = "sale.order.hold.override"
    _description = "Confirm despite the credit hold"

    order_ids = fields.Many2many("sale.order", string="Orders", required=True)
    reason = fields.Char(required=True)

    def action_confirm(self):
        self.ensure_one()
        if not self.env.user.has_group("dunning_escalation.group_credit_hold_override"):
            raise UserError(
                self.env._(
                    "Only users of the Credit hold override group confirm orders of "
                    "customers on credit hold."
                )
            )
        if not self.reason.strip():
            raise UserError(self.env._("Reason: say why the order goes ahead."))
        self.order_ids.with_context(
            dunning_hold_override_reason=self.reason
        ).action_confirm()
        return {"type": "ir.actions.act_window_close"}
