# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _check_amount_and_confirm_order(self):
        """An order the customer has just paid online is confirmed whatever
        its hold: refusing it would leave a payment without its order."""
        return super(
            PaymentTransaction, self.with_context(dunning_paid_online=True)
        )._check_amount_and_confirm_order()
