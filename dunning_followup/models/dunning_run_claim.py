# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class DunningRun(models.Model):
    """Which customers a batch works: the walk and the sweep of the run's
    scope, the claim of their state rows, and the batch's own row."""

    _inherit = "dunning.run"

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
