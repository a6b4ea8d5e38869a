# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.sql_arrays import array_literal


class DunningPartnerState(models.Model):
    """The refresh of the customers' figures: amounts, level, status, days
    late and the day a daily run must visit them again, set-based."""

    _inherit = "dunning.partner.state"

    @api.model
    def _refresh(
        self,
        partner_ids,
        company_id,
        today=None,
        next_dates=None,
        run=None,
        lines=None,
    ):
        """Recompute the amounts, level and status of these customers from
        their open receivable lines, in a constant number of queries.

        Called after a run's batch and after payments, so the state follows
        reconciliation at once rather than at the next run.

        :param next_dates: ``{partner id: date or None}``, the next date
            something is due as a run just planned it, written in the same
            pass (one update of the rows per batch, not two).  Given by a
            run only: the refresh then writes the customers' visit date; a
            refresh without it follows a change made outside a run and marks
            the customers changed (see the class docstring)
        :param run: the ``dunning.run`` whose batch claimed these customers
            (with ``next_dates``): their rows are marked with it and their
            "changed" mark cleared, in the same write
        :param lines: ``{partner id: [rows]}``, the open installments of
            some of these customers as the run's batch read them in this
            transaction (rows of ``dunning.run._fetch_open_lines`` on
            ``today``), for the customers whose invoices the batch did not
            change since: their lines are not read again, only the level
            each reached (the batch's new items included).  The other
            customers' lines are read from the tables.
        """
        by_run = next_dates is not None
        next_dates = next_dates or {}
        partner_ids = list(set(partner_ids))
        if not partner_ids:
            return
        today = today or fields.Date.context_today(self)
        if not by_run:
            # a run refreshes the rows it claimed
            self._ensure(partner_ids, company_id)
        for model in ("account.move.line", "account.move", "dunning.action"):
            self.env[model].flush_model()
        self.env["dunning.promise"].flush_model()
        self.flush_model()
        self.env.cr.execute(
            self._get_refresh_sql(
                partner_ids, company_id, today, next_dates, by_run, run=run, lines=lines
            )
        )
        self.invalidate_model()
        self._invalidate_partner_fields()

    @api.model
    def _get_refresh_sql(
        self, partner_ids, company_id, today, next_dates, by_run, run=None, lines=None
    ):
        """The one statement of :meth:`_refresh`: the figures of these
        customers, then the update of their state rows."""
        return SQL(
            """
            %(figures)s
            UPDATE dunning_partner_state st
               SET due_amount = COALESCE(src.due, 0),
                   overdue_amount = COALESCE(src.overdue, 0),
                   oldest_due_date = src.oldest,
                   max_days_late = GREATEST(%(days_late)s, 0),
                   level_id = src.level_id,
                   next_action_date = CASE WHEN src.due IS NULL THEN NULL
                                           WHEN src.planned THEN src.next_date
                                           ELSE st.next_action_date END,
                   status = CASE
                       WHEN src.pending THEN 'action'
                       WHEN src.promised THEN 'promise'
                       WHEN src.due IS NULL THEN 'none'
                       WHEN COALESCE(src.overdue, 0) > 0 AND src.all_excluded
                           THEN 'excluded'
                       WHEN CASE WHEN src.planned THEN src.next_date
                                 ELSE st.next_action_date END <= %(today)s
                           THEN 'reminder'
                       ELSE 'none'
                   END,
                   changed = %(run)s::int IS NULL AND (%(by_run)s IS NOT TRUE
                                                     OR st.changed),
                   run_id = COALESCE(%(run)s, st.run_id),
                   visit_date = CASE WHEN %(by_run)s THEN %(visit_date)s
                                     ELSE st.visit_date END,
                   write_date = now() at time zone 'UTC',
                   write_uid = %(uid)s
              FROM (SELECT batch.partner_id, f.due, f.overdue, f.oldest,
                           f.all_excluded, f.level_id, f.next_due,
                           f.exclusion_end,
                           pending.partner_id IS NOT NULL AS pending,
                           promised.partner_id IS NOT NULL AS promised,
                           planned.partner_id IS NOT NULL AS planned,
                           planned.next_date
                      FROM batch
                      LEFT JOIN figures f ON f.partner_id = batch.partner_id
                      LEFT JOIN pending ON pending.partner_id = batch.partner_id
                      LEFT JOIN promised ON promised.partner_id = batch.partner_id
                      LEFT JOIN unnest(%(planned)s::int[], %(next_dates)s::date[])
                           AS planned(partner_id, next_date)
                             ON planned.partner_id = batch.partner_id
                   ) AS src
             -- the rows found by the batch's customers through the unique
             -- (partner, company) index; joined on ``src`` alone, the
             -- planner hashes every row of the table for each batch
             WHERE st.partner_id = ANY(%(partners)s)
               AND st.partner_id = src.partner_id
               AND st.company_id = %(company)s
            """,
            figures=self._get_refresh_figures_sql(
                partner_ids, company_id, today, lines=lines
            ),
            today=today,
            company=company_id,
            days_late=self.env["account.move.line"]._dunning_days_late_sql(
                SQL("src.oldest"), today
            ),
            planned=array_literal(next_dates),
            next_dates=array_literal(next_dates.values()),
            by_run=by_run,
            visit_date=SQL(
                "LEAST(%s)",
                SQL(", ").join(self._get_visit_date_terms(company_id, today)),
            ),
            uid=self.env.uid,
            partners=partner_ids,
            run=run.id if run else None,
        )

    @api.model
    def _age(self, company_id, today):
        """Bring the days late of the company's customers to ``today``, in
        one statement: the only figure that moves every day for every late
        customer, kept without visiting them (the daily run visits only the
        customers that can have something new, see the class docstring)."""
        self.flush_model(["max_days_late", "oldest_due_date"])
        days_late = self.env["account.move.line"]._dunning_days_late_sql(
            SQL("st.oldest_due_date"), today
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE dunning_partner_state st
                   SET max_days_late = %(late)s
                 WHERE st.company_id = %(company)s
                   AND st.oldest_due_date < %(today)s
                   AND st.max_days_late IS DISTINCT FROM %(late)s
                """,
                late=days_late,
                company=company_id,
                today=today,
            )
        )
        if self.env.cr.rowcount:
            self.invalidate_model(["max_days_late"])
            self._invalidate_partner_fields()

    @api.model
    def _get_refresh_figures_sql(self, partner_ids, company_id, today, lines=None):
        """``WITH`` clause of :meth:`_refresh`: the batch, its customers'
        figures (open, overdue, oldest due date, all excluded, highest
        level) and whether they have notices pending or promises open.

        Every step is driven by the batch's customers through an index, each
        ``LATERAL`` subquery fenced by ``OFFSET 0``: the planner cannot turn
        it into a hash join over a whole table on statistics gone stale
        while a run fills these tables."""
        return SQL(
            """
            WITH batch AS (
                SELECT DISTINCT unnest(%(partners)s::int[]) AS partner_id
            ), open_lines AS (%(open_lines)s
            ), figures AS (
                SELECT partner_id,
                       SUM(amount_residual) AS due,
                       SUM(amount_residual)
                           FILTER (WHERE date_maturity < %(today)s) AS overdue,
                       MIN(date_maturity) AS oldest,
                       BOOL_AND(excluded)
                           FILTER (WHERE date_maturity < %(today)s)
                           AS all_excluded,
                       (ARRAY_AGG(level_id ORDER BY level_days DESC)
                           FILTER (WHERE level_id IS NOT NULL))[1]
                           AS level_id,
                       MIN(date_maturity)
                           FILTER (WHERE date_maturity >= %(today)s)
                           AS next_due,
                       MIN(excluded_until) FILTER (WHERE excluded)
                           AS exclusion_end
                  FROM open_lines
                 GROUP BY partner_id
            ), pending AS (%(pending)s
            ), promised AS (%(promised)s
            )
            """,
            partners=partner_ids,
            open_lines=self._get_refresh_open_lines_sql(company_id, today, lines),
            today=today,
            pending=self._batch_customers_with_sql(
                "dunning_action", company_id, ("to_review", "failed")
            ),
            promised=self._batch_customers_with_sql(
                "dunning_promise", company_id, ("open",)
            ),
        )

    @api.model
    def _batch_customers_with_sql(self, table, company_id, states):
        """The batch's customers (``batch``) with a row of ``table`` of the
        company in one of ``states``.

        The customer's rows come by its index, fenced by ``OFFSET 0``, and
        their state is tested outside the fence: inside, statistics that
        find such rows rare make the planner read all of the company's rows
        in that state for each customer."""
        return SQL(
            """
                SELECT DISTINCT batch.partner_id
                  FROM batch
                  JOIN LATERAL (
                        SELECT r.state FROM %(table)s r
                         WHERE r.partner_id = batch.partner_id
                           AND r.company_id = %(company)s
                        OFFSET 0) r ON TRUE
                 WHERE r.state IN %(states)s
            """,
            table=SQL.identifier(table),
            company=company_id,
            states=tuple(states),
        )

    @api.model
    def _get_visit_date_terms(self, company_id, today):
        """Extension hook: the dates (SQL expressions on the columns of
        :meth:`_refresh`'s ``src``) from which a customer's figures or
        levels change by the calendar alone; its visit date is the earliest.

        The planned next level (``src.next_date``), the day after the next
        installment falls due (its overdue amount, its status) and the day
        after an exclusion ends (the line is back on the ladder).
        """
        return [
            SQL("CASE WHEN src.planned THEN src.next_date END"),
            SQL("src.next_due + 1"),
            SQL("src.exclusion_end + 1"),
        ]

    @api.model
    def _get_refresh_open_lines_sql(self, company_id, today, lines=None):
        """The open installments of the batch's customers (``batch``), with
        the level each reached and whether its invoice is excluded: the
        rows already read (``lines``, see :meth:`_refresh`), then the
        lines of the other customers, from the tables."""
        lines = lines or {}
        rows = [row for partner_rows in lines.values() for row in partner_rows]
        level = self.env["dunning.action.line"]._highest_level_sql(
            "move_line_id", SQL("aml.id")
        )
        return SQL(
            """
            SELECT aml.partner_id, aml.amount_residual, aml.date_maturity,
                   cur.level_id, cur.level_days, aml.excluded,
                   aml.excluded_until
              FROM unnest(%(partner)s::int[], %(line)s::int[],
                          %(amount)s::numeric[], %(maturity)s::date[],
                          %(excluded)s::bool[], %(until)s::date[])
                   AS aml(partner_id, id, amount_residual, date_maturity,
                          excluded, excluded_until)
              LEFT JOIN LATERAL (%(level)s) cur ON TRUE
             UNION ALL
            SELECT batch.partner_id, aml.amount_residual,
                   aml.date_maturity, cur.level_id, cur.level_days,
                   %(is_excluded)s AS excluded,
                   move.dunning_excluded_until AS excluded_until
              FROM batch
              JOIN LATERAL (
                    SELECT move.id, move.move_type, move.payment_state,
                           move.dunning_excluded, move.dunning_excluded_until
                      FROM account_move move
                     WHERE move.commercial_partner_id = batch.partner_id
                       AND %(open_invoice)s
                    OFFSET 0) move ON TRUE
              JOIN LATERAL (
                    SELECT aml.id, aml.amount_residual, aml.date_maturity
                      FROM account_move_line aml
                     WHERE aml.move_id = move.id AND %(open)s
                    OFFSET 0) aml ON TRUE
              LEFT JOIN LATERAL (%(level)s) cur ON TRUE
             WHERE batch.partner_id <> ALL(%(known)s::int[])
            """,
            partner=array_literal(row["commercial_partner_id"] for row in rows),
            line=array_literal(row["id"] for row in rows),
            amount=array_literal(row["amount_residual"] for row in rows),
            maturity=array_literal(row["date_maturity"] for row in rows),
            excluded=array_literal(row["excluded"] for row in rows),
            until=array_literal(row["excluded_until"] for row in rows),
            known=array_literal(lines),
            is_excluded=self.env["account.move"]._dunning_excluded_sql(today),
            # the invoices that can hold open installments first (partial
            # index by customer); the exact rule is on their lines
            open_invoice=self.env["account.move"]._dunning_open_invoice_sql(company_id),
            open=self.env["account.move.line"]._dunning_open_installment_sql(
                [company_id]
            ),
            level=level,
        )
