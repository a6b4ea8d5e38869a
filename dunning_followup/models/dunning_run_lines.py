# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.tools import SQL


class DunningRun(models.Model):
    """The SQL of the run: its scope, the open invoices and installments,
    and the open lines of a batch's customers in one query."""

    _inherit = "dunning.run"

    def _open_lines_where(self):
        """Conditions of an open customer receivable line (aliases aml, move)."""
        return self.env["account.move.line"]._dunning_open_installment_sql(
            self.company_id.ids
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
        return self.env["account.move"]._dunning_open_invoice_sql(self.company_id.id)

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

    def _fetch_open_lines(self, partner_ids):
        """Every open receivable line of these customers, in one query.

        It walks from the batch's customers to their open invoices (partial
        index), their receivable lines (``move_id`` index) and the level
        reached (unique key of the items), each step a ``LATERAL`` fenced by
        ``OFFSET 0``: on the statistics of tables a run is filling, a hash
        join read all 20,000 states (or all receivable lines) per batch.
        """
        self.env.cr.execute(
            SQL(
                """
                WITH batch AS (
                    SELECT unnest(%(partners)s::int[]) AS partner_id
                ), waiting AS (%(waiting)s
                )
                SELECT aml.id, aml.move_id, move.commercial_partner_id,
                       aml.date_maturity, aml.amount_residual, aml.currency_id,
                       cur.level_id AS dunning_level_id,
                       %(excluded)s AS excluded,
                       move.dunning_excluded_until AS excluded_until,
                       st.last_notice_date,
                       pend.state AS pending
                  FROM batch
                  LEFT JOIN waiting ON waiting.partner_id = batch.partner_id
                  JOIN LATERAL (
                        SELECT move.id, move.commercial_partner_id, move.move_type,
                               move.payment_state,
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
                  -- failed), looked up for the customers that have one
                  -- (``waiting``): its items by the (line, level) key, then
                  -- each notice by its id, both fenced (else a first run,
                  -- whose notices all wait, reads all of them per line)
                  LEFT JOIN LATERAL (
                        SELECT act.state
                          FROM (SELECT dal.action_id FROM dunning_action_line dal
                                 WHERE dal.move_line_id = aml.id
                                OFFSET 0) dal
                          JOIN LATERAL (
                                SELECT act.state FROM dunning_action act
                                 WHERE act.id = dal.action_id
                                   AND act.state IN ('to_review', 'failed')
                                OFFSET 0) act ON TRUE
                         WHERE waiting.partner_id IS NOT NULL
                         ORDER BY act.state = 'failed' DESC
                         LIMIT 1) pend ON TRUE
                  -- the batch's state rows by the unique (partner,
                  -- company) index, not a hash of the whole table
                  LEFT JOIN dunning_partner_state st
                    ON st.partner_id = ANY(%(partners)s)
                   AND st.partner_id = batch.partner_id
                   AND st.company_id = %(company)s
                 ORDER BY move.commercial_partner_id, aml.date_maturity, aml.id
                """,
                excluded=self.env["account.move"]._dunning_excluded_sql(self.date),
                company=self.company_id.id,
                open=self._open_lines_where(),
                open_moves=self._open_moves_where(),
                partners=partner_ids,
                waiting=self.env["dunning.partner.state"]._batch_customers_with_sql(
                    "dunning_action", self.company_id.id, ("to_review", "failed")
                ),
                level=self.env["dunning.action.line"]._highest_level_sql(
                    "move_line_id", SQL("aml.id")
                ),
            )
        )
        return self.env.cr.dictfetchall()
