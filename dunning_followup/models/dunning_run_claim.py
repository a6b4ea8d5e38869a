# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class DunningRun(models.Model):
    """Which customers a batch works: the walk and the sweep of the run's
    scope, the claim of their state rows, and the batch's own row."""

    _inherit = "dunning.run"

    move_watermark = fields.Integer(
        readonly=True,
        help="Highest journal entry id when the daily run started: the next "
        "one looks for customers without a follow-up state among newer "
        "entries only.",
    )

    # -- the daily run: the customers that can have something new -----------

    def _visits_changes_only(self):
        """Whether this run visits only the customers that can have something
        new on its date (``dunning.partner.state._visit_domain``): the daily
        run over a whole company, scheduled or started by "Run follow-up
        now".  A manual run (the wizard, chosen customers) keeps its scope:
        every customer with an open invoice in it."""
        self.ensure_one()
        return self.trigger == "cron" and not self.partner_ids

    def _start_visits(self):
        """Start a daily run: give a state row (marked changed) to the
        customers with an open invoice who have none (never processed: the
        first run, invoices posted before the addon was installed or by
        plain SQL), bring the days late of every customer to the run's
        date, and count the customers to visit.

        Posting an invoice marks its customer (``account.move.write``); the
        look-up of customers without a row is the safety net for what
        bypasses the ORM, over the entries made since the previous daily
        run started (the primary key's range), all of them the first time.
        """
        self.env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM account_move")
        self.move_watermark = self.env.cr.fetchone()[0]
        previous = self.search(
            [
                ("company_id", "=", self.company_id.id),
                ("trigger", "=", "cron"),
                ("move_watermark", "!=", 0),
                ("id", "!=", self.id),
            ],
            order="id desc",
            limit=1,
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT move.commercial_partner_id
                  FROM account_move move
                 WHERE %(open)s AND move.id > %(since)s
                   AND NOT EXISTS (
                        SELECT 1 FROM dunning_partner_state st
                         WHERE st.partner_id = move.commercial_partner_id
                           AND st.company_id = move.company_id)
                """,
                open=self._open_moves_where(),
                since=previous.move_watermark or 0,
            )
        )
        State = self.env["dunning.partner.state"].sudo()
        State._ensure([row[0] for row in self.env.cr.fetchall()], self.company_id.id)
        State._age(self.company_id.id, self.date)
        return self._count_visits()

    def _visit_where(self, after=0):
        """The state rows (alias ``st``) this daily run still has to visit
        after the customer ``after``."""
        return SQL(
            """st.company_id = %(company)s
               AND %(visit)s
               AND st.partner_id > %(after)s
               AND st.run_id IS DISTINCT FROM %(run)s""",
            company=self.company_id.id,
            visit=self.env["dunning.partner.state"]._visit_sql(self.date),
            after=after,
            run=self.id,
        )

    def _count_visits(self):
        self.env.cr.execute(
            SQL(
                "SELECT COUNT(*) FROM dunning_partner_state st WHERE %s",
                self._visit_where(),
            )
        )
        return self.env.cr.fetchone()[0]

    def _visit_partner_ids(self, limit, after=0):
        """The walk (and the sweep) of a daily run: the next customers to
        visit, read from their state rows alone (no invoice is looked at)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT st.partner_id FROM dunning_partner_state st
                 WHERE %(where)s
                 ORDER BY st.partner_id
                 LIMIT %(limit)s
                """,
                where=self._visit_where(after),
                limit=limit,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    # -- every customer of the scope (manual runs) ---------------------------

    def _next_partner_ids(self, limit, after=0):
        """The next customers of the scope after ``after`` that this run has
        not processed yet (their state row is not marked with the run)."""
        if self._visits_changes_only():
            return self._visit_partner_ids(limit, after)
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
        if self._visits_changes_only():
            return self._visit_partner_ids(limit, after)
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
        if self._visits_changes_only():
            return self._count_visits()
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

    def _claim_partners(self, partner_ids, limit=None, exclude=()):
        """Claim up to ``limit`` of these customers for this run: lock their
        state rows, in one statement.  Rows another transaction holds are
        skipped (they stay due), as are rows already processed by this run
        and ``exclude`` (claimed by this batch already).  The lock is the
        claim: the batch's refresh (:meth:`_process_batch`) marks the rows
        with the run and clears their "changed" mark in the same write as
        their figures; a mark another transaction writes meanwhile waits
        for the lock, and lands after.

        A row that another transaction of this run processed and committed
        after this transaction began cannot be locked here ("could not
        serialize access"): the whole window is then left for a later
        batch, which sees it processed."""
        State = self.env["dunning.partner.state"].sudo()
        if not self._visits_changes_only():
            # a daily run's candidates are read from their state rows
            State._ensure(partner_ids, self.company_id.id)
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        """
                        SELECT partner_id FROM dunning_partner_state
                         WHERE company_id = %(company)s
                           AND partner_id = ANY(%(partners)s)
                           AND NOT partner_id = ANY(%(exclude)s)
                           AND run_id IS DISTINCT FROM %(run)s
                         ORDER BY partner_id
                         LIMIT %(limit)s
                           FOR NO KEY UPDATE SKIP LOCKED
                        """,
                        run=self.id,
                        company=self.company_id.id,
                        partners=list(partner_ids),
                        exclude=list(exclude),
                        limit=limit or len(partner_ids),
                    )
                )
                claimed = [row[0] for row in self.env.cr.fetchall()]
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as exc:
            _logger.info("run %s: customers claimed meanwhile: %s", self.id, exc)
            return []
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
            got = self._claim_partners(candidates, limit=wanted, exclude=claimed)
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
                "worker": self._worker_label(),
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
