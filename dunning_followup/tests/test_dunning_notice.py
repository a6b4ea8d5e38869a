# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningNotice(DunningCommon):
    """What reaches the customer: one notice, dated the day it is sent."""

    def _actions(self, partner=None):
        return self.env["dunning.action"].search(
            [("partner_id", "=", (partner or self.customer).id)], order="id"
        )

    @staticmethod
    def _days_late_cells(html):
        """The days late of the items table of a rendered notice."""
        return re.findall(r'text-align: ?right;?">(-?\d+)</td>', html)

    def test_reviewed_notice_is_dated_the_day_it_is_sent(self):
        invoice = self._invoice(self.customer, date(2026, 1, 1), 500.0)
        self.policy.level_mode = "jump"
        self.level_final.attach_statement = True
        with freeze_time("2026-02-20"):
            self._run(date(2026, 2, 20))
        final = self._actions()
        self.assertEqual(final.state, "to_review")
        self.assertEqual(final.line_ids.days_late, 50)
        with freeze_time("2026-03-02"):
            final.with_user(self.collector).action_execute()
        self.assertEqual(final.state, "done", final.failure_reason)
        self.assertEqual(final.date, date(2026, 3, 2))
        self.assertIn("Planned on 02/20/2026, sent on 03/02/2026.", final.note)
        self.assertEqual(final.line_ids.days_late, 60)
        # the e-mail, the letter and the statement say the same day
        self.assertEqual(self._days_late_cells(str(final.message_id.body)), ["60"])
        letter = final.letter_attachment_id.raw.decode()
        statement = final.statement_attachment_id.raw.decode()
        for document in (letter, statement):
            self.assertIn("03/02/2026", document)
            self.assertNotIn("02/20/2026", document)
            self.assertIn("60", document)
        # history and "Last notice"
        self.assertEqual(invoice.dunning_last_date, date(2026, 3, 2))
        self.assertEqual(self._lines(invoice).dunning_date, date(2026, 3, 2))
        self.assertEqual(self._state(self.customer).last_notice_date, date(2026, 3, 2))
