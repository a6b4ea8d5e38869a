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

- the claim marks each customer's state row with the run
  (``dunning_partner_state.run_id``) in the same statement that locks it.
  The mark is part of the batch's transaction: when the batch commits, the
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
import os
import socket
from collections import defaultdict
from datetime import timedelta

from psycopg2 import errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL
from odoo.tools.misc import format_date

from ..tools.levels import following_level, next_level

_logger = logging.getLogger(__name__)

# how long the cron waits before coming back to a run left unfinished
# (customers held by another transaction, a batch killed or rolled back)
RETRY_DELAY = timedelta(minutes=10)


class DunningRun(models.Model):
    _name = "dunning.run"
    _description = "Follow-up run"
    _order = "id desc"

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
        help="Empty: every customer of the company.",
    )
    forced_level_id = fields.Many2one(
        "dunning.level",
        string="Level",
        readonly=True,
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

    @api.model
    def _cron_run(self, batch_size=None):
        """Daily cron: one bounded batch per call for the first company that
        still has work today; the cron framework calls again while
        ``_notify_progress`` reports something remaining."""
        # A system job: it works for every company, whatever its user may see.
        self = self.sudo()
        today = fields.Date.context_today(self)
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
            done = run._process_batch(batch_size or company.dunning_batch_size)
            done_total += done
            remaining_total += run._remaining_estimate()
            # a run without customers is closed by its first batch; the
            # next company may still be worked in this call
            processed = processed or bool(run.partner_total)
        if remaining_total:
            self._schedule_retry()
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

    # -- candidates ---------------------------------------------------------

    def _open_lines_where(self):
        """Conditions of an open customer receivable line (aliases aml, move)."""
        return SQL(
            """aml.company_id = %(company)s
               AND aml.display_type = 'payment_term'
               AND aml.parent_state = 'posted'
               AND aml.reconciled IS NOT TRUE
               AND aml.amount_residual > 0
               AND move.move_type IN ('out_invoice', 'out_receipt')""",
            company=self.company_id.id,
        )

    def _partner_scope(self):
        if not self.partner_ids:
            return SQL("TRUE")
        return SQL(
            "move.commercial_partner_id = ANY(%s)",
            self.partner_ids.commercial_partner_id.ids,
        )

    def _open_moves_where(self):
        """Open customer invoices (alias move): the cheap pre-filter that the
        partial index ``account_move_dunning_open_partner_idx`` serves; the
        exact test is on the receivable lines (:meth:`_open_lines_where`)."""
        return SQL(
            """move.company_id = %(company)s
               AND move.move_type IN ('out_invoice', 'out_receipt')
               AND move.state = 'posted'
               AND move.payment_state IN ('not_paid', 'partial')""",
            company=self.company_id.id,
        )

    def _not_processed_where(self):
        """The customer of ``move`` is not marked as processed by this run.

        Its state row is read by the unique (customer, company) key and
        its run compared outside the look-up: a condition on ``run_id`` in
        the look-up lets the planner, on statistics taken before the run
        marked anything, walk every row the run marked, per invoice."""
        return SQL(
            """(SELECT st.run_id FROM dunning_partner_state st
                 WHERE st.partner_id = move.commercial_partner_id
                   AND st.company_id = %(company)s) IS DISTINCT FROM %(run)s""",
            company=self.company_id.id,
            run=self.id,
        )

    def _next_partner_ids(self, limit, after=0):
        """The next customers of the scope after ``after`` that this run has
        not processed yet (their state row is not marked with the run)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT move.commercial_partner_id
                  FROM account_move move
                 WHERE %(open)s AND %(scope)s
                   AND move.commercial_partner_id > %(after)s
                   AND %(not_processed)s
                 ORDER BY 1
                 LIMIT %(limit)s
                """,
                open=self._open_moves_where(),
                scope=self._partner_scope(),
                after=after,
                not_processed=self._not_processed_where(),
                limit=limit,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _unprocessed_partner_ids(self, limit, after=0):
        """The sweep: customers after ``after`` whose state row is not
        marked with this run and who still have open invoices in scope.

        Walks the company's state rows (which the run made for its whole
        scope when it started) rather than the open invoices: at the end
        of a run nearly every row is marked, and a marked row costs no
        look-up of invoices."""
        self.env.cr.execute(
            SQL(
                """
                SELECT st.partner_id
                  FROM dunning_partner_state st
                 WHERE st.company_id = %(company)s
                   AND st.partner_id > %(after)s
                   AND st.run_id IS DISTINCT FROM %(run)s
                   AND EXISTS (
                        SELECT 1 FROM account_move move
                         WHERE move.commercial_partner_id = st.partner_id
                           AND %(open)s AND %(scope)s
                        OFFSET 0)
                 ORDER BY st.partner_id
                 LIMIT %(limit)s
                """,
                company=self.company_id.id,
                after=after,
                run=self.id,
                open=self._open_moves_where(),
                scope=self._partner_scope(),
                limit=limit,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _count_remaining(self):
        self.ensure_one()
        if self.state != "running":
            return 0
        self.env.cr.execute(
            SQL(
                """
                SELECT COUNT(DISTINCT move.commercial_partner_id)
                  FROM account_move move
                 WHERE %(open)s AND %(scope)s
                   AND %(not_processed)s
                """,
                open=self._open_moves_where(),
                scope=self._partner_scope(),
                not_processed=self._not_processed_where(),
            )
        )
        return self.env.cr.fetchone()[0]

    def _remaining_estimate(self):
        """Customers left, without counting again after the first batch (a
        run that is still going reports at least one, so the cron returns)."""
        self.ensure_one()
        if self.state != "running":
            return 0
        if not self.partner_total:
            return self._count_remaining()
        return max(self.partner_total - self.partner_done, 1)

    def _claim_partners(self, partner_ids, limit=None):
        """Claim up to ``limit`` of these customers for this run: lock their
        state rows and mark them with the run, in one statement.  Rows
        another transaction holds are skipped (not marked: they stay due),
        as are rows already processed by this run.

        A row that another transaction of this run claimed and committed
        after this transaction began cannot be locked here ("could not
        serialize access"): the whole window is then left for a later
        batch, which sees it processed."""
        State = self.env["dunning.partner.state"].sudo()
        State._ensure(partner_ids, self.company_id.id)
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        """
                        UPDATE dunning_partner_state st SET run_id = %(run)s
                          FROM (SELECT id FROM dunning_partner_state
                                 WHERE company_id = %(company)s
                                   AND partner_id = ANY(%(partners)s)
                                   AND run_id IS DISTINCT FROM %(run)s
                                 ORDER BY partner_id
                                 LIMIT %(limit)s
                                   FOR NO KEY UPDATE SKIP LOCKED) claim
                         WHERE st.id = claim.id
                        RETURNING st.partner_id
                        """,
                        run=self.id,
                        company=self.company_id.id,
                        partners=list(partner_ids),
                        limit=limit or len(partner_ids),
                    )
                )
                claimed = sorted(row[0] for row in self.env.cr.fetchall())
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as exc:
            _logger.info("run %s: customers claimed meanwhile: %s", self.id, exc)
            return []
        State.invalidate_model(["run_id"])
        return claimed

    def _claim_batch(self, batch_size):
        """Claim the customers of the next batch.

        Walks forward from the run's cursor; when nothing is left ahead,
        sweeps the scope from the start once for customers the run has not
        processed (held by another transaction before, or whose batch was
        rolled back).

        :return: ``(claimed, busy, cursor)``: the customers claimed, those
            found held by another transaction, and how far the walk went
        """
        cursor = after = self.last_partner_id
        claimed, busy, swept = [], set(), False
        while len(claimed) < batch_size:
            if swept:
                candidates = self._unprocessed_partner_ids(batch_size, after)
            else:
                candidates = self._next_partner_ids(batch_size, after)
            if not candidates:
                if swept:
                    break
                after, swept = 0, True
                continue
            wanted = batch_size - len(claimed)
            got = self._claim_partners(candidates, limit=wanted)
            claimed += got
            if len(got) < wanted:
                # every candidate not claimed was held by another transaction
                busy.update(set(candidates) - set(got))
                after = candidates[-1]
            else:
                after = got[-1]
            if not swept:
                cursor = max(cursor, after)
        busy.difference_update(claimed)
        return claimed, sorted(busy), cursor

    def _fetch_open_lines(self, partner_ids):
        """Every open receivable line of these customers, in one query.

        The query walks from the batch's customers to their open invoices
        (partial index), to the receivable lines (``move_id`` index) and to
        the level reached (unique key of the follow-up items), each step a
        ``LATERAL`` subquery fenced by ``OFFSET 0`` so the planner cannot
        turn it into a hash join over a whole table: the statistics of the
        state and follow-up tables are stale while a run fills them, and a
        join estimated on them scanned all 20,000 states (or all receivable
        lines) once per batch.  The cost stays proportional to the batch.
        """
        self.env.cr.execute(
            SQL(
                """
                SELECT aml.id, aml.move_id, move.commercial_partner_id,
                       aml.date_maturity, aml.amount_residual, aml.currency_id,
                       cur.level_id AS dunning_level_id,
                       (move.dunning_excluded
                        AND (move.dunning_excluded_until IS NULL
                             OR move.dunning_excluded_until >= %(date)s)) AS excluded,
                       st.last_notice_date,
                       pend.pending IS NOT NULL AS pending
                  FROM unnest(%(partners)s::int[]) AS batch(partner_id)
                  JOIN LATERAL (
                        SELECT move.id, move.commercial_partner_id, move.move_type,
                               move.dunning_excluded, move.dunning_excluded_until
                          FROM account_move move
                         WHERE move.commercial_partner_id = batch.partner_id
                           AND %(open_moves)s
                        OFFSET 0) move ON TRUE
                  JOIN LATERAL (
                        SELECT aml.id, aml.move_id, aml.date_maturity,
                               aml.amount_residual, aml.currency_id
                          FROM account_move_line aml
                         WHERE aml.move_id = move.id AND %(open)s
                        OFFSET 0) aml ON TRUE
                  LEFT JOIN LATERAL (%(level)s) cur ON TRUE
                  -- a notice of the line not gone out yet (to review,
                  -- failed): its items by the (line, level) key, then
                  -- each notice by its id, both fenced (else a first run,
                  -- whose notices all wait, reads all of them per line)
                  LEFT JOIN LATERAL (
                        SELECT TRUE AS pending
                          FROM (SELECT dal.action_id FROM dunning_action_line dal
                                 WHERE dal.move_line_id = aml.id
                                OFFSET 0) dal
                          JOIN LATERAL (
                                SELECT 1 FROM dunning_action act
                                 WHERE act.id = dal.action_id
                                   AND act.state IN ('to_review', 'failed')
                                OFFSET 0) act ON TRUE
                         LIMIT 1) pend ON TRUE
                  LEFT JOIN dunning_partner_state st
                    ON st.partner_id = batch.partner_id
                   AND st.company_id = %(company)s
                 ORDER BY move.commercial_partner_id, aml.date_maturity, aml.id
                """,
                date=self.date,
                company=self.company_id.id,
                open=self._open_lines_where(),
                open_moves=self._open_moves_where(),
                partners=partner_ids,
                level=self.env["dunning.action.line"]._highest_level_sql(
                    "move_line_id", SQL("aml.id")
                ),
            )
        )
        return self.env.cr.dictfetchall()

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
        lines = self._fetch_open_lines(claimed)
        plans, skipped, next_dates = self._plan(claimed, lines)
        actions = self._create_actions(plans)
        if self.env.context.get("dunning_plan_only"):
            auto = actions.browse()
        else:
            auto = actions.filtered(
                lambda a: a.level_id.auto_execute or self.execute_all
            )
        if auto:
            # the notices refresh the state as they go: they see the dates
            self._set_next_action_dates(next_dates)
        done = auto._execute() if auto else auto
        self.env["dunning.partner.state"].sudo()._refresh(
            claimed, self.company_id.id, self.date, next_dates=next_dates
        )
        self._record_batch(claimed, busy, cursor, actions, auto, done, skipped)
        if len(claimed) < batch_size and not busy:
            # the walk and the sweep found nothing more: the run is over
            self._finish()
        return len(claimed)

    def _record_batch(self, claimed, busy, cursor, actions, auto, done, skipped):
        """What the batch did, as a row of its own (see dunning.run.batch)."""
        failed = auto - done
        notes = [
            self.env._(
                "%(action)s failed: %(reason)s",
                action=action.name,
                reason=action.failure_reason,
            )
            for action in failed
        ]
        if busy:
            notes.append(
                self.env._(
                    "%(count)s customers were being processed by another "
                    "transaction: they stay due and are taken up again.",
                    count=len(busy),
                )
            )
        self.env["dunning.run.batch"].sudo().create(
            {
                "run_id": self.id,
                "worker": f"{socket.gethostname()}:{os.getpid()}",
                "last_partner_id": cursor,
                "partner_count": len(claimed),
                "action_count": len(actions),
                "email_count": len(done.filtered("message_id")),
                "letter_count": len(done.filtered("letter_attachment_id")),
                "activity_count": len(done.filtered("activity_id")),
                "review_count": len(actions - auto),
                "failed_count": len(failed),
                "skipped_count": skipped,
                "busy_count": len(busy),
                "note": "\n".join(notes) or False,
            }
        )

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
        When another transaction is closing it at the same moment, it is
        left to that one."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM dunning_run WHERE id = %s FOR NO KEY UPDATE NOWAIT",
                    [self.id],
                )
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            return
        self.write({"state": "done", "log": self._append_log(self._summary())})

    def _get_partner_policies(self, partner_ids):
        """Policy of each customer (its own, else the company default)."""
        partners = (
            self.env["res.partner"].with_company(self.company_id).browse(partner_ids)
        )
        default = self.env["dunning.policy"]._get_company_default(self.company_id)
        return {p.id: (p.sudo().dunning_policy_id or default) for p in partners}

    def _plan(self, partner_ids, lines):
        """Decide the actions of a batch.

        :return: ``(plans, skipped, next_dates)`` where ``plans`` is a list of
            ``(partner_id, level, [(line, level), ...])``, ``skipped`` the number
            of customers held back by tolerance, minimum amount or interval,
            and ``next_dates`` maps customers to the next date something is due
        """
        policies = self._get_partner_policies(partner_ids)
        memos = {}
        by_partner = defaultdict(list)
        for line in lines:
            by_partner[line["commercial_partner_id"]].append(line)
        ladders = {}
        plans, next_dates, skipped = [], {}, 0
        for partner_id in partner_ids:
            policy = policies.get(partner_id)
            if not policy:
                continue
            if policy.id not in ladders:
                levels = policy.level_ids
                ladders[policy.id] = (
                    levels,
                    levels._as_ladder(),
                    {lvl.id: lvl for lvl in levels},
                )
            levels, ladder, by_id = ladders[policy.id]
            plan = self._plan_partner(
                policy,
                ladder,
                by_id,
                by_partner.get(partner_id, []),
                memo=memos.setdefault(policy.id, {}),
            )
            if plan is None:
                continue
            items, next_date, held = plan
            next_dates[partner_id] = next_date
            if held:
                skipped += 1
                continue
            if items:
                top = max(
                    (lvl for _line, lvl in items), key=lambda lvl: (lvl.days, lvl.id)
                )
                plans.append((partner_id, top, items))
        return plans, skipped, next_dates

    def _plan_partner(self, policy, ladder, by_id, lines, memo=None):
        """Levels reached today by the lines of one customer.

        :param memo: a dict kept for the customers of the same policy, in
            which the ladder's answers are remembered

        :return: ``(items, next_date, held)``
        """
        date = self.date
        forced = self.forced_level_id
        mode = policy.level_mode
        # the ladder's answers depend on (days late, level reached) only:
        # remembered per policy for the batch, as thousands of lines share them
        memo = {} if memo is None else memo
        items = []
        next_date = None
        for line in lines:
            if line["excluded"]:
                continue
            if line["pending"] and not forced:
                # its notice has not gone out (to review, or failed): the
                # next level waits until it is sent or cancelled
                continue
            late = (date - line["date_maturity"]).days
            current = (
                line["dunning_level_id"] if line["dunning_level_id"] in by_id else None
            )
            key = (late, current)
            if key not in memo:
                found = None if forced else next_level(ladder, late, current, mode)
                reached = found.id if found else current
                following = following_level(ladder, late, reached)
                memo[key] = (
                    found.id if found else None,
                    following.days if following else None,
                )
            found_id, following_days = memo[key]
            if forced:
                level = forced if forced.id in by_id else None
                if level and current and by_id[current].days >= level.days:
                    level = None
                if level:
                    following = following_level(ladder, late, level.id)
                    following_days = following.days if following else None
            else:
                level = by_id[found_id] if found_id else None
            if level:
                items.append((line, level))
            # when does this line reach its next level?
            if following_days is not None:
                due = line["date_maturity"] + timedelta(days=following_days)
                next_date = min(next_date, due) if next_date else due
        last_notice = lines[0]["last_notice_date"] if lines else None
        if items and last_notice and not forced:
            earliest = last_notice + timedelta(days=policy.min_interval_days)
            if date < earliest:
                return [], max(next_date or earliest, earliest), True
        if items:
            amount = sum(line["amount_residual"] for line, _lvl in items)
            top = max((lvl for _line, lvl in items), key=lambda lvl: (lvl.days, lvl.id))
            if not self.forced_level_id and (
                amount < policy.tolerance or amount < top.min_amount
            ):
                return [], next_date, True
        return items, next_date, False

    def _prepare_action_vals(self, partner_id, level, items):
        """Values of the action of one customer; an extension hook."""
        return {
            "partner_id": partner_id,
            "company_id": self.company_id.id,
            "run_id": self.id,
            "level_id": level.id,
            "date": self.date,
            "amount_due": sum(line["amount_residual"] for line, _lvl in items),
            "send_email": level.send_email,
            "send_letter": level.send_letter,
            "attach_statement": level.attach_statement,
            "activity_type_id": level.activity_type_id.id,
            "state": "to_review",
        }

    def _create_actions(self, plans):
        """Create the actions and their (line, level) keys in bulk.

        Keys that already exist (another run, a rerun after a crash) are
        dropped by the unique index; an action left without any key is
        removed, so nothing is applied twice.
        """
        Action = self.env["dunning.action"].sudo()
        if not plans:
            return Action
        actions = self._insert_actions(
            [
                self._prepare_action_vals(partner, level, items)
                for partner, level, items in plans
            ]
        )
        Action.flush_model()
        rows = []
        for action, (_partner, _level, items) in zip(actions, plans, strict=True):
            for line, level in items:
                rows.append(
                    (
                        action.id,
                        line["id"],
                        level.id,
                        line["move_id"],
                        line["date_maturity"],
                        (self.date - line["date_maturity"]).days,
                        line["amount_residual"],
                    )
                )
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO dunning_action_line
                       (action_id, move_line_id, level_id, move_id,
                        date_maturity, days_late, amount_residual)
                SELECT r.action_id, r.move_line_id, r.level_id, r.move_id,
                       r.date_maturity, r.days_late, r.amount_residual
                  FROM unnest(%(action)s::int[], %(line)s::int[], %(level)s::int[],
                              %(move)s::int[], %(maturity)s::date[],
                              %(late)s::int[], %(amount)s::numeric[])
                       AS r(action_id, move_line_id, level_id, move_id,
                            date_maturity, days_late, amount_residual)
                ON CONFLICT (move_line_id, level_id) DO NOTHING
                RETURNING action_id, move_line_id, level_id, move_id
                """,
                action=[r[0] for r in rows],
                line=[r[1] for r in rows],
                level=[r[2] for r in rows],
                move=[r[3] for r in rows],
                maturity=[r[4] for r in rows],
                late=[r[5] for r in rows],
                amount=[r[6] for r in rows],
            )
        )
        inserted = self.env.cr.fetchall()
        kept_ids = {row[0] for row in inserted}
        orphans = actions.filtered(lambda a: a.id not in kept_ids)
        if orphans:
            orphans.unlink()
            actions -= orphans
        if inserted:
            # the line and its invoice climb to the level reached: both read
            # it from the items just inserted (see dunning.action.line)
            self.env["account.move.line"].invalidate_model(["dunning_level_id"])
            self.env["account.move"].invalidate_model(["dunning_level_id"])
        self.env["dunning.action.line"].invalidate_model()
        if actions:
            self.env["dunning.action"].invalidate_model(["line_ids"])
        return actions.sudo(False)

    # what _insert_actions writes with plain SQL; other values (an
    # extension's _prepare_action_vals, a default of an added field) make
    # it fall back to the ORM
    _BULK_ACTION_COLUMNS = {
        "partner_id": "int4",
        "company_id": "int4",
        "run_id": "int4",
        "level_id": "int4",
        "date": "date",
        "amount_due": "numeric",
        "send_email": "bool",
        "send_letter": "bool",
        "attach_statement": "bool",
        "activity_type_id": "int4",
        "state": "varchar",
    }

    def _insert_actions(self, vals_list):
        """``dunning.action.create(vals_list)`` in one ``INSERT``.

        The ORM's create costs about 0.3 s for a batch of 500 actions, mostly
        converting each monetary value through a new record of its currency;
        these values are plain, so they go straight to the table, and the
        ORM is told (:meth:`~odoo.models.BaseModel.modified`) so that stored
        computed fields (the name, the policy) and their dependents follow.
        """
        Action = self.env["dunning.action"].sudo()
        columns = self._BULK_ACTION_COLUMNS
        stored = [
            name
            for name, field in Action._fields.items()
            if field.store
            and field.column_type
            and not field.compute
            and name not in models.MAGIC_COLUMNS
        ]
        defaults = Action.default_get(stored)
        if any(set(vals) - set(columns) for vals in vals_list) or set(defaults) - set(
            columns
        ):
            return Action.create(vals_list)
        vals_list = [{**defaults, **vals} for vals in vals_list]
        # the two stored computed fields of an action, computed here rather
        # than by an UPDATE of the rows just inserted
        levels = self.env["dunning.level"].browse({v["level_id"] for v in vals_list})
        partners = self.env["res.partner"].browse({v["partner_id"] for v in vals_list})
        partners.fetch(["name"])
        for vals in vals_list:
            level = levels.browse(vals["level_id"])
            vals["name"] = Action._name_for(level, partners.browse(vals["partner_id"]))
            vals["policy_id"] = level.policy_id.id
        columns = {**columns, "name": "varchar", "policy_id": "int4"}
        currency = self.company_id.currency_id
        arrays = {}
        for name in columns:
            field = Action._fields[name]
            values = [vals.get(name) for vals in vals_list]
            if field.type == "many2one":
                values = [value or None for value in values]
            elif field.type == "boolean":
                values = [bool(value) for value in values]
            elif field.type == "monetary":
                values = [currency.round(value or 0.0) for value in values]
            else:
                values = [value or None for value in values]
            arrays[name] = values
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO dunning_action (%(names)s, create_uid, write_uid,
                                            create_date, write_date)
                SELECT *, %(uid)s, %(uid)s, now() at time zone 'UTC',
                       now() at time zone 'UTC'
                  FROM unnest(%(arrays)s)
                RETURNING id
                """,
                names=SQL(", ").join(SQL.identifier(name) for name in columns),
                uid=self.env.uid,
                arrays=SQL(", ").join(
                    SQL("%s::%s[]", arrays[name], SQL(kind))
                    for name, kind in columns.items()
                ),
            )
        )
        actions = Action.browse([row[0] for row in self.env.cr.fetchall()])
        # one2many fields already in the cache (a run's actions) do not know
        # the new records: drop them; then, as the ORM's create, mark the
        # stored computed fields (name, policy) and whatever depends on actions
        for name in columns:
            field = Action._fields[name]
            for inverse in self.pool.field_inverses[field]:
                self.env[inverse.model_name].invalidate_model([inverse.name])
        protected = [Action._fields["name"], Action._fields["policy_id"]]
        with self.env.protecting(protected, actions):
            actions.modified(list(Action._fields), create=True)
        return actions

    def _set_next_action_dates(self, next_dates):
        if not next_dates:
            return
        self.env.cr.execute(
            SQL(
                """
                UPDATE dunning_partner_state st SET next_action_date = r.d
                  FROM unnest(%(partners)s::int[], %(dates)s::date[]) AS r(p, d)
                 WHERE st.partner_id = r.p AND st.company_id = %(company)s
                """,
                partners=list(next_dates),
                dates=list(next_dates.values()),
                company=self.company_id.id,
            )
        )
        self.env["dunning.partner.state"].invalidate_model(["next_action_date"])

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
