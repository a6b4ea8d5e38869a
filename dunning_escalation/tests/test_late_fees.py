# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.dunning_followup.tests.common import DunningCommon


@tagged("post_install", "-at_install")
class TestLateFees(DunningCommon):
    """Fees and interest of the levels, on one late-fee invoice per notice.

    Expected amounts are computed by hand in the comments; the company
    currency of the test company is USD.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.write(
            {
                "level_mode": "jump",
                "interest_type": "fixed",
                "interest_rate": 10.0,
                "interest_day_count": "actual_365",
            }
        )
        cls.level_first.write(
            {
                "fee_type": "fixed",
                "fee_amount": 10.0,
                "compensation_type": "per_invoice",
                "compensation_amount": 40.0,
            }
        )
        cls.level_formal.write(
            {
                "fee_type": "percent",
                "fee_percent": 2.0,
                "fee_min": 15.0,
                "fee_max": 50.0,
                "charge_interest": True,
            }
        )
        cls.level_final.write({"charge_interest": True})
        cls.products = {
            kind: cls.env.ref(f"dunning_escalation.product_{name}")
            for kind, name in (
                ("fee", "late_fee"),
                ("compensation", "recovery_compensation"),
                ("interest", "late_interest"),
            )
        }

    def _actions(self, partner=None):
        return self.env["dunning.action"].search(
            [("partner_id", "=", (partner or self.customer).id)], order="id"
        )

    def _charges(self, partner=None):
        return self.env["dunning.charge"].search(
            [("partner_id", "=", (partner or self.customer).id)], order="id"
        )

    def _first_notice_with_posted_fee(self):
        """The first notice of a 1,000 invoice due 10 January, on the 16th,
        its late-fee invoice posted at once: that invoice."""
        self.policy.fee_move_state = "posted"
        self._invoice(self.customer, date(2026, 1, 10), 1000.0)
        with freeze_time("2026-01-16"):
            self._run(date(2026, 1, 16))
        fee_move = self._actions().fee_move_ids
        self.assertEqual(fee_move.state, "posted")
        return fee_move

    def test_fixed_fee_and_compensation_on_one_late_fee_invoice(self):
        """The collector (a Dunning user, not an accountant) runs the
        follow-up: the notice charges the fees on a late-fee invoice."""
        invoice = self._invoice(self.customer, date(2026, 1, 10), 1000.0)
        with freeze_time("2026-01-16"), self.mock_mail_gateway():
            run = (
                self.env["dunning.run"]
                .with_user(self.collector)
                .create({"company_id": self.company.id, "date": date(2026, 1, 16)})
            )
            run.action_process()
        action = self._actions()
        self.assertEqual(action.executed_uid, self.collector)
        self.assertEqual(action.level_id, self.level_first)
        self.assertEqual(action.state, "done", action.failure_reason)
        charges = self._charges()
        self.assertEqual(
            [(c.kind, c.amount, c.move_id) for c in charges],
            [("fee", 10.0, invoice), ("compensation", 40.0, invoice)],
        )
        fee_move = action.fee_move_ids
        self.assertEqual(len(fee_move), 1)
        self.assertEqual(fee_move.state, "draft")
        self.assertEqual(fee_move.move_type, "out_invoice")
        self.assertEqual(fee_move.partner_id, self.customer)
        self.assertTrue(fee_move.dunning_is_late_fee)
        self.assertEqual(fee_move.invoice_date, date(2026, 1, 16))
        self.assertEqual(fee_move.amount_total, 50.0)
        self.assertEqual(
            fee_move.invoice_line_ids.mapped("product_id"),
            self.products["fee"] | self.products["compensation"],
        )
        self.assertEqual(charges.fee_move_id, fee_move)
        # invoiced once the late-fee invoice is posted, not before
        self.assertEqual(set(charges.mapped("state")), {"draft"})
        # the notice lists the charges, not yet in the total due
        body = action.message_id.body
        self.assertIn("Late payment fee, First", body)
        self.assertIn("Recovery cost compensation", body)
        self.assertIn("(not yet invoiced)", body)
        self.assertEqual(action._get_total_due(), 1000.0)
        fee_move.action_post()
        self.assertEqual(set(charges.mapped("state")), {"invoiced"})
        self.assertEqual(action._get_total_due(), 1050.0)

    def test_batch_counts_the_late_fee_invoice_it_posted(self):
        """The batch's refresh reads again the invoices of the customers
        whose notice it executed: the late-fee invoice posted by the notice
        is in the customer's figures at once, not at the next run."""
        fee_move = self._first_notice_with_posted_fee()
        self.assertEqual(fee_move.amount_total, 50.0)
        state = self._state(self.customer)
        self.assertEqual(state.due_amount, 1050.0)
        self.assertEqual(state.overdue_amount, 1000.0)

    def test_charged_once_whatever_reruns_and_retries(self):
        invoice = self._invoice(self.customer, date(2026, 1, 10), 1000.0)
        with freeze_time("2026-01-16"):
            self._run(date(2026, 1, 16))
            self._run(date(2026, 1, 16))
            action = self._actions()
            # a retry of the notice (e.g. the mail server was down)
            action._before_channels()
            action._before_channels()
        self.assertEqual(len(action), 1)
        self.assertEqual(len(self._charges()), 2)
        self.assertEqual(len(action.fee_move_ids), 1)
        # the database itself refuses a second fee for (invoice, level) and a
        # second compensation for the invoice
        charge_fee, charge_comp = self._charges()
        for charge in (charge_fee, charge_comp):
            with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
                with self.env.cr.savepoint():
                    charge.sudo().copy({"action_id": action.id})
        # the compensation is due once per invoice, not once per level
        self.level_formal.write(
            {"compensation_type": "per_invoice", "compensation_amount": 40.0}
        )
        with freeze_time("2026-02-01"):
            self._run(date(2026, 2, 1))
        formal = self._actions()[-1]
        self.assertEqual(formal.level_id, self.level_formal)
        self.assertEqual(sorted(formal.charge_ids.mapped("kind")), ["fee", "interest"])
        self.assertEqual(len(invoice.dunning_charge_ids), 4)

    def test_crash_while_invoicing_leaves_nothing_half_done(self):
        self.policy.fee_move_state = "posted"
        self._invoice(self.customer, date(2026, 1, 10), 1000.0)
        AccountMove = type(self.env["account.move"])
        original = AccountMove.action_post
        calls = []

        def flaky_post(moves):
            if moves.filtered("dunning_is_late_fee") and not calls:
                calls.append(moves)
                raise UserError(self.env._("Posting refused (simulated crash)"))
            return original(moves)

        with (
            freeze_time("2026-01-16"),
            patch.object(AccountMove, "action_post", flaky_post),
        ):
            self._run(date(2026, 1, 16))
            action = self._actions()
            self.assertEqual(action.state, "failed")
            self.assertIn("simulated crash", action.failure_reason)
            # the savepoint undid the charges and the draft late-fee invoice
            self.assertFalse(self._charges())
            self.assertFalse(action.fee_move_ids)
            self.env["dunning.action"]._cron_retry_failed()
        self.assertEqual(action.state, "done", action.failure_reason)
        self.assertEqual(len(self._charges()), 2)
        self.assertEqual(action.fee_move_ids.state, "posted")
        self.assertEqual(action.fee_move_ids.amount_total, 50.0)

    def test_percentage_fee_and_interest_across_a_partial_payment(self):
        invoice = self._invoice(self.customer, date(2026, 1, 10), 1000.0)
        with freeze_time("2026-02-01"):
            self._run(date(2026, 2, 1))
        formal = self._actions()
        self.assertEqual(formal.level_id, self.level_formal)
        # the compensation of the first level, jumped past, is due too
        compensation, fee, interest_charge = formal.charge_ids.sorted("kind")
        self.assertEqual(
            (compensation.kind, compensation.amount), ("compensation", 40.0)
        )
        # 2 % of 1,000.00 = 20.00, within [15, 50]
        self.assertEqual((fee.kind, fee.amount), ("fee", 20.0))
        # 10 % on 1,000.00 from 11 January to 1 February: 22 days
        # 1000 x 0.10 x 22 / 365 = 6.0274 -> 6.03
        self.assertEqual(interest_charge.kind, "interest")
        self.assertEqual(interest_charge.amount, 6.03)
        self.assertEqual(interest_charge.date_from, date(2026, 1, 11))
        self.assertEqual(interest_charge.date_to, date(2026, 2, 1))
        self.assertEqual(invoice.dunning_interest_until, date(2026, 2, 1))
        # 400.00 paid on 10 February
        self._pay(invoice, 400.0, date(2026, 2, 10))
        with freeze_time("2026-02-25"):
            self._run(date(2026, 2, 25))
            final = self._actions()[-1]
            self.assertEqual(final.level_id, self.level_final)
            self.assertEqual(final.state, "to_review")
            self.assertFalse(final.charge_ids)
            final.action_execute()
        self.assertEqual(final.state, "done", final.failure_reason)
        charge = final.charge_ids
        # from 2 February (the day after the last charge): 8 days on 1,000.00
        # and 16 days (10 to 25 February) on 600.00:
        # 1000 x 0.1 x 8 / 365 + 600 x 0.1 x 16 / 365 = 2.19178 + 2.63014 -> 4.82
        self.assertEqual(charge.kind, "interest")
        self.assertEqual(charge.amount, 4.82)
        self.assertEqual(charge.date_from, date(2026, 2, 2))
        self.assertEqual(invoice.dunning_interest_until, date(2026, 2, 25))
        self.assertIn("600.0", charge.detail)

    def test_each_invoice_pays_the_level_it_reached(self):
        late = self._invoice(self.customer, date(2026, 1, 10), 1000.0)
        recent = self._invoice(self.customer, date(2026, 1, 25), 300.0)
        with freeze_time("2026-02-01"):
            self._run(date(2026, 2, 1))
        action = self._actions()
        # one notice at the top level for both invoices ...
        self.assertEqual(action.level_id, self.level_formal)
        self.assertEqual(action.line_ids.move_id, late | recent)
        # ... but each invoice is charged for the level it reached:
        # 22 days late: formal fee 2 % -> 20.00 (min 15) and 6.03 interest,
        # and the compensation of the first level it jumped past;
        # 7 days late: first fee 10.00 and the 40.00 compensation
        self.assertEqual(
            sorted(
                (c.move_id.id, c.kind, c.level_id.name, c.amount)
                for c in self._charges()
            ),
            sorted(
                [
                    (late.id, "fee", "Formal", 20.0),
                    (late.id, "interest", "Formal", 6.03),
                    (late.id, "compensation", "First", 40.0),
                    (recent.id, "fee", "First", 10.0),
                    (recent.id, "compensation", "First", 40.0),
                ]
            ),
        )
        self.assertEqual(action.fee_move_ids.amount_total, 116.03)

    def test_interest_cap_per_invoice_and_rate_cap(self):
        self.policy.write({"interest_max_total": 5.0})
        self._invoice(self.customer, date(2026, 1, 10), 1000.0)
        with freeze_time("2026-02-01"):
            self._run(date(2026, 2, 1))
        # 6.03 capped at 5.00
        interest_charge = self._charges().filtered(lambda c: c.kind == "interest")
        self.assertEqual(interest_charge.amount, 5.0)
        with freeze_time("2026-02-25"):
            self._run(date(2026, 2, 25))
            self._actions()[-1].action_execute()
        # the cap is reached: no more interest on this invoice
        self.assertEqual(
            len(self._charges().filtered(lambda c: c.kind == "interest")), 1
        )

    def test_statutory_preset_germany_business_and_consumer(self):
        self.policy.write({"interest_preset": "de"})
        self.policy.action_apply_interest_preset()
        self.assertEqual(self.policy.interest_type, "reference")
        self.assertEqual(self.policy.interest_rate_code, "de_base")
        self.assertEqual(self.policy.interest_rate_rule, "half_year")
        self.assertEqual(self.policy.interest_margin, 9.0)
        self.assertEqual(self.policy.interest_margin_consumer, 5.0)
        self.assertTrue(self.policy.interest_consumers)
        self.assertFalse(self.policy.compensation_consumers)
        # the first overdue level gets the EUR 40 per invoice
        self.assertEqual(self.level_first.compensation_type, "per_invoice")
        self.assertGreater(self.level_first.compensation_amount, 0)
        self.level_first.write(
            {"fee_type": "none", "charge_interest": True, "compensation_amount": 40}
        )
        consumer = self._make_customer("Carla Consumer", "carla@example.com")
        consumer.is_company = False
        self._invoice(self.customer, date(2025, 6, 25), 1000.0)
        self._invoice(consumer, date(2025, 6, 25), 1000.0)
        with freeze_time("2025-07-04"):
            self._run(date(2025, 7, 4))
        # business: base rate 2.27 % on 1 January 2025 + 9 = 11.27 % for
        # 26-30 June (5 days), 1.27 % on 1 July + 9 = 10.27 % for 1-4 July
        # (4 days): 1000 x (11.27 x 5 + 10.27 x 4) / 100 / 365 = 2.66932
        business = self._charges(self.customer)
        self.assertEqual(
            sorted((c.kind, c.amount) for c in business),
            [("compensation", 40.0), ("interest", 2.67)],
        )
        # consumer: + 5 points: 1000 x (7.27 x 5 + 6.27 x 4) / 100 / 365
        # = 1.68301; and no compensation
        self.assertEqual(
            [(c.kind, c.amount) for c in self._charges(consumer)],
            [("interest", 1.68)],
        )

    def test_uk_preset_fixed_sum_by_size_of_the_debt_in_gbp(self):
        self.setup_other_currency("GBP", rates=[("2020-01-01", 0.5)])
        self.policy.write({"interest_preset": "uk"})
        self.policy.action_apply_interest_preset()
        self.assertEqual(self.policy.interest_rate_code, "boe_base")
        self.assertEqual(self.policy.interest_rate_rule, "fixed_at_due")
        self.assertFalse(self.policy.interest_consumers)
        self.assertEqual(self.level_first.compensation_type, "uk_bands")
        self.level_first.write({"fee_type": "none", "charge_interest": True})
        small = self._invoice(self.customer, date(2026, 1, 10), 1500.0)
        large = self._invoice(self.customer, date(2026, 1, 10), 5000.0)
        with freeze_time("2026-01-16"):
            self._run(date(2026, 1, 16))
        charges = self._charges()
        compensation = {
            c.move_id: c.amount for c in charges if c.kind == "compensation"
        }
        # USD 1,500 = GBP 750: GBP 40 = USD 80; USD 5,000 = GBP 2,500: GBP 70
        self.assertEqual(compensation, {small: 80.0, large: 140.0})
        # Bank Rate on 31 December 2025 (3.75 %, since 18 December) + 8 points,
        # from 11 to 16 January (6 days): 1500 x 11.75 x 6 / 36500 = 2.89726
        interest_charges = {
            c.move_id: c.amount for c in charges if c.kind == "interest"
        }
        self.assertEqual(interest_charges[small], 2.9)

    def test_missing_reference_rate_fails_the_notice_with_its_reason(self):
        self.policy.write(
            {
                "interest_type": "reference",
                "interest_rate_code": "boe_base",
                "interest_rate_rule": "daily",
                "interest_margin": 8.0,
            }
        )
        self.env["dunning.reference.rate"].search([("code", "=", "boe_base")]).unlink()
        self._invoice(self.customer, date(2026, 1, 10), 1000.0)
        with freeze_time("2026-02-01"):
            self._run(date(2026, 2, 1))
        action = self._actions()
        self.assertEqual(action.state, "failed")
        self.assertIn("no reference rate", action.failure_reason)
        self.assertFalse(self._charges())
        self.assertFalse(action.fee_move_ids)

    def test_cancelled_draft_fee_invoice_frees_its_charges(self):
        self._invoice(self.customer, date(2026, 1, 10), 1000.0)
        with freeze_time("2026-01-16"):
            self._run(date(2026, 1, 16))
        first = self._actions()
        fee_move = first.fee_move_ids
        fee_move.button_cancel()
        charges = self._charges()
        self.assertEqual(set(charges.mapped("state")), {"pending"})
        self.assertFalse(charges.fee_move_id)
        # pending charges are listed on the statement
        statement = self.customer._dunning_statement_data(date(2026, 1, 20))
        self.assertEqual(len(statement["charges"]), 2)
        # the next notice invoices them again with its own charges
        with freeze_time("2026-02-01"):
            self._run(date(2026, 2, 1))
        formal = self._actions()[-1]
        new_move = formal.fee_move_ids
        self.assertEqual(len(new_move), 1)
        self.assertEqual(set(self._charges().mapped("fee_move_id")), {new_move})
        # 10 + 40 (freed) + 20 (2 %) + 6.03 (interest)
        self.assertEqual(new_move.amount_total, 76.03)
        self.assertEqual(len(formal._get_notice_charges()), 4)

    def test_freed_charges_go_with_a_notice_that_charges_nothing(self):
        self._invoice(self.customer, date(2026, 1, 10), 1000.0)
        with freeze_time("2026-01-16"):
            self._run(date(2026, 1, 16))
        self._actions().fee_move_ids.button_cancel()
        # 11 days late: the call level, which charges nothing itself
        with freeze_time("2026-01-21"):
            self._run(date(2026, 1, 21))
        call = self._actions()[-1]
        self.assertEqual(call.level_id, self.level_call)
        self.assertFalse(call.charge_ids)
        self.assertEqual(call.fee_move_ids.amount_total, 50.0)
        self.assertEqual(set(self._charges().mapped("state")), {"draft"})

    def test_waived_charge_is_never_invoiced_nor_charged_again(self):
        self.policy.fee_move_state = "draft"
        self._invoice(self.customer, date(2026, 1, 10), 1000.0)
        with freeze_time("2026-01-16"):
            self._run(date(2026, 1, 16))
        self._actions().fee_move_ids.unlink()
        charges = self._charges()
        self.assertEqual(set(charges.mapped("state")), {"pending"})
        with self.assertRaises(AccessError):
            charges.with_user(self.collector).action_waive()
        charges.action_waive()
        self.assertEqual(set(charges.mapped("state")), {"waived"})
        with freeze_time("2026-02-01"):
            self._run(date(2026, 2, 1))
        formal = self._actions()[-1]
        self.assertEqual(
            formal.fee_move_ids.invoice_line_ids.dunning_charge_id.mapped("kind"),
            ["fee", "interest"],
        )

    def test_posted_late_fee_invoice_bears_no_fee_unless_allowed(self):
        fee_move = self._first_notice_with_posted_fee()
        self.assertEqual(fee_move.amount_residual, 50.0)
        self.assertEqual(fee_move.invoice_date_due, date(2026, 1, 16))
        with freeze_time("2026-01-22"):
            self._run(date(2026, 1, 22))
        # the late-fee invoice reached the first level: reminded, not charged
        lines = self._actions().line_ids.filtered(lambda item: item.move_id == fee_move)
        self.assertTrue(lines)
        self.assertFalse(fee_move.dunning_charge_ids)

    def test_fixed_fee_converted_for_an_invoice_in_another_currency(self):
        eur = self.setup_other_currency("EUR", rates=[("2020-01-01", 2.0)])
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "currency_id": eur.id,
                "invoice_date": date(2026, 1, 1),
                "invoice_date_due": date(2026, 1, 10),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Service",
                            "quantity": 1,
                            "price_unit": 1000.0,
                            "tax_ids": [],
                        }
                    )
                ],
            }
        )
        move.action_post()
        with freeze_time("2026-01-16"):
            self._run(date(2026, 1, 16))
        charges = self._charges()
        # USD 10 fee and USD 40 compensation at 2 EUR per USD
        self.assertEqual(
            [(c.kind, c.amount, c.currency_id) for c in charges],
            [("fee", 20.0, eur), ("compensation", 80.0, eur)],
        )
        self.assertEqual(self._actions().fee_move_ids.currency_id, eur)

    def test_tiered_fee(self):
        self.level_first.write(
            {
                "fee_type": "tiers",
                "fee_tier_ids": [
                    Command.create({"lower": 0, "upper": 500, "fixed": 5}),
                    Command.create(
                        {"lower": 500, "upper": 5000, "fixed": 10, "percent": 1}
                    ),
                    Command.create(
                        {"lower": 5000, "fixed": 0, "percent": 1, "maximum": 80}
                    ),
                ],
                "compensation_type": "none",
            }
        )
        other = self._make_customer("Big Buyer", "big@example.com")
        self._invoice(self.customer, date(2026, 1, 10), 500.0)
        self._invoice(other, date(2026, 1, 10), 9000.0)
        with freeze_time("2026-01-16"):
            self._run(date(2026, 1, 16))
        # 500.00 falls in the second band: 10 + 1 % = 15.00
        self.assertEqual(self._charges().amount, 15.0)
        # 9,000.00: 1 % = 90.00, capped at 80.00
        self.assertEqual(self._charges(other).amount, 80.0)

    def test_configuration_errors_name_the_field(self):
        with self.assertRaisesRegex(ValidationError, "Maximum fee"):
            self.level_formal.write({"fee_min": 60.0})
        with self.assertRaisesRegex(ValidationError, "gap"):
            self.level_first.write(
                {
                    "fee_type": "tiers",
                    "fee_tier_ids": [
                        Command.create({"lower": 0, "upper": 500, "fixed": 5}),
                        Command.create({"lower": 600, "fixed": 10}),
                    ],
                }
            )
        with self.assertRaisesRegex(ValidationError, "overlaps"):
            self.level_first.write(
                {
                    "fee_type": "tiers",
                    "fee_tier_ids": [
                        Command.create({"lower": 0, "upper": 500, "fixed": 5}),
                        Command.create({"lower": 400, "fixed": 10}),
                    ],
                }
            )
        with self.assertRaisesRegex(ValidationError, "Annual rate"):
            self.policy.write({"interest_rate": 0.0})
        with self.assertRaisesRegex(ValidationError, "Maximum annual rate"):
            self.policy.write({"interest_rate": 10.0, "interest_max_rate": 8.0})
        with self.assertRaisesRegex(ValidationError, "Fee amount"):
            self.level_first.write({"fee_type": "fixed", "fee_amount": 0.0})
        for model, vals in (
            (self.level_first, {"fee_amount": -1.0}),
            (self.policy, {"interest_rate": -2.0}),
            (self.policy, {"interest_grace_days": -1}),
        ):
            with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
                with self.env.cr.savepoint():
                    model.write(vals)
                    model.flush_recordset()
        rate = self.env["dunning.reference.rate"].search(
            [("code", "=", "ecb_mro")], limit=1
        )
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                rate.copy({"rate": 9.0})
            rate.flush_model()

    def test_shipped_rates_loaded_and_kept(self):
        Rate = self.env["dunning.reference.rate"]
        jul_2025 = Rate.search(
            [("code", "=", "de_base"), ("date_from", "=", "2025-07-01")]
        )
        self.assertEqual(jul_2025.rate, 1.27)
        jul_2025.rate = 1.5  # a manager's correction
        Rate._load_shipped_rates()
        self.assertEqual(jul_2025.rate, 1.5)
        table = Rate._get_table("ecb_mro")
        self.assertEqual(str(table.rate_on(date(2024, 1, 1))), "4.5")

    def test_letter_and_statement_show_the_charges(self):
        self.level_first.send_letter = True
        self._invoice(self.customer, date(2026, 1, 10), 1000.0)
        with freeze_time("2026-01-16"):
            self._run(date(2026, 1, 16))
        action = self._actions()
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "dunning_followup.action_report_dunning_letter", action.ids
            )[0]
            .decode()
        )
        self.assertIn("Late payment fee, First", html)
        # a draft late-fee invoice: its charges are not yet in the total due
        self.assertIn("(not yet invoiced)", html)
        self.assertNotIn("1,050.00", html)
        # the draft late-fee invoice's charges are on the statement
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "dunning_followup.action_report_dunning_statement", self.customer.ids
            )[0]
            .decode()
        )
        self.assertIn("Late payment charges not yet invoiced", html)
        self.assertIn("Recovery cost compensation", html)
