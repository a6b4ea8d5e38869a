# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

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
