# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from psycopg2 import errors

from odoo import api, fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools.misc import format_date

# how long the cron waits before coming back to a run left unfinished
# (customers held by another transaction, a batch killed or rolled back)
RETRY_DELAY = timedelta(minutes=10)


class DunningRun(models.Model):
    """The daily cron: one run per company and day, one batch per call,
    stale runs of previous days closed, a retry trigger for busy ones."""

    _inherit = "dunning.run"

    @api.model
    def _cron_run(self, batch_size=None):
        """Daily cron: one bounded batch per call for the first company that
        still has work today; the cron framework calls again while
        ``_notify_progress`` reports something remaining.  While work is
        left it triggers the worker crons (see dunning_run_worker.py); with
        queue_job it enqueues the batches instead (dunning_run_queue.py)."""
        # A system job: it works for every company, whatever its user may see.
        self = self.sudo()
        today = fields.Date.context_today(self)
        channel = self._queue_job_channel()
        companies = self.env["res.company"].search([])
        remaining_total = 0
        done_total = 0
        processed = False
        for company in companies:
            self._close_stale_runs(company, today)
            run = self.search(
                [
                    ("company_id", "=", company.id),
                    ("trigger", "=", "cron"),
                    ("date", "=", today),
                ],
                limit=1,
            )
            if run and run.state != "running":
                continue
            if not run:
                run = self._create_cron_run(company, today)
                if not run:
                    remaining_total += 1
                    continue
            if processed and run.partner_total:
                remaining_total += run._remaining_estimate()
                continue
            run = run.with_company(company)
            if channel:
                run._enqueue_batches(channel, batch_size or company.dunning_batch_size)
                remaining_total += run._remaining_estimate()
                continue
            done = run._process_batch(batch_size or company.dunning_batch_size)
            done_total += done
            remaining_total += run._remaining_estimate()
            # a run without customers is closed by its first batch; the
            # next company may still be worked in this call
            processed = processed or bool(run.partner_total)
        if remaining_total:
            self._schedule_retry()
            if not channel:
                self._trigger_workers()
                self._wake_cron_threads()
        self.env["ir.cron"]._notify_progress(done=done_total, remaining=remaining_total)
        return remaining_total

    @api.model
    def _create_cron_run(self, company, today):
        """Today's cron run of ``company``, made by one process only.

        Two processes calling the cron at once would both make a run (each
        sees none) and chase every customer twice.  The one that does not
        get the company's advisory lock leaves the company for its next call
        rather than wait; one that gets it after the other committed is
        stopped by the unique (company, date) index of cron runs.
        :return: the run, or an empty recordset when another process is
            making it
        """
        self.env.cr.execute(
            "SELECT pg_try_advisory_xact_lock(hashtext('dunning.run.cron'), %s)",
            [company.id],
        )
        if not self.env.cr.fetchone()[0]:
            return self.browse()
        try:
            with self.env.cr.savepoint():
                return self.with_company(company).create(
                    {"company_id": company.id, "trigger": "cron", "date": today}
                )
        except (errors.UniqueViolation, *PG_CONCURRENCY_EXCEPTIONS_TO_RETRY):
            return self.browse()

    @api.model
    def _schedule_retry(self):
        """Make sure the daily cron comes back today for the unfinished run.

        Odoo reschedules a job that reported no progress (every customer
        left held by another transaction) or that was killed three times in
        a row for its next interval, the next day; a trigger a few minutes
        ahead, committed with the batch, brings it back the same day."""
        cron = self.env.ref("dunning_followup.ir_cron_dunning_run", False)
        if not cron:
            return
        Trigger = self.env["ir.cron.trigger"].sudo()
        now = fields.Datetime.now()
        if not Trigger.search_count(
            [("cron_id", "=", cron.id), ("call_at", ">", now)], limit=1
        ):
            cron.sudo()._trigger(now + RETRY_DELAY)

    @api.model
    def _close_stale_runs(self, company, today):
        """Runs of a previous day still running (killed, never resumed) are
        closed as interrupted: today's run chases their customers."""
        stale = self.search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "running"),
                ("date", "<", today),
            ]
        )
        if stale:
            stale._interrupt(
                self.env._(
                    "Interrupted: not finished on its day; the run of %(today)s "
                    "takes its customers over.",
                    today=format_date(self.env, today),
                )
            )
