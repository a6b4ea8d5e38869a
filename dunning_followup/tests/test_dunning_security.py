# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningSecurity(DunningCommon):
    def test_user_runs_but_does_not_configure(self):
        policy = self.policy.with_user(self.collector)
        self.assertEqual(policy.name, "Test policy")
        with self.assertRaises(AccessError):
            policy.write({"tolerance": 10})
        with self.assertRaises(AccessError):
            self.env["dunning.level"].with_user(self.collector).create(
                {
                    "name": "X",
                    "days": 99,
                    "policy_id": self.policy.id,
                    "send_email": False,
                }
            )
        self._invoice(self.customer, date(2026, 1, 1), 100.0)
        with freeze_time("2026-01-07"):
            run = (
                self.env["dunning.run"]
                .with_user(self.collector)
                .create({"company_id": self.company.id, "date": date(2026, 1, 7)})
            )
            run.action_process()
        self.assertEqual(run.action_count, 1)

    def test_multi_company_isolation(self):
        company_b = self.setup_other_company(name="Company B")["company"]
        self._invoice(self.customer, date(2026, 1, 1), 100.0)
        with freeze_time("2026-01-07"):
            self._run(date(2026, 1, 7))
            # company B's run sees nothing of company A
            run_b = self._run(date(2026, 1, 7), company=company_b)
        self.assertEqual(run_b.action_count, 0)
        user_b = self._make_user(
            "Bob B", "bob_b", ["dunning_followup.group_dunning_manager"], company_b
        )
        Action = self.env["dunning.action"].with_user(user_b)
        self.assertFalse(Action.search([]))
        self.assertFalse(
            self.env["dunning.policy"]
            .with_user(user_b)
            .search([("id", "=", self.policy.id)])
        )
        self.assertFalse(self.env["dunning.partner.state"].with_user(user_b).search([]))
        action_a = self.env["dunning.action"].search(
            [("partner_id", "=", self.customer.id)]
        )
        with self.assertRaises(AccessError):
            action_a.with_user(user_b).action_execute()
        # and the customer has nothing due in company B
        self.assertEqual(
            self.customer.with_user(user_b)
            .with_company(company_b)
            .dunning_overdue_amount,
            0,
        )
