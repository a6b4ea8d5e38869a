# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningPromise(DunningCommon):
    def _promise(self, moves, amount, on):
        return self.env["dunning.promise"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(moves.ids)],
                "amount": amount,
                "date": on,
            }
        )

    def _actions(self):
        return self.env["dunning.action"].search(
            [("partner_id", "=", self.customer.id)]
        )

    def test_promise_pauses_and_is_kept(self):
        invoice = self._invoice(self.customer, date(2026, 1, 1), 500.0)
        with freeze_time("2026-01-03"):
            promise = self._promise(invoice, 500.0, date(2026, 1, 15))
            self.assertTrue(invoice.dunning_excluded)
            self.assertEqual(invoice.dunning_exclusion_reason, "promise")
            self.assertEqual(self._state(self.customer).status, "promise")
        with freeze_time("2026-01-10"):
            self._run(date(2026, 1, 10))
            self.assertFalse(self._actions())
            self._pay(invoice, 500.0, date(2026, 1, 10))
        self.assertEqual(promise.state, "kept")
        self.assertFalse(invoice.dunning_excluded)

    def test_partial_payment_of_promised_amount_keeps_it(self):
        invoice = self._invoice(self.customer, date(2026, 1, 1), 500.0)
        with freeze_time("2026-01-03"):
            promise = self._promise(invoice, 200.0, date(2026, 1, 15))
            self._pay(invoice, 150.0, date(2026, 1, 3))
            self.assertEqual(promise.state, "open")
            self.assertEqual(promise.amount_paid, 150.0)
            self._pay(invoice, 50.0, date(2026, 1, 4))
        self.assertEqual(promise.state, "kept")

    def test_broken_promise_resumes_and_tells_collector(self):
        invoice = self._invoice(self.customer, date(2026, 1, 1), 500.0)
        with freeze_time("2026-01-03"):
            promise = self._promise(invoice, 500.0, date(2026, 1, 15))
        with freeze_time("2026-01-15"):
            self.env["dunning.promise"]._cron_check_promises()
            self.assertEqual(promise.state, "open")  # the promised day itself is fine
        with freeze_time("2026-01-16"):
            self.env["dunning.promise"]._cron_check_promises()
            self.assertEqual(promise.state, "broken")
            self.assertFalse(invoice.dunning_excluded)
            activity = self.env["mail.activity"].search(
                [("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id)]
            )
            self.assertEqual(activity.user_id, self.collector)
            self.assertIn("Broken", activity.summary)
            self._run(date(2026, 1, 16))
        self.assertEqual(self._actions().level_id, self.level_first)

    def test_promise_needs_positive_amount_and_own_invoices(self):
        invoice = self._invoice(self.customer, date(2026, 1, 1), 500.0)
        with self.assertRaisesRegex(ValidationError, "Amount"):
            self._promise(invoice, 0.0, date(2026, 1, 15))
        stranger = self._make_customer("Stranger", "s@example.com")
        other = self._invoice(stranger, date(2026, 1, 1), 100.0)
        with self.assertRaisesRegex(ValidationError, "Invoices"):
            self._promise(other, 100.0, date(2026, 1, 15))
