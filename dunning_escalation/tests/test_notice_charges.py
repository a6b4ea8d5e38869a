# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.dunning_followup.tests.common import DunningCommon


@tagged("post_install", "-at_install")
class TestNoticeCharges(DunningCommon):
    """The charges a notice shows: computed the day it is sent, on one
    notice per customer, and called invoiced only once their invoice is
    posted."""

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
        cls.level_first.write({"fee_type": "fixed", "fee_amount": 10.0})
        cls.level_final.write(
            {"fee_type": "fixed", "fee_amount": 25.0, "charge_interest": True}
        )

    def _actions(self, partner=None):
        return self.env["dunning.action"].search(
            [("partner_id", "=", (partner or self.customer).id)], order="id"
        )

    def test_reviewed_notice_charges_interest_to_the_day_it_is_sent(self):
        self._invoice(self.customer, date(2026, 1, 10), 1000.0)
        with freeze_time("2026-02-24"):
            self._run(date(2026, 2, 24))
        final = self._actions()
        self.assertEqual(final.state, "to_review")
        self.assertFalse(final.charge_ids)
        with freeze_time("2026-03-26"):
            final.with_user(self.collector).action_execute()
        self.assertEqual(final.state, "done", final.failure_reason)
        interest = final.charge_ids.filtered(lambda c: c.kind == "interest")
        self.assertEqual(interest.date_to, date(2026, 3, 26))
        self.assertEqual(interest.date, date(2026, 3, 26))
        # 1,000 x 10 % x 75 / 365 days
        self.assertEqual(interest.amount, 20.55)
        self.assertEqual(final.fee_move_ids.invoice_date, date(2026, 3, 26))

    def test_pending_notices_of_one_customer_make_one_late_fee_invoice(self):
        inv_a = self._invoice(self.customer, date(2026, 1, 1), 1000.0)
        inv_b = self._invoice(self.customer, date(2026, 1, 20), 500.0)
        first = self._pending_notice(
            self.customer, inv_a, self.level_final, date(2026, 2, 15)
        )
        Action = type(self.env["dunning.action"])
        # the first attempt charged, then its e-mail failed
        with (
            freeze_time("2026-02-15"),
            patch.object(Action, "_execute_channels", side_effect=OSError("SMTP down")),
        ):
            first.action_execute()
        self.assertEqual(first.state, "failed")
        self.assertEqual(len(first.fee_move_ids), 1)
        second = self._pending_notice(
            self.customer, inv_b, self.level_final, date(2026, 2, 20)
        )
        with freeze_time("2026-03-06"):
            (first | second).with_user(self.collector).action_execute()
        self.assertEqual(first.state, "cancelled")
        self.assertEqual(second.state, "done", second.failure_reason)
        self.assertFalse(first.fee_move_ids)
        self.assertEqual(second.line_ids.move_id, inv_a | inv_b)
        fee_move = second.fee_move_ids
        self.assertEqual(len(fee_move), 1)
        charges = self.env["dunning.charge"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(charges.action_id, second)
        self.assertEqual(charges.fee_move_id, fee_move)
        self.assertEqual(fee_move.invoice_line_ids.dunning_charge_id, charges)
        # a fee per invoice; interest on A up to the failed attempt, then on
        # A and B up to the day the notice went out
        self.assertEqual(
            sorted((c.kind, c.move_id.name, str(c.date_to)) for c in charges),
            sorted(
                [
                    ("fee", inv_a.name, "False"),
                    ("fee", inv_b.name, "False"),
                    ("interest", inv_a.name, "2026-02-15"),
                    ("interest", inv_a.name, "2026-03-06"),
                    ("interest", inv_b.name, "2026-03-06"),
                ]
            ),
        )
        # one total: the open invoices; the draft late-fee invoice is listed,
        # not yet due
        self.assertEqual(fee_move.state, "draft")
        self.assertEqual(second._get_total_due(), 1500.0)

    def test_hold_by_level_stays_on_an_item_with_null_reconciled(self):
        self.level_formal.credit_hold = True
        invoice = self._invoice(self.customer, date(2026, 1, 1), 500.0)
        with freeze_time("2026-01-25"):
            self._run(date(2026, 1, 25))
            self.assertTrue(self.customer.credit_hold)
            line = self._lines(invoice)
            line.flush_recordset()
            self.env.cr.execute(
                "UPDATE account_move_line SET reconciled = NULL WHERE id = %s",
                [line.id],
            )
            line.invalidate_recordset()
            self.env["dunning.partner.state"]._refresh(
                self.customer.ids, self.company.id
            )
            self.customer.invalidate_recordset()
            self.assertTrue(self.customer.credit_hold)

    @staticmethod
    def _total_due(html):
        return re.search(r"Total due: <strong>.*?([\d,]+\.\d\d)</span>", html).group(1)

    def _render(self, report, res_ids):
        return (
            self.env["ir.actions.report"]._render_qweb_html(report, res_ids)[0].decode()
        )

    def test_charges_are_invoiced_when_their_invoice_is_posted(self):
        self.level_first.send_letter = True
        self._invoice(self.customer, date(2026, 1, 10), 1000.0)
        with freeze_time("2026-01-16"):
            self._run(date(2026, 1, 16))
        action = self._actions()
        fee_move = action.fee_move_ids
        charge = action.charge_ids
        self.assertEqual(fee_move.state, "draft")
        self.assertEqual(charge.state, "draft")
        # the e-mail, the letter and the statement: not yet invoiced, not in
        # the total due
        letter = self._render(
            "dunning_followup.action_report_dunning_letter", action.ids
        )
        statement = self._render(
            "dunning_followup.action_report_dunning_statement", self.customer.ids
        )
        for document in (str(action.message_id.body), letter):
            self.assertIn("Late payment fee, First: ", document)
            self.assertIn("(not yet invoiced)", document)
            self.assertEqual(self._total_due(document), "1,000.00")
        self.assertIn("Late payment charges not yet invoiced", statement)
        self.assertIn(charge.name, statement)
        self.assertEqual(action._get_total_due(), 1000.0)
        # posted: invoiced everywhere, counted in the total
        fee_move.action_post()
        self.assertEqual(charge.state, "invoiced")
        letter = self._render(
            "dunning_followup.action_report_dunning_letter", action.ids
        )
        statement = self._render(
            "dunning_followup.action_report_dunning_statement", self.customer.ids
        )
        self.assertNotIn("not yet invoiced", letter)
        self.assertEqual(self._total_due(letter), "1,010.00")
        self.assertNotIn("Late payment charges not yet invoiced", statement)
        self.assertIn(fee_move.name, statement)
        self.assertEqual(action._get_total_due(), 1010.0)
        # back to draft: not invoiced any more
        fee_move.button_draft()
        self.assertEqual(charge.state, "draft")
        self.assertEqual(action._get_total_due(), 1000.0)
