# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Browser tests: a credit hold as a salesperson and an overrider meet it,
a payment plan made from an invoice.  The tours are in static/tests/tours/.

The web client runs on the real clock, so the invoices are dated relative
to today."""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from odoo.addons.dunning_followup.tests.common import DunningCommon


@tagged("post_install", "-at_install")
class TestEscalationTours(DunningCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env.user)
        cls.collector.password = "colette"

    def _held_order(self):
        """A draft order of Sam for a customer put on hold by hand."""
        salesperson = self._make_user(
            "Sam Sales", "sam_sales", ["sales_team.group_sale_salesman"]
        )
        salesperson.password = "sam_sales"
        overrider = self._make_user(
            "Olga Override",
            "olga",
            [
                "sales_team.group_sale_salesman_all_leads",
                "dunning_escalation.group_credit_hold_override",
            ],
        )
        overrider.password = "olga"
        self.customer.user_id = salesperson
        product = self.env["product.product"].create(
            {"name": "Widget", "list_price": 100.0, "type": "consu"}
        )
        self.env["dunning.credit.hold"].create(
            {
                "partner_ids": [Command.set(self.customer.ids)],
                "mode": "hold",
                "reason": "Does not pay",
            }
        ).action_apply()
        return self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "user_id": salesperson.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": 1,
                            "price_unit": 100.0,
                            "tax_id": [],
                        }
                    )
                ],
            }
        )

    def test_held_order_refused_then_overridden(self):
        """Sam's confirmation is refused with who can help; Olga confirms
        with a reason, logged on the order."""
        order = self._held_order()
        url = f"/odoo/action-sale.action_quotations/{order.id}"
        self.start_tour(url, "dunning_hold_refused_tour", login="sam_sales")
        self.assertEqual(order.state, "draft", "the salesperson cannot confirm")
        self.assertFalse(order.dunning_hold_override_reason)
        self.start_tour(url, "dunning_hold_override_tour", login="olga")
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.dunning_hold_override_reason, "Paid cash at the counter")
        self.assertTrue(
            any(
                "Paid cash at the counter" in body
                for body in order.message_ids.mapped("body")
            ),
            "the override is logged on the order",
        )

    def test_payment_plan_from_the_invoice(self):
        """Payment plan on a late invoice, three installments, confirmed:
        the invoice leaves the ladder for the plan."""
        invoice = self._invoice(self.customer, self.today - timedelta(days=12), 900.0)
        self.start_tour(
            f"/odoo/action-account.action_move_out_invoice_type/{invoice.id}",
            "dunning_plan_from_invoice_tour",
            login="colette",
        )
        plan = self.env["dunning.installment.plan"].search(
            [("move_ids", "in", invoice.ids)]
        )
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.amount_total, 900.0)
        self.assertEqual(plan.line_ids.mapped("amount"), [300.0, 300.0, 300.0])
        self.assertTrue(invoice.dunning_excluded)
        self.assertEqual(invoice.dunning_exclusion_reason, "plan")
