# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from contextlib import contextmanager
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.dunning_followup.tests.common import DunningCommon

D = date


@tagged("post_install", "-at_install")
class TestInstallmentPlan(DunningCommon):
    """Payment plans, as a follow-up user (the collector) makes them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing = cls.env["res.partner"].create(
            {
                "name": "Acme Accounts Payable",
                "type": "invoice",
                "email": "ap@acme.example.com",
                "parent_id": cls.customer.id,
            }
        )
        cls.Plan = cls.env["dunning.installment.plan"].with_user(cls.collector)

    def _plan(self, moves, confirm=True, **vals):
        """A plan on ``moves`` made by the collector (monthly x 3 unless
        said otherwise), confirmed unless ``confirm`` is False."""
        values = {
            "partner_id": moves.commercial_partner_id.id,
            "move_ids": [Command.set(moves.ids)],
            "installment_count": 3,
            "frequency": "monthly",
        }
        values.update(vals)
        plan = self.Plan.create(values)
        plan.action_compute_schedule()
        if confirm:
            plan.action_confirm()
        return plan

    @contextmanager
    def _refused(self, message, exception=ValidationError):
        """Expect ``exception`` saying ``message``; rolled back to a
        savepoint, as the request that raised it would be."""
        with self.assertRaises(exception) as caught:
            yield
        self.assertRegex(str(caught.exception), message)

    def _schedule(self, plan):
        return [
            (line.date, line.amount, line.amount_paid, line.state)
            for line in plan.line_ids.sorted("date")
        ]

    def test_confirm_sends_schedule_and_leaves_the_ladder(self):
        invoice = self._invoice(self.customer, D(2026, 1, 1), 1000.0)
        with freeze_time("2026-02-02"):
            plan = self._plan(
                invoice, down_payment=200.0, installment_count=2, frequency="weekly"
            )
            self.assertEqual(plan.state, "active")
            self.assertEqual(plan.first_date, D(2026, 2, 2))  # today by default
            self.assertEqual(
                self._schedule(plan),
                [
                    (D(2026, 2, 2), 200.0, 0.0, "open"),
                    (D(2026, 2, 9), 400.0, 0.0, "open"),
                    (D(2026, 2, 16), 400.0, 0.0, "open"),
                ],
            )
            self.assertTrue(invoice.dunning_excluded)
            self.assertEqual(invoice.dunning_exclusion_reason, "plan")
            self.assertFalse(invoice.dunning_excluded_until)
            # the schedule went to the invoicing contact, PDF attached
            sent = plan.message_ids.filtered(lambda m: m.message_type == "comment")
            self.assertEqual(len(sent), 1)
            self.assertEqual(sent.partner_ids, self.billing)
            self.assertIn("400.00", str(sent.body))
            self.assertEqual(len(sent.attachment_ids), 1)
            self.assertIn("Payment plan", sent.attachment_ids.name)
            # the run leaves the invoice alone while the plan runs
            run = self._run(D(2026, 2, 2))
            self.assertFalse(run.action_ids)
            self.assertEqual(self._state(self.customer).status, "plan")
            self.assertEqual(self.customer.dunning_status, "plan")
            self.assertEqual(invoice.with_user(self.collector).dunning_plan_count, 1)

    def test_payments_fill_installments_across_invoices(self):
        first = self._invoice(self.customer, D(2026, 1, 1), 600.0)
        second = self._invoice(self.customer, D(2026, 1, 15), 400.0)
        with freeze_time("2026-02-02"):
            plan = self._plan(first | second, down_payment=300.0, installment_count=2)
            self.assertEqual(plan.amount_total, 1000.0)
            # 400 paid on the second invoice: the down payment and 100 more
            self._pay(second, 400.0, D(2026, 2, 2))
            self.assertEqual(
                self._schedule(plan),
                [
                    (D(2026, 2, 2), 300.0, 300.0, "paid"),
                    (D(2026, 3, 2), 350.0, 100.0, "open"),
                    (D(2026, 4, 2), 350.0, 0.0, "open"),
                ],
            )
            self.assertEqual(plan.amount_paid, 400.0)
            self.assertEqual(plan.next_date, D(2026, 3, 2))
        with freeze_time("2026-03-01"):
            # over-payment of the next installment flows to the last one
            self._pay(first, 300.0, D(2026, 3, 1))
            self.assertEqual(
                [line.amount_paid for line in plan.line_ids.sorted("date")],
                [300.0, 350.0, 50.0],
            )
            self.assertEqual(plan.state, "active")
            self._pay(first, 300.0, D(2026, 3, 1))
            self.assertEqual(plan.state, "done")
            self.assertEqual(set(plan.line_ids.mapped("state")), {"paid"})
            self.assertFalse(first.dunning_excluded)
            self.assertFalse(second.dunning_excluded)
            self.assertEqual(self._state(self.customer).status, "none")

    def test_undone_payment_reopens_installments(self):
        invoice = self._invoice(self.customer, D(2026, 1, 1), 900.0)
        with freeze_time("2026-02-02"):
            plan = self._plan(invoice)
            self._pay(invoice, 450.0, D(2026, 2, 2))
            self.assertEqual(plan.amount_paid, 450.0)
        with freeze_time("2026-03-05"):
            self._lines(invoice).remove_move_reconcile()
            self.assertEqual(
                self._schedule(plan),
                [
                    (D(2026, 2, 2), 300.0, 0.0, "late"),
                    (D(2026, 3, 2), 300.0, 0.0, "late"),
                    (D(2026, 4, 2), 300.0, 0.0, "open"),
                ],
            )
            self.assertTrue(plan.at_risk)

    def test_reminder_late_then_broken_after_grace(self):
        self.policy.hold_on_broken_promise = True
        invoice = self._invoice(self.customer, D(2026, 1, 1), 900.0)
        with freeze_time("2026-02-02"):
            plan = self._plan(invoice)
            self._pay(invoice, 300.0, D(2026, 2, 2))
            cron = self.env["dunning.installment.plan"]
            cron._cron_check_plans()
            self.assertEqual(plan.line_ids.sorted("date")[0].state, "paid")
        reminders = plan.message_ids.filtered(
            lambda m: m.message_type == "comment" and "reminder" in (m.subject or "")
        )
        self.assertFalse(reminders)
        second = plan.line_ids.sorted("date")[1]
        with freeze_time("2026-02-26"):  # 4 days before: not yet
            cron._cron_check_plans()
            self.assertFalse(second.reminder_sent)
        with freeze_time("2026-02-27"):  # 3 days before 2 March
            cron._cron_check_plans()
            self.assertTrue(second.reminder_sent)
            reminder = plan.message_ids[0]
            self.assertEqual(reminder.partner_ids, self.billing)
            self.assertIn("300.00", str(reminder.body))
            cron._cron_check_plans()  # once a day, and once per installment
            self.assertEqual(plan.message_ids[0], reminder)
        with freeze_time("2026-03-03"):
            cron._cron_check_plans()
            self.assertEqual(second.state, "late")
            self.assertTrue(plan.at_risk)
            self.assertEqual(plan.state, "active")
        with freeze_time("2026-03-05"):  # 3 days late: the last day of grace
            cron._cron_check_plans()
            self.assertEqual(plan.state, "active")
            self.assertTrue(invoice.dunning_excluded)
        with freeze_time("2026-03-06"):
            cron._cron_check_plans()
            self.assertEqual(plan.state, "broken")
            self.assertFalse(invoice.dunning_excluded)
            # the collector is told, the customer gets a notice
            activity = plan.activity_ids
            self.assertEqual(activity.user_id, self.collector)
            self.assertEqual(activity.summary, "Broken payment plan")
            notice = plan.message_ids.filtered(
                lambda m: m.message_type == "comment" and "ended" in (m.subject or "")
            )
            self.assertEqual(notice.partner_ids, self.billing)
            # a broken plan is a broken promise: credit hold
            self.assertTrue(self.customer.credit_hold)
            self.assertEqual(self.customer.credit_hold_origin, "promise")
            # back on the ladder at once, from its real due date
            run = self._run(D(2026, 3, 6))
            self.assertEqual(run.action_ids.line_ids.move_id, invoice)

    def test_no_hold_without_the_policy_and_cancel_releases(self):
        invoice = self._invoice(self.customer, D(2026, 1, 1), 900.0)
        other = self._invoice(self.customer, D(2026, 1, 1), 100.0)
        with freeze_time("2026-02-02"):
            plan = self._plan(invoice)
        with freeze_time("2026-02-07"):
            self.env["dunning.installment.plan"]._cron_check_plans()
            self.assertEqual(plan.state, "broken")
            self.assertFalse(self.customer.credit_hold)
        with freeze_time("2026-02-08"):
            second = self._plan(other)
            second.action_cancel()
            self.assertEqual(second.state, "cancelled")
            self.assertFalse(other.dunning_excluded)
            with self._refused("only draft and running", UserError):
                plan.action_cancel()
            with self._refused("Only draft or cancelled", UserError):
                plan.unlink()
            second.unlink()
            self.assertFalse(second.exists())

    def test_payment_term_split(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "30/30/40",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 30, "nb_days": 0}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 30, "nb_days": 30}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 40, "nb_days": 60}
                    ),
                ],
            }
        )
        invoice = self._invoice(self.customer, D(2026, 1, 1), 1000.01)
        with freeze_time("2026-02-02"):
            plan = self._plan(invoice, confirm=False, payment_term_id=term.id)
        self.assertEqual(
            [(line.date, line.amount) for line in plan.line_ids.sorted("date")],
            [
                (D(2026, 2, 2), 300.0),
                (D(2026, 3, 4), 300.0),
                (D(2026, 4, 3), 400.01),
            ],
        )
        # a payment term left with percentages not summing to 100
        self.env.cr.execute(
            "UPDATE account_payment_term_line SET value_amount = 20"
            " WHERE payment_id = %s AND value_amount = 40",
            [term.id],
        )
        term.line_ids.invalidate_recordset()
        with self._refused("30/30/40 sum to 80"):
            plan.action_compute_schedule()
        self.assertEqual(len(plan.line_ids), 3)  # the last schedule stays

    def test_refused_invoices(self):
        paid = self._invoice(self.customer, D(2026, 1, 1), 100.0)
        self._pay(paid)
        draft = self._invoice(self.customer, D(2026, 1, 1), 100.0, post=False)
        cancelled = self._invoice(self.customer, D(2026, 1, 1), 100.0, post=False)
        cancelled.button_cancel()
        stranger = self._make_customer("Other Customer")
        theirs = self._invoice(stranger, D(2026, 1, 1), 100.0)
        planned = self._invoice(self.customer, D(2026, 1, 1), 100.0)
        with freeze_time("2026-02-02"):
            self._plan(planned)
            cases = [
                (paid, "is already paid"),
                (draft, "is a draft"),
                (cancelled, "is cancelled"),
                (theirs, "belongs to Other Customer, not to Acme Customer"),
                (planned, "already under the running plan"),
            ]
            for move, message in cases:
                with self.subTest(message=message):
                    count = self.Plan.search_count([])
                    with self._refused(message):
                        self.Plan.create(
                            {
                                "partner_id": self.customer.id,
                                "move_ids": [Command.set(move.ids)],
                            }
                        )
                    self.assertEqual(self.Plan.search_count([]), count)

    def test_refused_other_company_invoice(self):
        company_b = self.setup_other_company(name="Company B")["company"]
        self.env.user.company_ids |= company_b
        self.collector.company_ids |= company_b
        invoice = self._invoice(self.customer, D(2026, 1, 1), 100.0)
        with freeze_time("2026-02-02"), self._refused("compan", UserError):
            self.Plan.with_company(company_b).create(
                {
                    "partner_id": self.customer.id,
                    "company_id": company_b.id,
                    "move_ids": [Command.set(invoice.ids)],
                }
            )

    def test_refused_schedules(self):
        invoice = self._invoice(self.customer, D(2026, 1, 1), 900.0)
        with freeze_time("2026-02-02"):
            with self._refused("at least 1 installment"):
                self._plan(invoice, installment_count=0)
            with self._refused("Down payment: .*950.00"):
                self._plan(invoice, down_payment=950.0)
            plan = self._plan(invoice, confirm=False)
            first, second, _third = plan.line_ids.sorted("date")
            second.amount = 250.0
            with self._refused("sum to .*850.00.* not to"):
                plan.action_confirm()
            second.amount = 300.0
            first.date = D(2026, 2, 1)
            with self._refused("before the first date"):
                plan.action_confirm()
            self.assertEqual(plan.state, "draft")
            self.assertFalse(invoice.dunning_excluded)
            self.assertFalse(plan.message_ids.filtered(lambda m: m.partner_ids))
            first.date = D(2026, 2, 2)
            plan.action_confirm()
            with self._refused("confirmed", UserError):
                first.amount = 1.0

    def test_rights(self):
        invoice = self._invoice(self.customer, D(2026, 1, 1), 900.0)
        salesperson = self._make_user(
            "Sam Sales", "sam_sales", ["sales_team.group_sale_salesman"]
        )
        with freeze_time("2026-02-02"):
            with mute_logger("odoo.models"), self.assertRaises(AccessError):
                self.env["dunning.installment.plan"].with_user(salesperson).create(
                    {
                        "partner_id": self.customer.id,
                        "move_ids": [Command.set(invoice.ids)],
                    }
                )
            plan = self._plan(invoice)  # the follow-up user
            self.assertEqual(plan.create_uid, self.collector)
            self.assertEqual(plan.state, "active")
        # a follow-up user of another company does not see the plan
        company_b = self.setup_other_company(name="Company B")["company"]
        outsider = self._make_user(
            "Otto Other", "otto", ["dunning_followup.group_dunning_user"], company_b
        )
        self.assertFalse(
            self.env["dunning.installment.plan"].with_user(outsider).search([])
        )
        self.assertFalse(
            self.env["dunning.installment.line"].with_user(outsider).search([])
        )

    def test_entry_points_and_statement(self):
        invoice = self._invoice(self.customer, D(2026, 1, 1), 900.0)
        done = self._invoice(self.customer, D(2026, 1, 1), 50.0)
        self._pay(done)
        with freeze_time("2026-02-02"):
            for action in (
                invoice.with_user(self.collector).action_dunning_plan(),
                self.customer.with_user(self.collector).action_dunning_plan(),
                self.env["dunning.followup"]
                .with_user(self.collector)
                .create({"partner_ids": [Command.set(self.customer.ids)]})
                .action_installment_plan(),
            ):
                with self.subTest(action=action["name"]):
                    plan = self.Plan.with_context(**action["context"]).create({})
                    self.assertEqual(plan.move_ids, invoice)
                    self.assertEqual(plan.amount_total, 900.0)
                    plan.unlink()
            plan = self._plan(invoice)
            statement = self.customer._dunning_statement_data()
            self.assertEqual(statement["plan"]["name"], plan.name)
            self.assertEqual(len(statement["plan"]["lines"]), 3)
            html, _type = self.env["ir.actions.report"]._render_qweb_html(
                "dunning_followup.action_report_dunning_statement", self.customer.ids
            )
            self.assertIn("Payment plan", html.decode())
            self.assertIn(plan.name, html.decode())
            self.assertEqual(
                self.customer.with_user(self.collector).dunning_plan_count, 1
            )

    def _plans_for_query_count(self, count):
        plans = self.env["dunning.installment.plan"]
        for index in range(count):
            customer = self._make_customer(
                f"Batch {count} {index}", f"b{index}@x.example"
            )
            invoice = self._invoice(customer, D(2026, 1, 1), 300.0)
            plans |= self._plan(invoice, confirm=True).sudo()
        return plans

    def test_check_costs_the_same_queries_for_5_or_50_plans(self):
        with freeze_time("2026-02-02"):
            warm = self._plans_for_query_count(2)
            small = self._plans_for_query_count(5)
            large = self._plans_for_query_count(50)
        counts = []
        with freeze_time("2026-02-04"):  # every first installment turns late
            for plans in (warm, small, large):
                self.env.invalidate_all()
                self.env.flush_all()
                before = self.env.cr.sql_log_count
                plans._check_plans(D(2026, 2, 4))
                self.env.flush_all()
                counts.append(self.env.cr.sql_log_count - before)
                self.assertTrue(all(plans.mapped("at_risk")))
        self.assertEqual(counts[1], counts[2], counts)
