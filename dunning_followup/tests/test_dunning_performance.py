# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningPerformance(DunningCommon):
    """The planning of a batch costs the same number of queries for 2 or 20
    customers: nothing is read or written per invoice."""

    def _plan_queries(self, count):
        for level in self.policy.level_ids:
            level.write({"auto_execute": False})
        partners = self.env["res.partner"]
        for index in range(count):
            partner = self._make_customer(
                f"Perf {count} {index}", f"p{index}@example.com"
            )
            self._invoice(partner, date(2026, 1, 1), 100.0)
            self._invoice(partner, date(2026, 1, 2), 50.0)
            partners |= partner
        run = self.env["dunning.run"].create(
            {
                "company_id": self.company.id,
                "date": date(2026, 1, 8),
                "partner_ids": partners.ids,
            }
        )
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        run._process_batch(1000)
        self.env.flush_all()
        used = self.cr.sql_log_count - start
        self.assertEqual(run.action_count, count)
        return used

    def test_query_count_flat(self):
        with freeze_time("2026-01-08"):
            small = self._plan_queries(2)
            large = self._plan_queries(20)
        self.assertLessEqual(large, small + 2, f"{small} queries for 2, {large} for 20")
