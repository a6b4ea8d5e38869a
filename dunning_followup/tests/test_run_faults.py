# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Faults seen with real Odoo processes: serialization failures inside a
notice, failed notices and the next level, runs left running, mails sent
twice on the wire."""

from datetime import date, datetime
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import errors

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestRunFaults(DunningCommon):
    def _actions(self, partner=None):
        return self.env["dunning.action"].search(
            [("partner_id", "=", (partner or self.customer).id)], order="id"
        )

    def _cron_run(self, company_run_date):
        Run = self.env["dunning.run"]
        while Run._cron_run():
            pass
        return Run.search(
            [
                ("company_id", "=", self.company.id),
                ("trigger", "=", "cron"),
                ("date", "=", company_run_date),
            ]
        )

    # -- item 2: concurrency errors are retried, not failures --------------

    def test_serialization_failure_is_not_a_failed_notice(self):
        """A serialization failure in a notice (two transactions on Odoo's
        sequence row) rolls the batch back to be retried: the notice is not
        recorded as failed."""
        self._invoice(self.customer, date(2026, 1, 1), 200.0)
        Action = type(self.env["dunning.action"])
        clash = errors.SerializationFailure("could not serialize access")
        with freeze_time("2026-01-07"):
            run = self.env["dunning.run"].create(
                {"company_id": self.company.id, "date": date(2026, 1, 7)}
            )
            run.with_context(dunning_plan_only=True).action_process()
            action = self._actions()
            self.assertEqual(action.state, "to_review")
            with (
                patch.object(Action, "_send_email", side_effect=clash),
                self.assertRaises(errors.SerializationFailure),
            ):
                action._execute()
            self.assertEqual(action.state, "to_review")
            self.assertFalse(action.failure_reason)
            self.assertEqual(action.attempt_count, 0)
            # a batch of the cron: the error leaves the batch, nothing stays
            other = self._make_customer("Other Customer", "other@example.com")
            self._invoice(other, date(2026, 1, 1), 300.0)
            with (
                patch.object(Action, "_send_email", side_effect=clash),
                self.assertRaises(errors.SerializationFailure),
                self.env.cr.savepoint(),
            ):
                self._run(date(2026, 1, 7), partners=other)
            self.env.invalidate_all()
            self.assertFalse(self._actions(other))

    def test_failed_notice_blocks_the_next_level(self):
        """The customer does not get the call while the first reminder has
        not gone out; once it is sent, the next level comes."""
        self._invoice(self.customer, date(2026, 1, 1), 200.0)
        Action = type(self.env["dunning.action"])
        with freeze_time("2026-01-07"):
            with patch.object(Action, "_send_email", side_effect=OSError("down")):
                self._run(date(2026, 1, 7))
        first = self._actions()
        self.assertEqual(first.state, "failed")
        with freeze_time("2026-01-12"):
            self._run(date(2026, 1, 12))
            self.assertEqual(self._actions(), first, "no higher level while failed")
            first.action_execute()
            self.assertEqual(first.state, "done")
            self._run(date(2026, 1, 12))
        later = self._actions() - first
        self.assertEqual(len(later), 1)
        self.assertGreater(later.level_id.days, first.level_id.days)

    def test_notice_to_review_blocks_until_cancelled(self):
        self._invoice(self.customer, date(2026, 1, 1), 200.0)
        self.level_first.auto_execute = False
        with freeze_time("2026-01-07"):
            self._run(date(2026, 1, 7))
        first = self._actions()
        self.assertEqual(first.state, "to_review")
        with freeze_time("2026-01-12"):
            self._run(date(2026, 1, 12))
            self.assertEqual(self._actions(), first)
            first.action_cancel()
            self._run(date(2026, 1, 12))
        self.assertEqual(len(self._actions()), 2)

    # -- item 3: runs left running -----------------------------------------

    def test_run_left_running_yesterday_is_taken_over(self):
        other = self._make_customer("Other Customer", "other@example.com")
        self._invoice(self.customer, date(2026, 1, 1), 200.0)
        self._invoice(other, date(2026, 1, 1), 300.0)
        self.company.dunning_batch_size = 1
        with freeze_time("2026-01-07"):
            old = self.env["dunning.run"].create(
                {"company_id": self.company.id, "date": date(2026, 1, 7)}
            )
            old._process_batch(1)  # then killed, never resumed that day
            self.assertEqual((old.state, old.partner_done), ("running", 1))
        with freeze_time("2026-01-08"):
            today = self._cron_run(date(2026, 1, 8))
        self.assertEqual(old.state, "interrupted")
        self.assertIn("Interrupted", old.log)
        self.assertEqual(old.partner_done, 1)
        self.assertEqual(today.state, "done")
        # the customer the old run processed has nothing new today: the
        # daily run visits the other one only
        self.assertEqual(today.partner_done, 1)
        self.assertEqual(self._actions(other).run_id, today)
        # a manager may delete it now
        old.unlink()
        self.assertFalse(old.exists())

    def test_running_run_resumes_where_it_stopped(self):
        partners = self.customer
        for index in range(2):
            partners |= self._make_customer(f"Resume {index}", f"r{index}@example.com")
        for partner in partners:
            self._invoice(partner, date(2026, 1, 1), 100.0)
        self.company.dunning_batch_size = 1
        with freeze_time("2026-01-07"):
            run = self.env["dunning.run"].create(
                {"company_id": self.company.id, "date": date(2026, 1, 7)}
            )
            run._process_batch(1)
            first = self.env["dunning.action"].search([("run_id", "=", run.id)])
            run.action_process()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.partner_done, 3)
        actions = self.env["dunning.action"].search([("run_id", "=", run.id)])
        self.assertEqual(actions.partner_id, partners)
        self.assertEqual(len(actions), 3)
        self.assertIn(first, actions)

    def test_unfinished_cron_run_sets_its_own_retry(self):
        """A cron call that leaves work sets a trigger of the cron a few
        minutes ahead: the run resumes the same day even if Odoo reschedules
        the job for the next day (timeouts, no progress)."""
        for index in range(2):
            partner = self._make_customer(f"Retry {index}", f"t{index}@example.com")
            self._invoice(partner, date(2026, 1, 1), 100.0)
        self.company.dunning_batch_size = 1
        cron = self.env.ref("dunning_followup.ir_cron_dunning_run")
        Trigger = self.env["ir.cron.trigger"].sudo()
        with freeze_time("2026-01-07 08:00:00"):
            Trigger.search([("cron_id", "=", cron.id)]).unlink()
            self.assertGreater(self.env["dunning.run"]._cron_run(), 0)
            triggers = Trigger.search([("cron_id", "=", cron.id)])
            self.assertEqual(len(triggers), 1)
            self.assertGreater(triggers.call_at, datetime(2026, 1, 7, 8, 0))
            self.assertLess(triggers.call_at, datetime(2026, 1, 7, 9, 0))
            # the next call does not pile up triggers
            self.env["dunning.run"]._cron_run()
            self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), 1)

    def test_manager_closes_a_running_run(self):
        self._invoice(self.customer, date(2026, 1, 1), 200.0)
        with freeze_time("2026-01-07"):
            run = self.env["dunning.run"].create(
                {"company_id": self.company.id, "date": date(2026, 1, 7)}
            )
            run._process_batch(1)
            with self.assertRaises(AccessError):
                run.with_user(self.collector).action_interrupt()
            run.action_interrupt()
        self.assertEqual(run.state, "interrupted")
        self.assertIn("Closed by", run.log)
        run.unlink()

    # -- item 5: a notice mail keeps its Message-Id ------------------------

    def test_retry_of_a_notice_reuses_its_message_id(self):
        self._invoice(self.customer, date(2026, 1, 1), 200.0)
        Action = type(self.env["dunning.action"])
        send = Action._send_email
        sent = []

        def send_then_fail(action, *args, **kwargs):
            send(action, *args, **kwargs)
            sent.append(action.message_id.message_id)
            raise OSError("connection reset after the mail was queued")

        with freeze_time("2026-01-07"), mute_logger("odoo.addons.dunning_followup"):
            with patch.object(Action, "_send_email", send_then_fail):
                self._run(date(2026, 1, 7))
            action = self._actions()
            self.assertEqual(action.state, "failed")
            with self.mock_mail_gateway():
                self.env["dunning.action"]._cron_retry_failed()
                mails = self._new_mails.filtered(
                    lambda m: m.mail_message_id == action.message_id
                )
                self.assertEqual(len(mails), 1)
                self.assertEqual(mails.message_id, sent[0])
        self.assertEqual(action.state, "done")
        self.assertEqual(len(sent), 1)
        self.assertTrue(sent[0].startswith("<dunning."))
        self.assertEqual(action.message_id.message_id, sent[0])
