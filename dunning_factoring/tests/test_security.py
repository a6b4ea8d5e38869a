# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Rights and company isolation."""

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import D, FactoringCommon


@tagged("post_install", "-at_install")
class TestSecurity(FactoringCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = cls._make_user(
            "Sam Sales", "sam", ["sales_team.group_sale_salesman"]
        )
        cls.company_b = cls.setup_other_company()["company"]
        cls.collector_b = cls._make_user(
            "Bob Collector",
            "bob",
            ["dunning_followup.group_dunning_user"],
            companies=cls.company_b,
        )

    def test_collector_works_batches_but_does_not_configure_agencies(self):
        with freeze_time("2026-03-20"):
            move = self._invoice(self.customer, D(2026, 4, 19))
            batch = self._batch(self.factor, D(2026, 3, 20), user=self.collector)
            batch.action_propose()
            batch.action_export()
        self.assertEqual(batch.line_ids.move_id, move)
        self.assertEqual(move.dunning_exclusion_reason, "agency")
        with self.assertRaises(AccessError):
            self.env(user=self.collector)["dunning.agency"].create(
                {"name": "Mine", "partner_id": self.customer.id}
            )
        with self.assertRaises(AccessError):
            self.factor.with_user(self.collector).fee_percent = 1.0
        with self.assertRaises(AccessError):
            self.env(user=self.collector)["dunning.write.off"].create({"reason": "x"})

    def test_salesperson_sees_nothing(self):
        batch = self._batch(self.factor, D(2026, 3, 20))
        for model in ("dunning.export.batch", "dunning.export.line", "dunning.agency"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env(user=self.salesman)[model].search([])
        with self.assertRaises(AccessError):
            batch.with_user(self.salesman).read(["name"])

    def test_company_isolation(self):
        batch = self._batch(self.factor, D(2026, 3, 20))
        env_b = self.env(user=self.collector_b)
        self.assertFalse(env_b["dunning.export.batch"].search([]))
        self.assertFalse(env_b["dunning.agency"].search([]))
        with self.assertRaises(AccessError):
            batch.with_user(self.collector_b).read(["name"])
