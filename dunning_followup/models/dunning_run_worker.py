# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Several cron workers on one run.

Odoo runs one ``ir.cron`` job in one thread at a time (the job's row is
locked while it runs), so a run worked by the daily cron alone uses one
thread of one server, however many servers there are.  To use more, the
run is fanned out over **worker crons**: "Follow-up workers" (Settings) is
N, the daily cron counts as the first worker and N - 1 more ``ir.cron``
records, ``dunning_followup.ir_cron_dunning_run_worker_2`` to ``_N``, call
:meth:`_cron_run_worker`.  They are made when the setting grows and
archived (kept, with their xml id) when it shrinks; their xml ids are
``noupdate`` so an update of the addon keeps them.

- The daily cron alone makes the day's run (:meth:`_cron_run`); each of its
  calls works one batch and, while more than a batch is left, triggers the
  worker crons (``ir.cron._trigger``) that have no pending trigger.
- A worker call works one batch of today's running cron run(s) and reports
  its own progress (``_notify_progress``); it never makes a run, and does
  nothing when no run is running.
- Every batch claims its customers with ``FOR NO KEY UPDATE SKIP LOCKED``
  and writes its own ``dunning.run.batch`` row, with the worker that did it
  (the cron's name, host and process, or the queue job's uuid): the
  batches never wait for each other, and the run's form shows them per
  worker.  The batch that finds nothing left closes the run
  (``_finish``: one transaction only, the others leave it).

Whichever cron thread is free takes a worker: two servers with one cron
thread each, or one server with ``--max-cron-threads=2``, work a run with
two workers.
"""

import os
import socket

from odoo import api, fields, models
from odoo.exceptions import ValidationError

WORKER_XMLID = "ir_cron_dunning_run_worker_%d"
MAX_WORKERS = 32


class DunningRun(models.Model):
    _inherit = "dunning.run"

    worker_count = fields.Integer(
        string="Workers", compute="_compute_worker_count", help="Batches by worker."
    )

    @api.depends("batch_ids.worker")
    def _compute_worker_count(self):
        for run in self:
            run.worker_count = len(set(run.batch_ids.mapped("worker")))

    def action_view_batches_by_worker(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Batches by worker"),
            "res_model": "dunning.run.batch",
            "view_mode": "list",
            "views": [
                (
                    self.env.ref("dunning_followup.dunning_run_batch_view_list").id,
                    "list",
                )
            ],
            "domain": [("run_id", "=", self.id)],
            "context": {"group_by": ["worker"]},
        }

    # -- the worker cron ----------------------------------------------------

    @api.model
    def _cron_run_worker(self):
        """A worker cron's call: one batch of today's running cron runs,
        the oldest first.  Never makes a run: the daily cron does, and
        triggers the workers.  :return: the customers left (an estimate)"""
        self = self.sudo()
        today = fields.Date.context_today(self)
        runs = self.search(
            [("trigger", "=", "cron"), ("date", "=", today), ("state", "=", "running")],
            order="id",
        )
        done = remaining = 0
        for run in runs:
            run = run.with_company(run.company_id)
            if not done:
                done = run._process_batch(run.company_id.dunning_batch_size)
            remaining += run._remaining_estimate()
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        if remaining:
            self._wake_cron_threads()
        return remaining

    @api.model
    def _wake_cron_threads(self):
        """Notify the servers' cron threads when this transaction commits.

        Odoo calls a job ten times in a pass, then leaves it ready and goes
        back to waiting for a notification, or for its minute's poll: a run
        of 40 batches would wait three minutes between passes.  A job that
        has work left notifies, so the next pass starts at once."""
        self.env.cr.postcommit.add(self.env["ir.cron"]._notifydb)

    @api.model
    def _worker_crons(self, active_only=True):
        """The worker crons (the daily cron not included) by their number,
        read from their xml ids."""
        data = (
            self.env["ir.model.data"]
            .sudo()
            .search_read(
                [
                    ("module", "=", "dunning_followup"),
                    ("model", "=", "ir.cron"),
                    ("name", "=like", "ir_cron_dunning_run_worker_%"),
                ],
                ["name", "res_id"],
            )
        )
        Cron = self.env["ir.cron"].sudo().with_context(active_test=False)
        crons = Cron.browse([row["res_id"] for row in data]).exists()
        numbers = {row["res_id"]: int(row["name"].rsplit("_", 1)[1]) for row in data}
        return {
            numbers[cron.id]: cron for cron in crons if cron.active or not active_only
        }

    @api.model
    def _trigger_workers(self):
        """Wake the active worker crons that have no trigger pending: one
        query for the triggers, one insert for those missing."""
        workers = self.env["ir.cron"].sudo().union(*self._worker_crons().values())
        if not workers:
            return workers
        pending = (
            self.env["ir.cron.trigger"]
            .sudo()
            .search([("cron_id", "in", workers.ids)])
            .mapped("cron_id")
        )
        for cron in workers - pending:
            cron._trigger()
        return workers - pending

    @api.model
    def _sync_worker_crons(self, count):
        """Make the run's workers ``count`` in all: the daily cron and
        ``count - 1`` worker crons, made or unarchived as needed; those
        beyond are archived (kept, with their xml id)."""
        if not 1 <= count <= MAX_WORKERS:
            raise ValidationError(
                self.env._(
                    "Follow-up workers must be between 1 and %(max)s.",
                    max=MAX_WORKERS,
                )
            )
        main = self.env.ref("dunning_followup.ir_cron_dunning_run").sudo()
        Data = self.env["ir.model.data"].sudo()
        existing = self._worker_crons(active_only=False)
        self.env["ir.cron"].sudo().union(
            *(
                cron
                for number, cron in existing.items()
                if number > count and cron.active
            )
        ).write({"active": False})
        for number in range(2, count + 1):
            cron = existing.get(number)
            if cron:
                if not cron.active:
                    cron.write({"active": True})
                continue
            cron = (
                self.env["ir.cron"]
                .sudo()
                .create(
                    {
                        "name": self.env._(
                            "Dunning: follow-up run, worker %(number)s",
                            number=number,
                        ),
                        "model_id": main.model_id.id,
                        "state": "code",
                        "code": "model._cron_run_worker()",
                        "user_id": main.user_id.id,
                        "interval_number": 1,
                        "interval_type": "days",
                        "nextcall": main.nextcall,
                        "priority": main.priority,
                        "active": True,
                    }
                )
            )
            Data.create(
                {
                    "module": "dunning_followup",
                    "name": WORKER_XMLID % number,
                    "model": "ir.cron",
                    "res_id": cron.id,
                    "noupdate": True,
                }
            )
        return self._worker_crons()

    # -- who did a batch ----------------------------------------------------

    def _worker_label(self):
        """Who works this batch: the queue job, else the cron (by name),
        and the host and process."""
        where = f"{socket.gethostname()}:{os.getpid()}"
        context = self.env.context
        if context.get("job_uuid"):
            return f"job {context['job_uuid']} ({where})"
        if context.get("cron_id"):
            cron = self.env["ir.cron"].sudo().browse(context["cron_id"])
            return f"{cron.name} ({where})"
        return where
