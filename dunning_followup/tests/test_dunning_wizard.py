# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from freezegun import freeze_time

from odoo.tests import Form, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningWizard(DunningCommon):
    """The follow-up wizard driven as the web client does, by a collector."""

    def _actions(self, partner=None):
        return self.env["dunning.action"].search(
            [("partner_id", "=", (partner or self.customer).id)], order="id"
        )

    def _form(self, partner=None):
        return Form(
            self.env["dunning.followup"]
            .with_user(self.collector)
            .with_context(
                active_model="res.partner", active_ids=(partner or self.customer).ids
            )
        )

    def test_level_chosen_in_the_form_is_saved_and_sent(self):
        # due in a month: no level is due yet, the collector forces one
        self._invoice(self.customer, date(2026, 2, 1), 200.0)
        with freeze_time("2026-01-03"):
            form = self._form()
            form.level_id = self.level_formal
            self.assertIn("Acme Customer", form.preview)
            self.assertEqual(form.level_id, self.level_formal)
            wizard = form.save()
            self.assertEqual(wizard.level_id, self.level_formal)
            wizard.action_send()
        action = self._actions()
        self.assertEqual(action.level_id, self.level_formal)
        self.assertEqual(action.state, "done", action.failure_reason)
        self.assertTrue(action.message_id)
        self.assertTrue(action.letter_attachment_id)

    def test_level_already_sent_is_sent_again(self):
        invoice = self._invoice(self.customer, date(2026, 1, 1), 200.0)
        with freeze_time("2026-01-07"):
            self._run(date(2026, 1, 7))
            first = self._actions()
            self.assertEqual(first.level_id, self.level_first)
        with freeze_time("2026-01-08"):
            form = self._form()
            form.level_id = self.level_first
            form.save().action_send()
        resent = self._actions() - first
        self.assertEqual(resent.level_id, self.level_first)
        self.assertEqual(resent.state, "done", resent.failure_reason)
        self.assertEqual(resent.date, date(2026, 1, 8))
        self.assertIn(invoice.name, str(resent.message_id.body))
        self.assertIn("Sent again", resent.note)
        # the key of the first notice stays the only one
        self.assertFalse(resent.line_ids)
        self.assertEqual(first.line_ids.move_id, invoice)

    def test_print_letter_when_no_new_level_is_due(self):
        self._invoice(self.customer, date(2026, 1, 1), 200.0)
        with freeze_time("2026-01-07"):
            self._run(date(2026, 1, 7))
            first = self._actions()
            self._form().save().action_print()
        letter = self._actions() - first
        self.assertEqual(letter.level_id, self.level_first)
        self.assertEqual(letter.state, "done", letter.failure_reason)
        self.assertTrue(letter.letter_attachment_id)
        self.assertFalse(letter.message_id)

    def test_log_call_when_no_level_is_due_yet(self):
        self._invoice(self.customer, date(2026, 2, 1), 200.0)
        with freeze_time("2026-01-03"):
            self._form().save().action_log_call()
        action = self._actions()
        self.assertEqual(action.state, "done", action.failure_reason)
        self.assertEqual(
            action.activity_id.activity_type_id,
            self.env.ref("mail.mail_activity_data_call"),
        )
        self.assertFalse(action.message_id)

    def test_level_chosen_for_a_notice_to_review(self):
        invoice = self._invoice(self.customer, date(2026, 1, 1), 200.0)
        pending = self._pending_notice(
            self.customer, invoice, self.level_first, date(2026, 1, 7)
        )
        with freeze_time("2026-01-12"):
            form = Form(
                self.env["dunning.followup"]
                .with_user(self.collector)
                .with_context(active_model="dunning.action", active_ids=pending.ids)
            )
            form.level_id = self.level_formal
            form.save().action_send()
        self.assertEqual(pending.state, "cancelled")
        sent = self._actions().filtered(lambda a: a.state == "done")
        self.assertEqual(sent.level_id, self.level_formal)
        self.assertEqual(sent.date, date(2026, 1, 12))
        self.assertEqual(sent.line_ids.level_id, self.level_first | self.level_formal)
        self.assertTrue(sent.letter_attachment_id)
