# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Runs worked by several real transactions at once (see concurrency.py)."""

import contextlib

from odoo import fields, sql_db
from odoo.tests import tagged

from .concurrency import CommittedRunCase


@tagged("post_install", "-at_install")
class TestRunConcurrency(CommittedRunCase):
    def test_customer_held_by_a_transaction_rolled_back_is_not_lost(self):
        """A batch skips the customer another transaction holds; that
        transaction rolls back; the run still processes the customer and
        counts only what it really processed."""
        company, partner_ids = self._committed_customers(3)
        held = partner_ids[1]
        holder = self._cursor()
        # (posting the invoice made the row already: it marks the customer)
        holder.execute(
            """INSERT INTO dunning_partner_state (partner_id, company_id, status)
               VALUES (%s, %s, 'none') ON CONFLICT DO NOTHING""",
            [held, company.id],
        )
        holder.commit()
        # another transaction claims the customer, as a batch does
        holder.execute(
            """SELECT id FROM dunning_partner_state
                WHERE partner_id = %s AND company_id = %s FOR NO KEY UPDATE""",
            [held, company.id],
        )
        cr = self._cursor()
        env = self._env(cr, dunning_plan_only=True)
        run = self._run(env, company)
        run._process_batch(10)
        self.assertEqual(run.state, "running")
        self.assertEqual(run.partner_done, 2)
        self.assertEqual(
            sorted(self._actions(env, partner_ids).partner_id.ids),
            [p for p in partner_ids if p != held],
        )
        cr.commit()  # the batch is done; the holder then fails
        holder.rollback()
        run.invalidate_recordset()
        run._process_batch(10)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.partner_done, 3)
        self.assertEqual(
            sorted(self._actions(env, partner_ids).partner_id.ids), partner_ids
        )
        cr.commit()

    def test_two_batches_at_once_share_the_customers(self):
        """Two transactions process batches of the same run at the same
        moment: each takes its own customers, none waits for the other
        (``lock_timeout`` would fail it) and both commit."""
        company, partner_ids = self._committed_customers(4)
        setup = self._cursor()
        run_id = self._run(self._env(setup), company).id
        setup.commit()
        cr_a, cr_b = self._cursor("2s"), self._cursor("2s")
        run_a = self._env(cr_a, dunning_plan_only=True)["dunning.run"].browse(run_id)
        run_b = self._env(cr_b, dunning_plan_only=True)["dunning.run"].browse(run_id)
        self.assertEqual(run_a._process_batch(2), 2)
        self.assertEqual(run_b._process_batch(2), 2)
        done_a = self._actions(run_a.env, partner_ids).partner_id.ids
        done_b = self._actions(run_b.env, partner_ids).partner_id.ids
        self.assertEqual(len(done_a), 2)
        self.assertEqual(len(done_b), 2)
        self.assertFalse(set(done_a) & set(done_b))
        cr_a.commit()
        cr_b.commit()
        check = self._env(self._cursor())["dunning.run"].browse(run_id)
        self.assertEqual(check.partner_done, 4)
        self.assertEqual(len(check.batch_ids), 2)
        self.assertEqual(
            sorted(self._actions(check.env, partner_ids).partner_id.ids), partner_ids
        )
        # the next batch finds nothing left and closes the run
        check._process_batch(2)
        self.assertEqual(check.state, "done")

    def test_two_cron_calls_at_once_make_one_run(self):
        """The cron called by two processes on a new day: one makes the
        day's run, the other neither waits nor makes a second one."""
        cr_a, cr_b = self._cursor("2s"), self._cursor("2s")
        env_a, env_b = self._env(cr_a), self._env(cr_b)
        company = env_a.ref("base.main_company")
        today = fields.Date.context_today(env_a["dunning.run"])
        self.addCleanup(self._delete_cron_runs, company.id, today)
        env_a["dunning.run"]._cron_run()
        # the company is left for the next call: something remains
        self.assertGreater(env_b["dunning.run"]._cron_run(), 0)
        self.assertFalse(
            env_b["dunning.run"].search(
                [("company_id", "=", company.id), ("date", "=", today)]
            )
        )
        cr_a.commit()
        cr_b.commit()
        check = self._env(self._cursor())
        runs = check["dunning.run"].search(
            [
                ("company_id", "=", company.id),
                ("date", "=", today),
                ("trigger", "=", "cron"),
            ]
        )
        self.assertEqual(len(runs), 1)

    def _delete_cron_runs(self, company_id, today):
        with contextlib.closing(sql_db.db_connect(self.dbname).cursor()) as cr:
            cr.execute(
                "DELETE FROM dunning_run"
                " WHERE company_id = %s AND date = %s AND trigger = 'cron'",
                [company_id, today],
            )
            cr.execute(
                "DELETE FROM ir_cron_trigger WHERE cron_id IN ("
                " SELECT res_id FROM ir_model_data WHERE module = 'dunning_followup'"
                " AND name = 'ir_cron_dunning_run')"
            )
            cr.commit()
