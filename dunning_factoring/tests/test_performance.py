# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from freezegun import freeze_time

from odoo.tests import tagged

from .common import D, FactoringCommon


@tagged("post_install", "-at_install")
class TestPerformance(FactoringCommon):
    """Proposing and exporting a batch costs the same number of queries for
    5 or 50 invoices: nothing is read or written per invoice (the figures at
    10,000 invoices are in tests/benchmarks/README.md)."""

    def _queries(self, count):
        self.factor.export_format = "csv"
        customers = [
            self._make_customer(f"Perf {count} {i}", f"perf{count}-{i}@example.com")
            for i in range(5)
        ]
        moves = self.env["account.move"]
        for index in range(count):
            moves |= self._invoice(customers[index % 5], D(2026, 4, 19), 100.0 + index)
        batch = self._batch(self.factor, D(2026, 3, 20))
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        batch.action_propose()
        batch.action_export()
        self.env.flush_all()
        used = self.cr.sql_log_count - start
        self.assertEqual(batch.line_ids.move_id, moves)
        self.assertEqual(set(moves.mapped("dunning_exclusion_reason")), {"agency"})
        batch.action_cancel()  # frees the invoices for the next measure
        moves.button_draft()
        moves.button_cancel()
        return used

    def test_query_count_flat(self):
        with freeze_time("2026-03-20"):
            small = self._queries(5)
            large = self._queries(50)
        self.assertLessEqual(large, small + 2, f"{small} queries for 5, {large} for 50")
