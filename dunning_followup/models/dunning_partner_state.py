# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL, sql

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

    Who the daily run visits
    ------------------------
    A customer's levels move only with the calendar or with a write.  The
    row therefore says when a daily (cron) run must look at the customer
    again, and the run visits only those (:meth:`_visit_domain`, one rule):

    - ``visit_date``: the first day something can happen by the calendar
      alone (a line's next level is due, an installment falls due, an
      exclusion ends), written by the run that processed the customer;
    - ``changed``: something that matters was written since a run last
      processed the customer (:meth:`_mark_changed`): an invoice posted,
      paid, reset or excluded, a due date moved, a notice sent, cancelled
      or failed, a promise, the customer's policy or a policy's levels.
      Every refresh of the figures outside a run marks the customer (a
      payment, a dispute, a notice executed...), so do the writes that do
      not refresh; the claim of a run clears the mark, in the transaction
      that reads the customer's lines: a mark written by another
      transaction meanwhile waits for the row lock and stays.
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

    changed = fields.Boolean(
        default=True,
        readonly=True,
        help="Something that matters to the follow-up changed since a run last "
        "processed the customer: the next daily run visits it.",
    )
    visit_date = fields.Date(
        readonly=True,
        help="First day a daily run must look at the customer again even if "
        "nothing of theirs changes: a level due, an installment falling due, "
        "an exclusion ending.",
    )

    _sql_constraints = [
        (
            "partner_company_unique",
            "UNIQUE (partner_id, company_id)",
            "A customer has one follow-up state per company.",
        )
    ]

    def init(self):
        res = super().init()
        # The daily run ages every late customer's days late in one UPDATE
        # (_age) of a column no index holds: with room left in each page,
        # PostgreSQL writes the new row versions in place (HOT) instead of
        # inserting into every index of the table.  Applies to the pages
        # written from now on.
        self.env.cr.execute(
            "SELECT reloptions FROM pg_class WHERE oid = %s::regclass", [self._table]
        )
        if "fillfactor=50" not in (self.env.cr.fetchone()[0] or []):
            self.env.cr.execute(
                "ALTER TABLE dunning_partner_state SET (fillfactor = 50)"
            )
        # the daily run's two ways in (see _visit_sql): a handful of rows
        # each on a given day, among all the customers of the company
        sql.create_index(
            self.env.cr,
            "dunning_partner_state_changed_idx",
            self._table,
            ["company_id", "partner_id"],
            where="changed",
        )
        sql.create_index(
            self.env.cr,
            "dunning_partner_state_visit_date_idx",
            self._table,
            ["company_id", "visit_date"],
        )
        return res

    # -- who the daily run visits: one rule ----------------------------------

    @api.model
    def _visit_domain(self, on_date):
        """Domain of the state rows a daily run dated ``on_date`` visits:
        marked changed, or whose visit date has come.  Its SQL twin is
        :meth:`_visit_sql`."""
        return ["|", ("changed", "=", True), ("visit_date", "<=", on_date)]

    @api.model
    def _visit_sql(self, on_date, alias="st"):
        """:meth:`_visit_domain` as an SQL condition on ``alias``
        (``dunning_partner_state``)."""
        st = SQL.identifier(alias)
        return SQL(
            "(%(st)s.changed IS TRUE OR %(st)s.visit_date <= %(date)s)",
            st=st,
            date=on_date,
        )

    @api.model
    def _mark_changed(self, pairs):
        """Something that matters to the follow-up changed for these
        ``(customer id, company id)`` pairs (the customer a commercial
        entity): the next daily run visits them.  One statement; a missing
        row is created, marked.

        Writers of plain SQL that touch what the run reads (open lines,
        exclusions, notices, levels) call this, or :meth:`_refresh`, which
        marks too."""
        pairs = sorted({(p, c) for p, c in pairs if p and c})
        if not pairs:
            return
        self.flush_model(["changed"])
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO dunning_partner_state AS st
                       (partner_id, company_id, status, changed, create_uid,
                        write_uid, create_date, write_date)
                SELECT p, c, 'none', TRUE, %(uid)s, %(uid)s,
                       now() at time zone 'UTC', now() at time zone 'UTC'
                  FROM unnest(%(partners)s::int[], %(companies)s::int[]) AS r(p, c)
                ON CONFLICT (partner_id, company_id)
                DO UPDATE SET changed = TRUE WHERE st.changed IS NOT TRUE
                """,
                uid=self.env.uid,
                partners=[p for p, _c in pairs],
                companies=[c for _p, c in pairs],
            )
        )
        self.invalidate_model(["changed"])

    @api.model
    def _mark_company_changed(self, company_ids):
        """Every customer of these companies must be visited (a policy or
        its levels changed): one statement."""
        if not company_ids:
            return
        self.flush_model(["changed"])
        self.env.cr.execute(
            SQL(
                "UPDATE dunning_partner_state SET changed = TRUE"
                " WHERE company_id = ANY(%s) AND changed IS NOT TRUE",
                list(set(company_ids)),
            )
        )
        self.invalidate_model(["changed"])

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
                       (partner_id, company_id, status, changed, create_uid,
                        write_uid, create_date, write_date)
                SELECT p, %(company)s, 'none', TRUE, %(uid)s, %(uid)s,
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
            pass (one update of the rows per batch, not two).  Given by a
            run only: the refresh then writes the customers' visit date; a
            refresh without it follows a change made outside a run and marks
            the customers changed (see the class docstring)
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
                       changed = %(by_run)s IS NOT TRUE OR st.changed,
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
                by_run=by_run,
                visit_date=SQL(
                    "LEAST(%s)",
                    SQL(", ").join(self._get_visit_date_terms(company_id, today)),
                ),
                uid=self.env.uid,
            )
        )
        self.invalidate_model()
        self._invalidate_partner_fields()

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
                           AS level_id,
                       MIN(date_maturity)
                           FILTER (WHERE date_maturity >= %(today)s)
                           AS next_due,
                       MIN(excluded_until) FILTER (WHERE excluded)
                           AS exclusion_end
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
                       AS excluded,
                   move.dunning_excluded_until AS excluded_until
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
