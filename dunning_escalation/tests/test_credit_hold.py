# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.dunning_followup.tests.common import DunningCommon


@tagged("post_install", "-at_install")
class TestCreditHold(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = cls._make_user(
            "Sam Sales", "sam_sales", ["sales_team.group_sale_salesman"]
        )
        cls.overrider = cls._make_user(
            "Olga Override",
            "olga",
            [
                "sales_team.group_sale_salesman",
                "dunning_escalation.group_credit_hold_override",
            ],
        )
        cls.customer.user_id = cls.salesperson
        cls.product = cls.env["product.product"].create(
            {"name": "Widget", "list_price": 100.0, "type": "consu"}
        )

    def _order(self, partner=None, price=100.0, company=None, user=None):
        env = self.env(user=user) if user else self.env
        return (
            env["sale.order"]
            .with_company(company or self.company)
            .create(
                {
                    "partner_id": (partner or self.customer).id,
                    "company_id": (company or self.company).id,
                    "user_id": env.user.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "product_uom_qty": 1,
                                "price_unit": price,
                                "tax_id": [],
                            }
                        )
                    ],
                }
            )
        )

    def _hold(self, reason="Does not pay", sticky=False, partner=None):
        self.env["dunning.credit.hold"].create(
            {
                "partner_ids": [Command.set((partner or self.customer).ids)],
                "mode": "hold",
                "reason": reason,
                "sticky": sticky,
            }
        ).action_apply()

    def test_hold_by_level_and_release_on_payment(self):
        self.level_formal.credit_hold = True
        self.policy.level_mode = "jump"
        invoice = self._invoice(self.customer, date(2026, 1, 1), 500.0)
        with freeze_time("2026-01-25"):
            self._run(date(2026, 1, 25))
            self.assertTrue(self.customer.credit_hold)
            self.assertEqual(self.customer.credit_hold_origin, "level")
            self.assertIn("Formal", self.customer.credit_hold_reason)
            # the salesperson is told
            activity = self.env["mail.activity"].search(
                [
                    ("res_id", "=", self.customer.id),
                    ("user_id", "=", self.salesperson.id),
                ]
            )
            self.assertIn("credit hold", activity.summary)
            self._pay(invoice, 500.0, date(2026, 1, 25))
            # lifted at once on reconciliation, not at the next run
            self.assertFalse(self.customer.credit_hold)
        messages = self.customer.message_ids.mapped("body")
        self.assertTrue(any("Credit hold in" in str(m) for m in messages))
        self.assertTrue(any("Credit hold lifted" in str(m) for m in messages))

    def test_hold_by_amount_and_by_age(self):
        self.company.dunning_hold_amount = 1000.0
        self._invoice(self.customer, date(2026, 1, 1), 600.0)
        other = self._make_customer("Old Debt Ltd", "old@example.com")
        self._invoice(other, date(2025, 10, 1), 50.0)
        with freeze_time("2026-01-10"):
            self._run(date(2026, 1, 10))
            self.assertFalse(self.customer.credit_hold)
            self._invoice(self.customer, date(2026, 1, 2), 400.0)
            self._run(date(2026, 1, 10))
            self.assertTrue(self.customer.credit_hold)
            self.assertEqual(self.customer.credit_hold_origin, "amount")
            self.assertFalse(other.credit_hold)
            self.company.dunning_hold_days = 90
            self._run(date(2026, 1, 10))
            self.assertTrue(other.credit_hold)
            self.assertEqual(other.credit_hold_origin, "age")

    def test_confirm_refused_with_the_reason(self):
        self._invoice(self.customer, date(2026, 1, 1), 300.0)
        with freeze_time("2026-01-10"):
            self._run(date(2026, 1, 10))
            self._hold("Three reminders ignored")
            order = self._order(user=self.salesperson)
            self.assertTrue(order.dunning_credit_hold)
            self.assertIn("Three reminders ignored", order.dunning_hold_message)
            with self.assertRaisesRegex(UserError, "Three reminders ignored") as caught:
                order.action_confirm()
        message = str(caught.exception)
        self.assertIn("300.00", message)
        self.assertIn("Overdue invoices", message)
        # the people to ask, by name, not the names of groups
        self.assertIn("Olga Override", message)
        self.assertNotIn("group", message)
        # the reason ends with a full stop before the amount
        self.assertIn("Three reminders ignored. Overdue:", message)
        self.assertEqual(order.state, "draft")

    def test_refusal_lists_an_invoice_late_on_its_first_installment(self):
        """The refusal names an invoice whose first installment is late even
        though its last one (the invoice's due date) is still ahead, and not
        an invoice that is not due yet."""
        term = self.env["account.payment.term"].create(
            {
                "name": "30/70",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 30, "nb_days": 0}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 70, "nb_days": 60}
                    ),
                ],
            }
        )
        split = self._invoice(
            self.customer, None, 1000.0, invoice_date=date(2026, 1, 1), term=term
        )
        self.assertEqual(split.invoice_date_due, date(2026, 3, 2))
        not_due = self._invoice(self.customer, date(2026, 2, 15), 100.0)
        with freeze_time("2026-01-20"):
            self._hold("First installment unpaid")
            order = self._order(user=self.salesperson)
            with self.assertRaises(UserError) as caught:
                order.action_confirm()
        message = str(caught.exception)
        self.assertIn(f"Overdue invoices: {split.name}", message)
        self.assertNotIn(not_due.name, message)

    def test_override_with_and_without_the_group(self):
        self._hold()
        own = self._order(user=self.salesperson)
        # without the group, the salesperson cannot even open the wizard
        with self.assertRaises(AccessError):
            self.env["sale.order.hold.override"].with_user(self.salesperson).create(
                {"order_ids": [Command.set(own.ids)], "reason": "please"}
            )
        with self.assertRaises(UserError):
            own.with_user(self.salesperson).with_context(
                dunning_hold_override_reason="sneaky"
            ).action_confirm()
        self.assertEqual(own.state, "draft")
        self.assertTrue(self.overrider.has_group("sales_team.group_sale_salesman"))
        order = self._order(user=self.overrider)
        wizard = (
            self.env["sale.order.hold.override"]
            .with_user(self.overrider)
            .create(
                {
                    "order_ids": [Command.set(order.ids)],
                    "reason": "Paid cash at the counter",
                }
            )
        )
        wizard.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.dunning_hold_override_reason, "Paid cash at the counter")
        self.assertTrue(
            order.message_ids.filtered(
                lambda m: "Paid cash at the counter" in str(m.body)
            )
        )
        self.assertTrue(
            self.customer.message_ids.filtered(
                lambda m: "confirmed despite the credit hold" in str(m.body)
            )
        )

    def test_zero_amount_and_paid_online_pass(self):
        self._hold()
        free = self._order(price=0.0)
        free.action_confirm()
        self.assertEqual(free.state, "sale")

    def test_payment_transaction_path_is_never_refused(self):
        """An online payment confirms the order through the transaction; the
        hold must not make that confirmation fail."""
        self._hold()
        order = self._order()
        provider = self.env["payment.provider"].create({"name": "Test", "code": "none"})
        tx = self.env["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": self.env.ref("payment.payment_method_unknown").id,
                "amount": order.amount_total,
                "currency_id": order.currency_id.id,
                "partner_id": self.customer.id,
                "reference": "DUNNING-TEST-1",
                "sale_order_ids": [Command.set(order.ids)],
            }
        )
        with patch.object(
            type(order), "_is_confirmation_amount_reached", return_value=True
        ):
            confirmed = tx._check_amount_and_confirm_order()
        self.assertEqual(confirmed, order)
        self.assertEqual(order.state, "sale")

    def test_portal_signature_waits_instead_of_failing(self):
        self._hold()
        order = self._order()
        portal = self.env["res.users"].create(
            {
                "name": "Portal Pete",
                "login": "pete",
                "partner_id": self.customer.id,
                "groups_id": [Command.set([self.env.ref("base.group_portal").id])],
            }
        )
        # what the portal does once the customer signed (sale/controllers/portal)
        order.with_user(portal).sudo()._validate_order()
        self.assertEqual(order.state, "draft")
        self.assertTrue(
            order.message_ids.filtered(
                lambda m: "waits for confirmation" in str(m.body)
            )
        )
        self.assertEqual(order.activity_ids.user_id, order.user_id)

    def test_manual_hold_release_and_fire_the_customer(self):
        self._hold("Fired", sticky=True)
        self.assertTrue(self.customer.credit_hold)
        self.assertEqual(self.customer.credit_hold_origin, "manual")
        self.assertEqual(self.customer.credit_hold_user_id, self.env.user)
        # nothing overdue: an automatic evaluation never lifts it
        self.env["dunning.partner.state"]._refresh(self.customer.ids, self.company.id)
        self.assertTrue(self.customer.credit_hold)
        self.env["dunning.credit.hold"].create(
            {
                "partner_ids": [Command.set(self.customer.ids)],
                "mode": "release",
                "reason": "Settled with the lawyer",
            }
        ).action_apply()
        self.assertFalse(self.customer.credit_hold)

    def test_salesperson_sees_the_reason_but_cannot_release(self):
        self._hold("Bounced cheques")
        customer = self.customer.with_user(self.salesperson)
        self.assertTrue(customer.credit_hold)
        self.assertEqual(customer.credit_hold_reason, "Bounced cheques")
        with self.assertRaises(AccessError):
            self.env["dunning.credit.hold"].with_user(self.salesperson).create(
                {
                    "partner_ids": [Command.set(self.customer.ids)],
                    "mode": "release",
                    "reason": "please",
                }
            )
        # the reason, not the ledger: the follow-up records stay closed
        with self.assertRaises(AccessError):
            self.env["dunning.partner.state"].with_user(self.salesperson).search([])
        with self.assertRaises(AccessError):
            self.env["dunning.action"].with_user(self.salesperson).search([])

    def test_hold_in_one_company_does_not_block_another(self):
        company_b = self.setup_other_company(name="Company B")["company"]
        self.env.user.company_ids |= company_b
        self._hold()
        order_b = self._order(company=company_b)
        order_b.with_company(company_b).action_confirm()
        self.assertEqual(order_b.state, "sale")
        company_b.dunning_hold_all_companies = True
        order_b2 = self._order(company=company_b)
        with self.assertRaises(UserError):
            order_b2.with_company(company_b).action_confirm()

    def test_broken_promise_holds_at_once(self):
        self.policy.hold_on_broken_promise = True
        invoice = self._invoice(self.customer, date(2026, 1, 1), 500.0)
        with freeze_time("2026-01-03"):
            promise = self.env["dunning.promise"].create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(invoice.ids)],
                    "amount": 500.0,
                    "date": date(2026, 1, 10),
                }
            )
        with freeze_time("2026-01-11"):
            self.env["dunning.promise"]._cron_check_promises()
            self.assertEqual(promise.state, "broken")
            self.assertTrue(self.customer.credit_hold)
            self.assertEqual(self.customer.credit_hold_origin, "promise")
            self._pay(invoice, 500.0, date(2026, 1, 11))
            self.assertFalse(self.customer.credit_hold)

    def test_credit_limit(self):
        self.company.dunning_hold_credit_limit = True
        self.customer.with_company(self.company).credit_limit = 250.0
        self._invoice(self.customer, date(2026, 3, 1), 200.0)
        with freeze_time("2026-02-01"):
            self._run(date(2026, 2, 1))
            small = self._order(price=40.0)
            small.action_confirm()
            self.assertEqual(small.state, "sale")
            big = self._order(price=100.0)
            with self.assertRaisesRegex(UserError, "credit limit"):
                big.action_confirm()

    def test_prepayment_for_held_customers(self):
        self.company.dunning_hold_prepayment = True
        self._hold()
        order = self._order()
        self.assertTrue(order.require_payment)
        self.assertEqual(order.prepayment_percent, 1.0)

    def test_hold_check_costs_at_most_two_queries(self):
        for index in range(30):
            self._invoice(self.customer, date(2026, 1, 1 + index % 28), 10.0)
        order = self._order()
        self.env.flush_all()
        self.env.invalidate_all()
        order = order.browse(order.id)
        # what the order form has loaded anyway, outside the count
        order.read(["partner_id", "company_id", "amount_total", "state", "currency_id"])
        order.partner_id.read(["commercial_partner_id"])
        order.company_id.read(
            ["dunning_hold_all_companies", "dunning_hold_credit_limit"]
        )
        # measured: the one read of the state rows
        with self.assertQueryCount(1):
            order._dunning_check_credit_hold()

    def test_negative_thresholds_refused(self):
        from odoo.exceptions import ValidationError

        with self.assertRaisesRegex(ValidationError, "Hold above overdue amount"):
            self.company.dunning_hold_amount = -1

    def test_level_holds_once_sent_and_at_later_levels(self):
        """The formal level holds; a jump straight to the final notice holds
        too, but only once that notice is sent, not while it waits for
        review."""
        self.level_formal.credit_hold = True
        self.policy.level_mode = "jump"
        invoice = self._invoice(self.customer, date(2026, 1, 1), 500.0)
        with freeze_time("2026-02-20"):
            self._run(date(2026, 2, 20))
            action = self.env["dunning.action"].search(
                [("partner_id", "=", self.customer.id)]
            )
            self.assertEqual(action.level_id, self.level_final)
            self.assertEqual(action.state, "to_review")
            self.assertFalse(self.customer.credit_hold)
            action.action_execute()
            self.assertEqual(action.state, "done")
            self.assertTrue(self.customer.credit_hold)
            self.assertIn("Final", self.customer.credit_hold_reason)
            self.assertEqual(self.customer.credit_hold_since, date(2026, 2, 20))
            self._pay(invoice, 500.0, date(2026, 2, 20))
            self.assertFalse(self.customer.credit_hold)

    def test_manual_hold_lifted_when_paid_unless_nothing_was_overdue(self):
        invoice = self._invoice(self.customer, date(2026, 1, 1), 300.0)
        other = self._make_customer("Suspicious Ltd", "sus@example.com")
        with freeze_time("2026-01-10"):
            self._hold("Three reminders ignored")
            self.assertFalse(self._state(self.customer).credit_hold_sticky)
            # nothing overdue: a manager decided, only a manager lifts it
            self._hold("Fraud suspected", partner=other)
            self.assertTrue(self._state(other).credit_hold_sticky)
            self._pay(invoice, 300.0, date(2026, 1, 10))
            self.assertFalse(self.customer.credit_hold)
            self.env["dunning.partner.state"]._refresh(other.ids, self.company.id)
            self.assertTrue(other.credit_hold)

    def test_manager_takes_over_an_automatic_hold(self):
        self.company.dunning_hold_amount = 100.0
        invoice = self._invoice(self.customer, date(2026, 1, 1), 300.0)
        with freeze_time("2026-01-10"):
            self._run(date(2026, 1, 10))
            self.assertEqual(self.customer.credit_hold_origin, "amount")
            self._hold("Fired", sticky=True)
            self.assertEqual(self.customer.credit_hold_origin, "manual")
            self.assertEqual(self.customer.credit_hold_reason, "Fired")
            self._pay(invoice, 300.0, date(2026, 1, 10))
            self.assertTrue(self.customer.credit_hold)
        self.assertTrue(
            self.customer.message_ids.filtered(
                lambda m: "confirmed by hand" in str(m.body)
            )
        )

    def test_order_paid_online_passes_any_confirmation(self):
        """A transaction that covers the order lets even the salesperson's
        button confirm it: the money is in."""
        self._hold()
        order = self._order(user=self.salesperson)
        provider = self.env["payment.provider"].create({"name": "Test", "code": "none"})
        self.env["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": self.env.ref("payment.payment_method_unknown").id,
                "amount": order.amount_total,
                "currency_id": order.currency_id.id,
                "partner_id": self.customer.id,
                "reference": "DUNNING-TEST-2",
                "state": "done",
                "sale_order_ids": [Command.set(order.ids)],
            }
        )
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_credit_limit_counts_orders_to_invoice(self):
        """The salesperson confirms what fits under the credit limit and is
        refused what does not (as themselves, not as an administrator)."""
        self.company.dunning_hold_credit_limit = True
        self.customer.with_company(self.company).credit_limit = 250.0
        sales = self.salesperson
        first = self._order(price=200.0, user=sales).with_user(sales)
        first.action_confirm()
        self.assertEqual(first.state, "sale")
        self.assertEqual(self.customer.dunning_to_invoice_amount, 200.0)
        self.assertEqual(self.customer.dunning_exposure, 200.0)
        second = self._order(price=100.0, user=sales).with_user(sales)
        with self.assertRaisesRegex(UserError, "credit limit"):
            second.action_confirm()
        self.assertEqual(second.state, "draft")

    def test_hold_check_with_credit_limit_costs_at_most_two_queries(self):
        self.company.dunning_hold_credit_limit = True
        self.customer.with_company(self.company).credit_limit = 1_000_000.0
        for index in range(30):
            self._invoice(self.customer, date(2026, 1, 1 + index % 28), 10.0)
        for _index in range(5):
            self._order(price=50.0).action_confirm()
        order = self._order()
        self.env.flush_all()
        self.env.invalidate_all()
        order = order.browse(order.id)
        order.read(["partner_id", "company_id", "amount_total", "state", "currency_id"])
        order.partner_id.read(["commercial_partner_id", "credit_limit"])
        order.company_id.read(
            ["dunning_hold_all_companies", "dunning_hold_credit_limit", "currency_id"]
        )
        with self.assertQueryCount(2):
            order._dunning_check_credit_hold()

    def test_salesperson_opens_the_held_customer_and_its_quotation(self):
        """The forms a salesperson opens load, show the reason, and leave
        out the ledger (exposure, release buttons)."""
        self._hold("Bounced cheques")
        env = self.env(user=self.salesperson)
        partner_arch = env["res.partner"].get_views([(False, "form")])["views"]["form"][
            "arch"
        ]
        self.assertIn("credit_hold_reason", partner_arch)
        self.assertNotIn("action_credit_release", partner_arch)
        self.assertNotIn("dunning_exposure", partner_arch)
        order_arch = env["sale.order"].get_views([(False, "form")])["views"]["form"][
            "arch"
        ]
        self.assertIn("dunning_hold_message", order_arch)
        self.assertNotIn("action_dunning_override", order_arch)
        order = self._order(user=self.salesperson).with_user(self.salesperson)
        order.invalidate_recordset()
        self.assertIn("Bounced cheques", order.dunning_hold_message)
        held = env["res.partner"].search([("credit_hold", "=", True)])
        self.assertEqual(held, self.customer)
        orders = env["sale.order"].search(
            [("partner_id.commercial_partner_id.credit_hold", "=", True)]
        )
        self.assertEqual(orders, order)

    def test_daily_run_comes_back_on_the_day_of_the_age_threshold(self):
        """Days late grow without any write: the daily run visits the
        customer on the day its oldest item reaches the hold threshold."""
        self.company.dunning_hold_days = 30
        self._invoice(self.customer, date(2026, 1, 1), 200.0)
        state = self._state(self.customer)

        def cron(on):
            with freeze_time(on.isoformat()):
                run = self.env["dunning.run"].create(
                    {"company_id": self.company.id, "trigger": "cron", "date": on}
                )
                run.action_process()
            return run

        for on in (date(2026, 1, 6), date(2026, 1, 11), date(2026, 1, 22)):
            self.assertTrue(cron(on).action_ids)
        self.assertEqual(state.visit_date, date(2026, 1, 31))
        run = cron(date(2026, 1, 30))
        self.assertEqual(run.partner_done, 0)
        self.assertFalse(state.credit_hold)
        self.assertEqual(state.max_days_late, 29)
        run = cron(date(2026, 1, 31))
        self.assertEqual(run.partner_done, 1)
        self.assertTrue(state.credit_hold)
        self.assertEqual(state.credit_hold_origin, "age")
