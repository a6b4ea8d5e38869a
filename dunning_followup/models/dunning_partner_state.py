# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL

from .account_move_line import DUNNING_MOVE_TYPES

# rows created at once after which the table's statistics are refreshed
ANALYZE_AFTER_ROWS = 400

STATUSES = [
    ("none", "No action"),
    ("reminder", "Reminder due"),
    ("action", "Action needed"),
    ("promise", "Promise to pay"),
    ("excluded", "Excluded"),
]


class DunningPartnerState(models.Model):
    """Follow-up state of one customer in one company.

    A customer is shared by the companies of a database, but what it owes,
    the level it reached and who chases it are per company.  Storing that on
    ``res.partner`` itself would either mix companies or need company-dependent
    JSON columns that cannot be aggregated, sorted or indexed for the
    follow-up list.  One row per (customer, company) keeps every figure a plain
    indexed column; ``res.partner`` shows the row of the current company.

    Rows are written in bulk by runs and by payments (:meth:`_refresh`), and
    are the row lock that keeps two runs from chasing the same customer.
    """

    _name = "dunning.partner.state"
    _description = "Customer follow-up state"
    _order = "next_action_date, overdue_amount desc, id"
    _rec_name = "partner_id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    level_id = fields.Many2one(
        "dunning.level",
        index=True,
        readonly=True,
        ondelete="set null",
        check_company=True,
    )
    status = fields.Selection(
        STATUSES, required=True, default="none", index=True, readonly=True
    )
    next_action_date = fields.Date(index=True, readonly=True)
    last_notice_date = fields.Date(readonly=True)
    overdue_amount = fields.Monetary(currency_field="currency_id", readonly=True)
    due_amount = fields.Monetary(
        string="Open amount", currency_field="currency_id", readonly=True
    )
    oldest_due_date = fields.Date(readonly=True)
    # grouped, the most late customer of the group: a sum means nothing
    max_days_late = fields.Integer(readonly=True, aggregator="max")
    responsible_id = fields.Many2one(
        "res.users",
        string="Collector",
        compute="_compute_responsible_id",
        search="_search_responsible_id",
    )
    user_id = fields.Many2one(related="partner_id.user_id", string="Salesperson")
    run_id = fields.Many2one(
        "dunning.run",
        string="Last run",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The run that last processed the customer: set by the batch that "
        "claims the customer, in the same transaction as its notices.",
    )

    _sql_constraints = [
        (
            "partner_company_unique",
            "UNIQUE (partner_id, company_id)",
            "A customer has one follow-up state per company.",
        )
    ]

    def _compute_responsible_id(self):
        for state in self:
            state.responsible_id = state.partner_id.with_company(
                state.company_id
            ).dunning_responsible_id

    def _search_responsible_id(self, operator, value):
        partners = self.env["res.partner"]._search(
            [("dunning_responsible_id", operator, value)]
        )
        return [("partner_id", "in", partners)]

    @api.model
    def _ensure(self, partner_ids, company_id):
        """Create the missing rows for these commercial partners (one query).

        Only rows that do not exist are inserted: an insert that meets a
        key another transaction has just inserted waits for it and then
        fails with "could not serialize access", so existing rows are not
        even offered to the unique index."""
        if not partner_ids:
            return
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO dunning_partner_state
                       (partner_id, company_id, status, create_uid, write_uid,
                        create_date, write_date)
                SELECT p, %(company)s, 'none', %(uid)s, %(uid)s,
                       now() at time zone 'UTC', now() at time zone 'UTC'
                  FROM unnest(%(partners)s::int[]) AS p
                 WHERE NOT EXISTS (
                        SELECT 1 FROM dunning_partner_state st
                         WHERE st.partner_id = p AND st.company_id = %(company)s)
                 ORDER BY p
                ON CONFLICT (partner_id, company_id) DO NOTHING
                """,
                company=company_id,
                uid=self.env.uid,
                partners=list(partner_ids),
            )
        )
        inserted = self.env.cr.rowcount
        if inserted >= ANALYZE_AFTER_ROWS:
            # A first run fills the table batch after batch; the planner
            # would otherwise plan every later look-up (the run's claim, the
            # sale order's hold check) for the nearly empty table it last
            # saw.  Refreshed when the table grew by half since: a handful of
            # times over a whole first run, never in a daily one.
            self.env.cr.execute(
                "SELECT reltuples FROM pg_class"
                " WHERE oid = 'dunning_partner_state'::regclass"
            )
            known = self.env.cr.fetchone()[0]
            if known < 0 or inserted * 2 > known:
                self.env.cr.execute("ANALYZE dunning_partner_state")

    @api.model
    def _refresh(self, partner_ids, company_id, today=None, next_dates=None):
        """Recompute the amounts, level and status of these customers from
        their open receivable lines, in a constant number of queries.

        Called after a run's batch and after payments, so the state follows
        reconciliation at once rather than at the next run.

        :param next_dates: ``{partner id: date or None}``, the next date
            something is due as a run just planned it, written in the same
            pass (one update of the rows per batch, not two)
        """
        next_dates = next_dates or {}
        partner_ids = list(set(partner_ids))
        if not partner_ids:
            return
        today = today or fields.Date.context_today(self)
        self._ensure(partner_ids, company_id)
        for model in ("account.move.line", "account.move", "dunning.action"):
            self.env[model].flush_model()
        self.env["dunning.promise"].flush_model()
        self.flush_model()
        self.env.cr.execute(
            SQL(
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
                       write_date = now() at time zone 'UTC',
                       write_uid = %(uid)s
                  FROM (SELECT batch.partner_id, f.due, f.overdue, f.oldest,
                               f.all_excluded, f.level_id,
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
                 -- driven by the batch's customers through the unique
                 -- (partner, company) index: never a scan of the whole table
                 WHERE st.partner_id = src.partner_id
                   AND st.company_id = %(company)s
                """,
                figures=self._get_refresh_figures_sql(partner_ids, company_id, today),
                today=today,
                company=company_id,
                days_late=self.env["account.move.line"]._dunning_days_late_sql(
                    SQL("src.oldest"), today
                ),
                planned=list(next_dates),
                next_dates=list(next_dates.values()),
                uid=self.env.uid,
            )
        )
        self.invalidate_model()
        self._invalidate_partner_fields()

    @api.model
    def _get_refresh_figures_sql(self, partner_ids, company_id, today):
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
                           AS level_id
                  FROM open_lines
                 GROUP BY partner_id
            ), pending AS (
                SELECT batch.partner_id
                  FROM batch
                  JOIN LATERAL (
                        SELECT 1 FROM dunning_action act
                         WHERE act.partner_id = batch.partner_id
                           AND act.company_id = %(company)s
                           AND act.state IN ('to_review', 'failed')
                         LIMIT 1) found ON TRUE
            ), promised AS (
                SELECT batch.partner_id
                  FROM batch
                  JOIN LATERAL (
                        SELECT 1 FROM dunning_promise pr
                         WHERE pr.partner_id = batch.partner_id
                           AND pr.company_id = %(company)s
                           AND pr.state = 'open'
                         LIMIT 1) found ON TRUE
            )
            """,
            partners=partner_ids,
            open_lines=self._get_refresh_open_lines_sql(company_id, today),
            today=today,
            company=company_id,
        )

    @api.model
    def _get_refresh_open_lines_sql(self, company_id, today):
        """The open installments of the batch's customers (``batch``), with
        the level each reached and whether its invoice is excluded."""
        Line = self.env["account.move.line"]
        return SQL(
            """
            SELECT batch.partner_id, aml.amount_residual,
                   aml.date_maturity, cur.level_id, cur.level_days,
                   (move.dunning_excluded IS TRUE
                    AND (move.dunning_excluded_until IS NULL
                         OR move.dunning_excluded_until >= %(today)s))
                       AS excluded
              FROM batch
              JOIN LATERAL (
                    SELECT move.id, move.move_type, move.dunning_excluded,
                           move.dunning_excluded_until
                      FROM account_move move
                     WHERE move.commercial_partner_id = batch.partner_id
                       AND move.move_type IN %(move_types)s
                    OFFSET 0) move ON TRUE
              JOIN LATERAL (
                    SELECT aml.id, aml.amount_residual, aml.date_maturity
                      FROM account_move_line aml
                     WHERE aml.move_id = move.id AND %(open)s
                    OFFSET 0) aml ON TRUE
              LEFT JOIN LATERAL (%(level)s) cur ON TRUE
            """,
            today=today,
            # the invoices' types first, a cheap filter on the customer's
            # moves; the exact rule is on their lines
            move_types=DUNNING_MOVE_TYPES,
            open=Line._dunning_open_installment_sql([company_id]),
            level=self.env["dunning.action.line"]._highest_level_sql(
                "move_line_id", SQL("aml.id")
            ),
        )

    def _invalidate_partner_fields(self):
        """The customer fields computed from these rows are not stored: drop
        them from the cache when the rows change."""
        Partner = self.env["res.partner"]
        Partner.invalidate_model(Partner._dunning_state_field_names())

    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
        }

    def action_dunning_promise(self):
        self.ensure_one()
        return self.partner_id.with_company(self.company_id).action_dunning_promise()

    def action_followup(self):
        return self.partner_id.with_company(
            self.company_id[:1]
        ).action_dunning_followup()
