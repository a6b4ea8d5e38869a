# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.dunning_followup.tests.common import DunningCommon


@tagged("post_install", "-at_install")
class TestReportingHold(DunningCommon):
    """The aging tells the amounts of held customers; the collector's day
    offers the hold one click away."""

    def test_aging_of_held_customers_and_hold_button(self):
        other = self._make_customer("Other Customer", "other@example.com")
        self._invoice(self.customer, date(2026, 1, 1), 500.0)
        self._invoice(other, date(2026, 1, 1), 300.0)
        with freeze_time("2026-01-12"):
            self.env["dunning.partner.state"]._refresh(
                (self.customer | other).ids, self.company.id
            )
            self.env["dunning.credit.hold"].create(
                {
                    "partner_ids": [Command.set(self.customer.ids)],
                    "mode": "hold",
                    "reason": "Does not pay",
                }
            ).action_apply()
            Report = self.env["dunning.aging.report"].with_user(self.collector)
            held = dict(
                Report._read_group([], ["credit_hold"], ["amount_residual:sum"])
            )
            self.assertEqual(held, {True: 500.0, False: 300.0})
            state = self._state(self.customer)
            action = state.action_collector_hold()
            self.assertEqual(action["res_model"], "dunning.credit.hold")
            self.assertEqual(action["context"]["default_mode"], "release")
            action = self._state(other).action_collector_hold()
            self.assertEqual(action["context"]["default_mode"], "hold")
