# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import Form, tagged
from odoo.tools import mute_logger

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

    def test_a_new_notice_supersedes_the_pending_one(self):
        inv_a = self._invoice(self.customer, date(2026, 1, 1), 300.0)
        inv_b = self._invoice(self.customer, date(2026, 1, 20), 200.0)
        self.policy.level_mode = "jump"
        with freeze_time("2026-02-15"):
            self._run(date(2026, 2, 15))
        older = self._actions()
        self.assertEqual(older.level_id, self.level_final)
        self.assertEqual(older.state, "to_review")
        # B reaches the final level too: one notice covers both
        with freeze_time("2026-03-06"):
            run = self._run(date(2026, 3, 6))
        newer = run.action_ids
        self.assertEqual(len(newer), 1)
        self.assertEqual(older.state, "cancelled")
        self.assertIn(f"Superseded by notice {newer.name} (#{newer.id})", older.note)
        pending = self._actions().filtered(lambda a: a.state == "to_review")
        self.assertEqual(pending, newer)
        self.assertEqual(newer.level_id, self.level_final)
        self.assertEqual(newer.line_ids.move_id, inv_a | inv_b)
        self.assertEqual(newer.amount_due, 500.0)
        self.assertEqual(self._state(self.customer).status, "action")

    def test_pending_notices_of_one_customer_go_out_as_one(self):
        inv_a = self._invoice(self.customer, date(2026, 1, 1), 300.0)
        inv_b = self._invoice(self.customer, date(2026, 1, 20), 200.0)
        first = self._pending_notice(
            self.customer, inv_a, self.level_final, date(2026, 2, 15)
        )
        second = self._pending_notice(
            self.customer, inv_b, self.level_formal, date(2026, 2, 20)
        )
        with freeze_time("2026-03-06"):
            Form(
                self.env["dunning.followup"]
                .with_user(self.collector)
                .with_context(
                    active_model="dunning.action", active_ids=(first | second).ids
                )
            ).save().action_print()
        self.assertEqual(first.state, "cancelled")
        self.assertIn(f"Superseded by notice {second.name}", first.note)
        self.assertEqual(second.state, "done", second.failure_reason)
        # the highest level, both invoices, one letter, one total
        self.assertEqual(second.level_id, self.level_final)
        self.assertEqual(second.line_ids.move_id, inv_a | inv_b)
        self.assertEqual(second.date, date(2026, 3, 6))
        letters = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "dunning.action"),
                ("res_id", "in", (first | second).ids),
            ]
        )
        self.assertEqual(letters, second.letter_attachment_id)
        letter = letters.raw.decode()
        self.assertIn(inv_a.name, letter)
        self.assertIn(inv_b.name, letter)
        self.assertIn("500.00", letter)
        self.assertEqual(self._state(self.customer).status, "none")

    def test_notice_fails_with_its_mail_and_is_retried(self):
        invoice = self._invoice(self.customer, date(2026, 1, 1), 200.0)
        Mail = type(self.env["mail.mail"])
        # as in production, the e-mail leaves after the commit (or with the
        # queue), when the notice is done already
        with (
            freeze_time("2026-01-07"),
            patch.object(Mail, "send", autospec=True),
        ):
            self._run(date(2026, 1, 7))
        action = self._actions()
        self.assertEqual(action.state, "done", action.failure_reason)
        mails = self.env["mail.mail"].search(
            [("mail_message_id", "=", action.message_id.id)]
        )
        self.assertEqual(mails.state, "outgoing")
        MailServer = type(self.env["ir.mail_server"])
        refused = ConnectionRefusedError(111, "Connection refused")
        with (
            freeze_time("2026-01-07"),
            patch.object(MailServer, "connect", side_effect=refused),
            mute_logger("odoo.addons.mail.models.mail_mail"),
        ):
            self.env["mail.mail"].process_email_queue(mails.ids)
        self.assertEqual(mails.state, "exception")
        self.assertEqual(action.state, "failed")
        self.assertIn("The e-mail could not be sent", action.failure_reason)
        self.assertIn("Connection refused", action.failure_reason)
        self.assertEqual(self._state(self.customer).status, "action")
        # it did not go out: no last notice
        self.assertFalse(self._state(self.customer).last_notice_date)
        self.assertFalse(invoice.dunning_last_date)
        self.assertFalse(self._lines(invoice).dunning_date)
        # in the review queue
        queue = self.env.ref("dunning_followup.dunning_action_action_review")
        self.assertIn("'search_default_failed': 1", queue.context)
        # the retry cron sends it again, on a new mail
        with freeze_time("2026-01-08"):
            self.env["dunning.action"]._cron_retry_failed()
        self.assertEqual(action.state, "done", action.failure_reason)
        self.assertEqual(action.attempt_count, 2)
        self.assertNotIn(action.message_id, mails.mail_message_id)
        self.assertEqual(self._state(self.customer).status, "none")
        self.assertEqual(invoice.dunning_last_date, date(2026, 1, 8))
