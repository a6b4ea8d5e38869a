# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL, sql

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
      not refresh; a run's batch clears the mark when it writes the
      customer's figures, in the transaction that locked the row before
      reading the customer's lines: a mark written by another transaction
      meanwhile waits for the row lock and stays.
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
        "processed the customer, in the same transaction as its notices.",
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
