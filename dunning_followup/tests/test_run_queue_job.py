# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The run's batches as queue jobs (dunning_run_queue.py).

Runs where OCA's queue_job is installed in the database (./setup/test.sh
installs it in its test database); skipped, not failed, elsewhere: our
addons do not depend on it.
"""

from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from .common import DunningCommon

try:
    from odoo.addons.queue_job.tests.common import trap_jobs
except ImportError:  # queue_job is not on the addons path
    trap_jobs = None


@tagged("post_install", "-at_install")
class TestRunQueueJob(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if trap_jobs is None or "queue.job" not in cls.env:
            return
        for index in range(3):
            partner = cls._make_customer(f"Queued {index}", f"q{index}@example.com")
            cls._invoice(partner, date(2026, 1, 1), 100.0)
        cls.company.dunning_batch_size = 1
        cls.env["res.config.settings"].create(
            {"dunning_use_queue_job": True, "dunning_queue_job_channel": "root.dunning"}
        ).execute()

    def setUp(self):
        super().setUp()
        if trap_jobs is None or "queue.job" not in self.env:
            self.skipTest("queue_job is not installed in this database")

    def _cron_run(self):
        return self.env["dunning.run"].search(
            [("company_id", "=", self.company.id), ("trigger", "=", "cron")]
        )

    def test_cron_enqueues_one_job_per_batch(self):
        with freeze_time("2026-01-07"), trap_jobs() as trap:
            self.env["dunning.run"]._cron_run()
            run = self._cron_run()
            self.assertEqual(run.state, "running")
            self.assertEqual(run.partner_total, 3)
            self.assertEqual(run.partner_done, 0)  # nothing worked inline
            # one job per batch, and one more that finds the end and closes
            trap.assert_jobs_count(4, only=run._job_process_batch)
            trap.assert_enqueued_job(
                run._job_process_batch,
                args=(1,),
                properties={"channel": "root.dunning"},
            )
            trap.perform_enqueued_jobs()
            run.invalidate_recordset()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.partner_done, 3)
        self.assertEqual(len(run.batch_ids), 3)
        self.assertTrue(
            all(w.startswith("job ") for w in run.batch_ids.mapped("worker"))
        )
        self.assertEqual(run.worker_count, 3)
        self.assertEqual(len(run.action_ids.partner_id), 3)

    def test_job_that_finds_the_rest_held_comes_back_for_it(self):
        """The last customers are held by another job: the job that should
        close the run enqueues one more, ten seconds later, and the run
        stays open until then."""
        with freeze_time("2026-01-07"):
            run = self.env["dunning.run"].create(
                {"company_id": self.company.id, "trigger": "cron"}
            )
            Run = type(run)
            with (
                patch.object(Run, "_claim_batch", return_value=([], [99], 0)),
                trap_jobs() as trap,
            ):
                run._job_process_batch(1)
                trap.assert_jobs_count(1, only=run._job_process_batch)
                trap.assert_enqueued_job(
                    run._job_process_batch,
                    args=(1,),
                    properties={
                        "channel": "root.dunning",
                        "eta": 10,
                        "identity_key": run._job_identity_prefix() + "sweep",
                    },
                )
            self.assertEqual(run.state, "running")
            with trap_jobs() as trap:
                run._job_process_batch(1)  # nothing held: claims and goes on
                trap.assert_jobs_count(0)

    def test_no_new_jobs_while_the_run_has_some_waiting(self):
        with freeze_time("2026-01-07"):
            self.env["dunning.run"]._cron_run()
            self.env["dunning.run"]._cron_run()
            run = self._cron_run()
            jobs = (
                self.env["queue.job"]
                .sudo()
                .search([("identity_key", "=like", run._job_identity_prefix() + "%")])
            )
            self.assertEqual(len(jobs), 4)
            self.assertEqual(set(jobs.mapped("channel")), {"root.dunning"})
            self.assertEqual(set(jobs.mapped("state")), {"pending"})
            jobs.write({"state": "done"})
            # the jobs are over and the run is not: a new round
            self.env["dunning.run"]._cron_run()
            self.assertEqual(
                self.env["queue.job"]
                .sudo()
                .search_count(
                    [("identity_key", "=like", run._job_identity_prefix() + "%")]
                ),
                8,
            )

    def test_without_the_setting_the_cron_works_inline(self):
        self.env["ir.config_parameter"].set_param(
            "dunning_followup.use_queue_job", False
        )
        with freeze_time("2026-01-07"), trap_jobs() as trap:
            self.env["dunning.run"]._cron_run()
            trap.assert_jobs_count(0)
        self.assertEqual(self._cron_run().partner_done, 1)
