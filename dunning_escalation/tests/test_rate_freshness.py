# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stale reference rates: the rule, then the warnings a manager sees."""

from datetime import date

from freezegun import freeze_time

from odoo.tests import BaseCase, tagged

from odoo.addons.dunning_followup.tests.common import DunningCommon

from ..tools import interest
from ..tools.rate_freshness import half_year_start, missing_since


class TestRateFreshness(BaseCase):
    def test_half_year_start(self):
        self.assertEqual(half_year_start(date(2026, 6, 30)), date(2026, 1, 1))
        self.assertEqual(half_year_start(date(2026, 7, 1)), date(2026, 7, 1))
        self.assertEqual(half_year_start(date(2026, 12, 31)), date(2026, 7, 1))

    def test_published_each_half_year(self):
        today = date(2026, 7, 15)
        self.assertEqual(
            missing_since("de_base", interest.DAILY, date(2026, 1, 1), today),
            date(2026, 7, 1),
        )
        self.assertIsNone(
            missing_since("de_base", interest.DAILY, date(2026, 7, 1), today)
        )
        self.assertEqual(
            missing_since("de_base", interest.DAILY, None, today), date(2026, 7, 1)
        )

    def test_half_year_rule_needs_the_current_value(self):
        today = date(2027, 1, 3)
        self.assertEqual(
            missing_since("ecb_mro", interest.HALF_YEAR, date(2026, 7, 1), today),
            date(2027, 1, 1),
        )
        # read day by day, an irregular rate's latest row holds until the next
        self.assertIsNone(
            missing_since("ecb_mro", interest.DAILY, date(2025, 6, 11), today)
        )
        self.assertIsNone(
            missing_since("boe_base", interest.FIXED_AT_DUE, date(2025, 12, 18), today)
        )


@tagged("post_install", "-at_install")
class TestStaleRateWarnings(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.write(
            {"interest_type": "reference", "interest_rate_code": "de_base"}
        )
        Rate = cls.env["dunning.reference.rate"]
        Rate.search(
            [("code", "=", "de_base"), ("date_from", ">", "2026-01-01")]
        ).unlink()

    def test_policy_and_run_log_warn(self):
        with freeze_time("2026-07-15"):
            warning = self.policy.interest_rate_warning
            self.assertIn("German base rate", warning)
            self.assertIn("07/01/2026", warning)
            run = self._run(date(2026, 7, 15))
        self.assertIn("German base rate", run.log)
        self.env["dunning.reference.rate"].create(
            {"code": "de_base", "date_from": date(2026, 7, 1), "rate": 1.27}
        )
        with freeze_time("2026-07-15"):
            self.policy.invalidate_recordset(["interest_rate_warning"])
            self.assertFalse(self.policy.interest_rate_warning)
            run = self._run(date(2026, 7, 16))
        self.assertNotIn("German base rate", run.log or "")

    def test_policy_without_reference_rate_is_quiet(self):
        self.policy.interest_type = "none"
        with freeze_time("2026-07-15"):
            self.assertFalse(self.policy.interest_rate_warning)
