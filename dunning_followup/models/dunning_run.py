# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The follow-up run: which customers reach which level today.

A run works through the customers of one company in bounded batches.  Each
batch is one transaction that:

1. claims the customers' state rows (``FOR NO KEY UPDATE SKIP LOCKED``), so a
   cron and a wizard running at the same moment split the customers between
   them instead of both chasing the same one;
2. reads every open receivable line of the batch in **one** query;
3. decides, in plain Python (:mod:`..tools.levels`), the level each line
   reaches today; an installment whose last notice has not gone out (to
   review, or failed) reaches no higher level until that notice is sent
   or cancelled, so a failure never makes the customer skip a level;
4. writes the actions in bulk and the (line, level) keys with
   ``ON CONFLICT DO NOTHING`` against the unique index: whatever crashed or
   ran before, a level is never applied twice to the same installment;
5. executes the channels of automatic levels and refreshes the customers'
   state.

The number of queries of steps 1-4 depends on the number of batches, not on
the number of invoices.  A crash rolls back the current batch only.

Progress lives with the customers, not on the run
-------------------------------------------------
Several transactions may work one run at once: the cron, "Process now" on
the same run, a second cron worker.  So that none of them loses a customer
or fails on another's update:

- the claim locks each customer's state row; the batch marks it with the
  run (``dunning_partner_state.run_id``) when it writes the customer's
  figures, the batch's last write.  The mark is part of the batch's
  transaction: when the batch commits, the
  customer is processed for this run; when it is rolled back (a crash, a
  serialization failure, a kill), the mark goes with it and the customer is
  still due.  A customer held by another transaction (``SKIP LOCKED``) is
  not marked and is not counted: the run goes on with the next ones and
  comes back for it.
- a batch walks forward from the highest customer any batch of the run
  looked at (a cursor that only makes the walk cheap); when nothing is left
  ahead, it sweeps the run's scope once more for customers not marked with
  the run (those that were busy, or whose batch was rolled back).  The run
  is done only when that sweep finds none; while some are still held by
  another transaction it stays running, and the cron has its own retry
  trigger (:meth:`_schedule_retry`) to come back for them.
- a batch writes its figures as a new row of ``dunning.run.batch`` (an
  insert: never an update two batches could fight over); the run's
  counters are the sums of its batches.  Only the end of the run (and its
  interruption) writes the run's own row.
- the customers' state rows are created for the whole scope when the run
  starts (one statement), so the batches do not insert them: two batches
  inserting the same missing row would wait on each other and fail with
  "could not serialize access".

A run left running from a previous day (its process killed again and
again, its cron rescheduled for the next day by Odoo) is closed as
``interrupted`` by the next day's cron, which makes a new run that covers
every customer still due; a manager sees it in the list and may delete it.
"""

import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class DunningRun(models.Model):
    _name = "dunning.run"
    _description = "Follow-up run"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, default="/", copy=False)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    date = fields.Date(required=True, readonly=True, default=fields.Date.context_today)
    trigger = fields.Selection(
        [("cron", "Scheduled"), ("manual", "Manual")],
        required=True,
        default="manual",
        readonly=True,
    )
    user_id = fields.Many2one(
        "res.users", readonly=True, default=lambda self: self.env.user
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        readonly=True,
        check_company=True,
        help="Empty: every customer of the company.",
    )
    forced_level_id = fields.Many2one(
        "dunning.level",
        string="Level",
        readonly=True,
        check_company=True,
        help="Set by the wizard: apply this level instead of the one the days call for.",
    )
    execute_all = fields.Boolean(
        readonly=True, help="Execute every action at once, even of levels to review."
    )
    state = fields.Selection(
        [
            ("running", "Running"),
            ("done", "Done"),
            ("interrupted", "Interrupted"),
            ("failed", "Failed"),
        ],
        required=True,
        default="running",
        index=True,
        readonly=True,
    )
    batch_ids = fields.One2many("dunning.run.batch", "run_id", string="Batches")
    last_partner_id = fields.Integer(compute="_compute_counters")
    partner_total = fields.Integer(string="Customers to process", readonly=True)
    partner_done = fields.Integer(
        string="Customers processed", compute="_compute_counters"
    )
    action_count = fields.Integer(
        string="Number of actions", compute="_compute_counters"
    )
    email_count = fields.Integer(string="E-mails", compute="_compute_counters")
    letter_count = fields.Integer(string="Letters", compute="_compute_counters")
    activity_count = fields.Integer(string="Activities", compute="_compute_counters")
    review_count = fields.Integer(string="To review", compute="_compute_counters")
    failed_count = fields.Integer(string="Failed", compute="_compute_counters")
    skipped_count = fields.Integer(
        string="Skipped",
        compute="_compute_counters",
        help="Customers under tolerance or interval.",
    )
    action_ids = fields.One2many("dunning.action", "run_id", string="Actions")
    log = fields.Text(readonly=True)

    _COUNTERS = {
        "partner_done": "partner_count",
        "action_count": "action_count",
        "email_count": "email_count",
        "letter_count": "letter_count",
        "activity_count": "activity_count",
        "review_count": "review_count",
        "failed_count": "failed_count",
        "skipped_count": "skipped_count",
    }

    @api.depends(
        "batch_ids.last_partner_id",
        *(f"batch_ids.{name}" for name in _COUNTERS.values()),
    )
    def _compute_counters(self):
        for run in self:
            batches = run.batch_ids
            for name, column in self._COUNTERS.items():
                run[name] = sum(batches.mapped(column))
            run.last_partner_id = max(batches.mapped("last_partner_id"), default=0)

    def init(self):
        res = super().init()
        # one cron run per company and day (see _create_cron_run)
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS dunning_run_cron_day_uniq
                ON dunning_run (company_id, date) WHERE trigger = 'cron'
            """
        )
        return res

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("dunning.run") or "/"
                )
        runs = super().create(vals_list)
        for run in runs:
            run._start()
        return runs

    def _start(self):
        """Create the state rows of every customer in the run's scope (one
        statement, in the transaction that creates the run: the batches then
        only lock existing rows) and count the customers to process."""
        self.ensure_one()
        self._flush_before_sql()
        if self._visits_changes_only():
            self.partner_total = self._start_visits()
            return
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT move.commercial_partner_id
                  FROM account_move move
                 WHERE %(open)s AND %(scope)s
                """,
                open=self._open_moves_where(),
                scope=self._partner_scope(),
            )
        )
        partner_ids = [row[0] for row in self.env.cr.fetchall()]
        self.env["dunning.partner.state"].sudo()._ensure(
            partner_ids, self.company_id.id
        )
        self.partner_total = len(partner_ids)

    # -- entry points -------------------------------------------------------

    def _interrupt(self, reason):
        for run in self.filtered(lambda r: r.state == "running"):
            summary = run._summary()
            run.write(
                {
                    "state": "interrupted",
                    "log": run._append_log(f"{reason} {summary}"),
                }
            )

    def action_interrupt(self):
        """Button: close a running run that no process finishes (a manager
        may then delete it); its customers stay due for the next run."""
        if not self.env.user.has_group("dunning_followup.group_dunning_manager"):
            raise AccessError(
                self.env._("Only a follow-up manager can close a running run.")
            )
        self._interrupt(
            self.env._("Closed by %(user)s.", user=self.env.user.display_name)
        )
        return True

    def action_process(self):
        """Process every batch of these runs in the current transaction
        (wizard, tests and "Process now"; the cron goes one batch per call).

        Stops, leaving the run running, when the customers left are all held
        by another transaction: that one processes them, or they are taken
        up again by the cron's next call."""
        busy_runs = self.browse()
        for run in self:
            run = run.with_company(run.company_id)
            while run.state == "running":
                if not run._process_batch(run.company_id.dunning_batch_size):
                    if run.state == "running":
                        busy_runs |= run
                    break
        if busy_runs and not self.env.context.get("dunning_plan_only"):
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "warning",
                    "message": self.env._(
                        "Some customers of %(runs)s are being processed by "
                        "another transaction right now: the run stays open "
                        "and takes them up when they are free.",
                        runs=", ".join(busy_runs.mapped("name")),
                    ),
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        return True

    # -- the batch ----------------------------------------------------------

    def _process_batch(self, batch_size):
        """Process the next ``batch_size`` customers; return how many."""
        self.ensure_one()
        if self.state != "running":
            return 0
        self._flush_before_sql()
        claimed, busy, cursor = self._claim_batch(batch_size)
        if busy and self.trigger == "manual" and self.partner_ids:
            # A person waits for this one: tell them rather than skip silently.
            raise UserError(
                self.env._(
                    "Another follow-up run is processing %(partners)s right now; "
                    "try again in a minute.",
                    partners=", ".join(
                        self.env["res.partner"].browse(busy).mapped("display_name")
                    ),
                )
            )
        if not claimed:
            if not busy:
                self._finish()
            return 0
        # The batch's statements walk indexes from its few hundred customers:
        # compiling them never pays off.  But statistics taken while a run
        # fills the follow-up tables (an install, a first run) can make the
        # planner estimate such a walk at millions of rows, past PostgreSQL's
        # JIT thresholds, and each statement would then spend a second
        # compiling.  Off for this transaction only.
        self.env.cr.execute("SET LOCAL jit = off")
        lines = self._fetch_open_lines(claimed)
        plans, skipped, next_dates = self._plan(claimed, lines)
        actions = self._create_actions(plans)
        if self.env.context.get("dunning_plan_only"):
            auto = actions.browse()
        else:
            auto = actions.filtered(
                lambda a: a.level_id.auto_execute or self.execute_all
            )
        # sent on the run's day
        auto = auto.with_context(dunning_sending_date=self.date)
        done = auto._execute(refresh_states=False) if auto else auto
        self.env["dunning.partner.state"].sudo()._refresh(
            claimed,
            self.company_id.id,
            self.date,
            next_dates=next_dates,
            run=self,
            lines=self._lines_still_open(claimed, lines, auto),
        )
        self._record_batch(claimed, busy, cursor, actions, auto, done, skipped)
        if len(claimed) < batch_size and not busy:
            # the walk and the sweep found nothing more: the run is over
            self._finish()
        return len(claimed)

    def _lines_still_open(self, partner_ids, lines, executed):
        """``{customer: [rows]}``: the open installments read at the start of
        the batch, of the customers whose invoices are as they were then.

        The batch's transaction sees the snapshot it read them from plus
        its own writes, and only an executed notice writes invoices (a
        late-fee invoice): the customers of ``executed`` are left out, for
        the refresh to read again."""
        changed = set(executed.partner_id.ids)
        known = {pid: [] for pid in partner_ids if pid not in changed}
        for line in lines:
            rows = known.get(line["commercial_partner_id"])
            if rows is not None:
                rows.append(line)
        return known

    def _flush_before_sql(self):
        for model in (
            "account.move",
            "account.move.line",
            "dunning.partner.state",
            "dunning.action",
            "dunning.action.line",
        ):
            self.env[model].flush_model()

    def _append_log(self, text, log=None):
        log = log if log is not None else (self.log or "")
        return (log + "\n" if log else "") + text

    def _summary(self):
        return self.env._(
            "%(partners)s customers processed, %(actions)s actions "
            "(%(emails)s e-mails, %(letters)s letters, %(activities)s activities, "
            "%(review)s to review, %(failed)s failed).",
            partners=self.partner_done,
            actions=self.action_count,
            emails=self.email_count,
            letters=self.letter_count,
            activities=self.activity_count,
            review=self.review_count,
            failed=self.failed_count,
        )

    def _finish(self):
        """Close the run: the only write of a batch on the run's own row.
        When another transaction is closing it at the same moment (two
        workers reaching the end together), or closed it since this
        transaction began, it is left to that one.

        :return: whether this transaction closed the run; an override
            writes on the run only when it did
        """
        self.ensure_one()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM dunning_run WHERE id = %s FOR NO KEY UPDATE NOWAIT",
                    [self.id],
                )
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            return False
        self.write({"state": "done", "log": self._append_log(self._summary())})
        return True

    def action_view_actions(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Follow-up actions"),
            "res_model": "dunning.action",
            "view_mode": "list,form",
            "domain": [("run_id", "=", self.id)],
        }

    @api.ondelete(at_uninstall=False)
    def _unlink_except_started(self):
        if any(run.state == "running" and run.partner_done for run in self):
            raise UserError(
                self.env._(
                    "A run that has started cannot be deleted while it is "
                    "running: close it first."
                )
            )
