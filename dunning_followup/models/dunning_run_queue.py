# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The run's batches as OCA ``queue_job`` jobs, where queue_job is there.

No dependency on queue_job: the manifest does not name it.  When it is
installed in the database and "Follow-up batches as queue jobs" is on
(Settings, with its channel, ``root.dunning`` by default), the daily cron
makes the day's run as usual and, instead of working its batches itself,
enqueues one job per batch left on that channel; queue_job's runner
spreads them over its workers (on every server that runs it) as the
channel's capacity allows.

Each job works "the next batch" of the run (the claim decides which
customers, as for a cron worker), in its own transaction; the job that
finds nothing left closes the run.  The cron enqueues a new round only
when no job of the run is waiting or running: a run whose last job left
customers behind because other jobs held them enqueues one more job, ten
seconds later, for them (a batch takes about a second); one whose job
failed is taken up by the cron's next call (its retry trigger, ten
minutes later at most).
"""

import re

from odoo import api, models
from odoo.tools import str2bool

USE_PARAM = "dunning_followup.use_queue_job"
CHANNEL_PARAM = "dunning_followup.queue_job_channel"
DEFAULT_CHANNEL = "root.dunning"
# a queue_job channel: root, or root's sub-channels named by dotted words
CHANNEL_NAME = re.compile(r"root(\.[A-Za-z0-9_-]+)*")
# queue_job's states of a job that is still to run or running
OPEN_JOB_STATES = ("wait_dependencies", "pending", "enqueued", "started")
# seconds before a job comes back for customers other jobs held
SWEEP_DELAY = 10


class DunningRun(models.Model):
    _inherit = "dunning.run"

    @api.model
    def _queue_job_channel(self):
        """The channel the batches are enqueued on, or False when they are
        worked by the crons (queue_job not installed, or not chosen)."""
        if "queue.job" not in self.env:
            return False
        params = self.env["ir.config_parameter"].sudo()
        if not str2bool(params.get_param(USE_PARAM, "False")):
            return False
        return params.get_param(CHANNEL_PARAM) or DEFAULT_CHANNEL

    def _job_identity_prefix(self):
        self.ensure_one()
        return f"dunning.run({self.id}) batch "

    def _enqueue_batches(self, channel, batch_size):
        """One job per batch left (at least one: the last sweep and the
        close), unless jobs of this run are still waiting or running.
        :return: the number of jobs enqueued"""
        self.ensure_one()
        prefix = self._job_identity_prefix()
        if (
            self.env["queue.job"]
            .sudo()
            .search_count(
                [
                    ("identity_key", "=like", prefix + "%"),
                    ("state", "in", OPEN_JOB_STATES),
                ],
                limit=1,
            )
        ):
            return 0
        # one more than the batches left: the last finds nothing and closes
        count = self._remaining_estimate() // batch_size + 1
        for number in range(1, count + 1):
            self.with_delay(
                channel=channel,
                identity_key=f"{prefix}{number}/{count}",
                description=self.env._(
                    "Follow-up run %(run)s: batch %(number)s of %(count)s",
                    run=self.name,
                    number=number,
                    count=count,
                ),
            )._job_process_batch(batch_size)
        return count

    def _job_process_batch(self, batch_size):
        """A queue job: the next batch of this run, in the job's
        transaction (queue_job commits it, and retries it on a
        serialization failure)."""
        self.ensure_one()
        run = self.sudo().with_company(self.company_id)
        if run.state != "running":
            return "run closed"
        done = run._process_batch(batch_size)
        channel = self._queue_job_channel()
        if channel and run.state == "running" and done < batch_size:
            # nothing left ahead, but customers held by other jobs: come back
            # for them once those are done (one such job at a time)
            run.with_delay(
                channel=channel,
                eta=SWEEP_DELAY,
                identity_key=f"{self._job_identity_prefix()}sweep",
                description=self.env._(
                    "Follow-up run %(run)s: last customers", run=self.name
                ),
            )._job_process_batch(batch_size)
        return f"{done} customers processed"
