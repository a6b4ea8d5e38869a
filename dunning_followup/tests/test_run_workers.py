# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One run worked by several cron workers (dunning_run_worker.py)."""

import contextlib
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import sql_db
from odoo.exceptions import ValidationError
from odoo.modules.registry import Registry
from odoo.tests import tagged

from ..models.dunning_run_queue import CHANNEL_PARAM, DEFAULT_CHANNEL
from .common import DunningCommon
from .concurrency import CommittedRunCase

RUN_DAY = "2026-02-10"


@tagged("post_install", "-at_install")
class TestTwoWorkersOneRun(CommittedRunCase):
    """Two worker crons, each on its own connection, on one run."""

    def setUp(self):
        super().setUp()
        self.company, self.partner_ids = self._committed_customers(6)
        cr = self._cursor()
        env = self._env(cr)
        company = env["res.company"].browse(self.company.id)
        self.addCleanup(self._restore_batch_size, company.dunning_batch_size)
        company.dunning_batch_size = 2
        self.addCleanup(self._drop_worker_crons)
        self.main_cron = env.ref("dunning_followup.ir_cron_dunning_run")
        self.worker_cron = env["dunning.run"]._sync_worker_crons(2)[2]
        with freeze_time(RUN_DAY):
            self.run_id = (
                env["dunning.run"]
                .create(
                    {
                        "company_id": company.id,
                        "date": date.fromisoformat(RUN_DAY),
                        "trigger": "cron",
                    }
                )
                .id
            )
        cr.commit()

    def _restore_batch_size(self, size):
        with contextlib.closing(sql_db.db_connect(self.dbname).cursor()) as cr:
            cr.execute(
                "UPDATE res_company SET dunning_batch_size = %s WHERE id = %s",
                [size, self.company.id],
            )
            cr.commit()

    def _drop_worker_crons(self):
        with contextlib.closing(sql_db.db_connect(self.dbname).cursor()) as cr:
            env = self._env(cr)
            crons = env["ir.cron"].union(
                *env["dunning.run"]._worker_crons(active_only=False).values()
            )
            actions = crons.ir_actions_server_id
            crons.unlink()
            actions.unlink()
            cr.commit()

    def _stale_rate_warning(self):
        Rate = Registry(self.dbname).get("dunning.reference.rate")
        if Rate is None:
            return contextlib.nullcontext()
        return patch.object(
            Rate, "_stale_warnings", lambda self, policies, day: ["Stale rate."]
        )

    def _worker_call(self, cr, cron):
        """What the cron framework does for one call of ``cron``'s job: a
        progress row in the context, the method, the progress read back.
        :return: ``(done, remaining)`` as the call reported them"""
        env = self._env(cr, dunning_plan_only=True)
        progress = env["ir.cron.progress"].create(
            {"cron_id": cron.id, "done": 0, "remaining": 0}
        )
        with freeze_time(RUN_DAY):
            env["dunning.run"].with_context(
                cron_id=cron.id, ir_cron_progress_id=progress.id
            )._cron_run_worker()
        # as the cron's _callback does (and before the env may be collected:
        # a commit flushes only the environments still alive)
        env.flush_all()
        return progress.done, progress.remaining

    def test_two_workers_share_the_run_and_one_closes_it(self):
        cr_a, cr_b = self._cursor("2s"), self._cursor("2s")
        # both at once: B skips the customers A holds and takes the next ones
        done_a, remaining_a = self._worker_call(cr_a, self.main_cron)
        done_b, remaining_b = self._worker_call(cr_b, self.worker_cron)
        self.assertEqual((done_a, done_b), (2, 2))
        self.assertTrue(remaining_a and remaining_b)
        cr_a.commit()
        cr_b.commit()
        # A takes the last two; B, meanwhile, finds them held and waits
        self.assertEqual(self._worker_call(cr_a, self.main_cron)[0], 2)
        self.assertEqual(self._worker_call(cr_b, self.worker_cron)[0], 0)
        cr_a.commit()
        cr_b.commit()
        # both reach the end together: A closes the run, B leaves it to A
        # (the lock_timeout fails B if anything of it waits on A's lock);
        # with dunning_escalation, whose close also writes the run's log
        # when a reference rate is stale, made so here
        with self._stale_rate_warning():
            self.assertEqual(self._worker_call(cr_a, self.main_cron), (0, 0))
            self.assertEqual(self._worker_call(cr_b, self.worker_cron)[0], 0)
        cr_a.commit()
        cr_b.commit()

        env = self._env(self._cursor())
        run = env["dunning.run"].browse(self.run_id)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.log.count("customers processed"), 1)
        if "dunning.reference.rate" in env:
            self.assertEqual(run.log.count("Stale rate."), 1)
        self.assertEqual(run.partner_done, 6)
        self.assertEqual(len(run.batch_ids), 3)
        by_worker = {}
        for batch in run.batch_ids:
            by_worker.setdefault(batch.worker.split(" (")[0], []).append(
                batch.partner_count
            )
        self.assertEqual(
            by_worker, {self.main_cron.name: [2, 2], self.worker_cron.name: [2]}
        )
        self.assertEqual(run.worker_count, 2)
        actions = self._actions(env, self.partner_ids)
        self.assertEqual(sorted(actions.partner_id.ids), self.partner_ids)
        self.assertEqual(len(actions), 6)  # one each: nobody processed twice
        env.cr.execute(
            """SELECT COUNT(*) FROM dunning_partner_state
                WHERE partner_id = ANY(%s) AND run_id = %s""",
            [self.partner_ids, self.run_id],
        )
        self.assertEqual(env.cr.fetchone()[0], 6)

    def test_worker_that_began_before_the_run_closed_leaves_it(self):
        """B's transaction began before A closed the run and committed:
        B's close fails to serialize and is left, B's transaction is fine."""
        cr_a, cr_b = self._cursor("2s"), self._cursor("2s")
        for _call in range(3):
            self._worker_call(cr_a, self.main_cron)
            cr_a.commit()
        cr_b.execute("SELECT state FROM dunning_run WHERE id = %s", [self.run_id])
        self.assertEqual(cr_b.fetchone()[0], "running")  # B's snapshot
        self.assertEqual(self._worker_call(cr_a, self.main_cron), (0, 0))
        cr_a.commit()
        self.assertEqual(self._worker_call(cr_b, self.worker_cron)[0], 0)
        cr_b.commit()
        run = self._env(self._cursor())["dunning.run"].browse(self.run_id)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.log.count("customers processed"), 1)
        self.assertEqual(run.partner_done, 6)


@tagged("post_install", "-at_install")
class TestWorkerCrons(DunningCommon):
    def _settings(self, workers):
        settings = self.env["res.config.settings"].create(
            {"dunning_cron_workers": workers}
        )
        settings.execute()
        return self.env["dunning.run"]._worker_crons(active_only=False)

    def test_setting_makes_and_archives_worker_crons(self):
        self.assertEqual(
            self.env["res.config.settings"].create({}).dunning_cron_workers, 1
        )
        crons = self._settings(3)
        self.assertEqual(sorted(crons), [2, 3])
        self.assertTrue(all(cron.active for cron in crons.values()))
        for number, cron in crons.items():
            self.assertEqual(
                cron.get_external_id()[cron.id],
                f"dunning_followup.ir_cron_dunning_run_worker_{number}",
            )
            self.assertEqual(cron.code, "model._cron_run_worker()")
        self.assertEqual(
            self.env["res.config.settings"].create({}).dunning_cron_workers, 3
        )
        # fewer workers: the third is archived, not deleted
        after = self._settings(2)
        self.assertEqual(after[3], crons[3])
        self.assertFalse(crons[3].active)
        self.assertTrue(crons[2].active)
        self.assertEqual(
            self.env["res.config.settings"].create({}).dunning_cron_workers, 2
        )
        # more again: the same record comes back
        self.assertEqual(self._settings(3)[3], crons[3])
        self.assertTrue(crons[3].active)
        self._settings(1)
        self.assertFalse(any(cron.active for cron in crons.values()))
        with self.assertRaisesRegex(ValidationError, "Follow-up workers"):
            self._settings(0)

    def test_queue_job_channel_is_checked(self):
        Settings = self.env["res.config.settings"]
        Params = self.env["ir.config_parameter"].sudo()
        Settings.create({"dunning_queue_job_channel": " root.dunning.daily "}).execute()
        self.assertEqual(Params.get_param(CHANNEL_PARAM), "root.dunning.daily")
        for bad in ("dunning", "root.", "root..x", "root.a b", "ROOT.x", "root/x"):
            with self.subTest(channel=bad):
                settings = Settings.create(
                    {"dunning_queue_job_channel": bad, "dunning_cron_workers": 2}
                )
                with self.assertRaisesRegex(ValidationError, "Queue job channel"):
                    settings.execute()
                # nothing of the form was saved
                self.assertEqual(Params.get_param(CHANNEL_PARAM), "root.dunning.daily")
                self.assertFalse(self.env["dunning.run"]._worker_crons())
        Settings.create({"dunning_queue_job_channel": ""}).execute()
        self.assertEqual(Params.get_param(CHANNEL_PARAM), DEFAULT_CHANNEL)

    def test_worker_does_nothing_without_a_running_run(self):
        self._settings(2)
        self._invoice(self.customer, date(2026, 1, 1), 100.0)
        Run = self.env["dunning.run"]
        with freeze_time("2026-01-07"):
            self.assertEqual(Run._cron_run_worker(), 0)
            self.assertFalse(Run.search([("company_id", "=", self.company.id)]))
            # a manual run is not a worker's business, nor a run of another day
            manual = Run.create({"company_id": self.company.id, "trigger": "manual"})
        with freeze_time("2026-01-08"):
            self.assertEqual(Run._cron_run_worker(), 0)
        self.assertEqual(manual.partner_done, 0)
        self.assertFalse(manual.batch_ids)

    def test_daily_cron_triggers_the_workers_while_work_is_left(self):
        crons = self._settings(3)
        for index in range(3):
            partner = self._make_customer(f"Worker {index}", f"w{index}@example.com")
            self._invoice(partner, date(2026, 1, 1), 100.0)
        self.company.dunning_batch_size = 1
        Trigger = self.env["ir.cron.trigger"]
        workers = [crons[2].id, crons[3].id]
        with freeze_time("2026-01-07"):
            self.env["dunning.run"]._cron_run()
            self.assertEqual(
                sorted(Trigger.search([("cron_id", "in", workers)]).cron_id.ids),
                workers,
            )
            # work is left: the cron threads are notified at the commit
            notify = type(self.env["ir.cron"])._notifydb
            self.assertTrue(
                any(
                    getattr(func, "__func__", None) is notify
                    for func in self.env.cr.postcommit._funcs
                )
            )
            # a worker already triggered is not triggered again
            self.env["dunning.run"]._cron_run()
            self.assertEqual(Trigger.search_count([("cron_id", "in", workers)]), 2)
            # the workers do the rest; the batches say who did them
            while (
                self.env["dunning.run"]
                .with_context(cron_id=crons[2].id)
                ._cron_run_worker()
            ):
                pass
        run = self.env["dunning.run"].search(
            [("company_id", "=", self.company.id), ("trigger", "=", "cron")]
        )
        self.assertEqual(run.state, "done")
        self.assertEqual(run.partner_done, 3)
        self.assertEqual(run.worker_count, 2)
        action = run.action_view_batches_by_worker()
        self.assertEqual(action["context"], {"group_by": ["worker"]})
        self.assertEqual(
            self.env["dunning.run.batch"].search(action["domain"]), run.batch_ids
        )
