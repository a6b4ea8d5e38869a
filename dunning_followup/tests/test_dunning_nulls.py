# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningNulls(DunningCommon):
    """Booleans stored as NULL (rows written by SQL, imports, columns added
    to a table that had rows) count as false in every query."""

    def _set_null(self, records, column):
        records.flush_recordset()
        self.env.cr.execute(
            f"UPDATE {records._table} SET {column} = NULL WHERE id = ANY(%s)",
            [records.ids],
        )
        records.invalidate_recordset()

    def test_null_exclusion_is_not_excluded(self):
        disputed = self._invoice(self.customer, date(2026, 1, 1), 100.0)
        other = self._invoice(self.customer, date(2026, 1, 2), 200.0)
        disputed.write(
            {"dunning_excluded": True, "dunning_exclusion_reason": "dispute"}
        )
        self._set_null(other, "dunning_excluded")
        self._set_null(self._lines(other), "reconciled")
        with freeze_time("2026-01-20"):
            run = self._run(date(2026, 1, 20))
        state = self._state(self.customer)
        self.assertNotEqual(state.status, "excluded")
        self.assertEqual(state.overdue_amount, 300.0)
        self.assertEqual(run.action_ids.line_ids.move_id, other)
