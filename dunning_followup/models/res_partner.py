# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools.misc import format_date

from ..tools.levels import AGING_BUCKETS, aging_bucket, days_late
from .account_move_line import DUNNING_MOVE_TYPES
from .dunning_partner_state import STATUSES


class ResPartner(models.Model):
    """Follow-up fields of a customer, for the current company.

    The figures live in ``dunning.partner.state`` (one row per customer and
    company, see there why); these fields read and search the row of the
    current company so that views, filters and code can keep saying
    ``partner.dunning_level_id``.
    """

    _inherit = "res.partner"

    dunning_policy_id = fields.Many2one(
        "dunning.policy",
        string="Follow-up policy",
        company_dependent=True,
        check_company=True,
        help="Leave empty to use the company's default policy.",
    )
    dunning_responsible_id = fields.Many2one(
        "res.users",
        string="Collector",
        company_dependent=True,
        help="Who chases this customer; gets the follow-up activities.",
    )
    # the follow-up records are read by invoicing users and up: a salesperson
    # or a portal user reading the customer does not see them
    dunning_state_ids = fields.One2many(
        "dunning.partner.state",
        "partner_id",
        string="Follow-up states",
        groups="account.group_account_invoice",
    )
    dunning_level_id = fields.Many2one(
        "dunning.level",
        string="Follow-up level",
        compute="_compute_dunning_state",
        search="_search_dunning_level_id",
    )
    dunning_status = fields.Selection(
        STATUSES,
        string="Follow-up status",
        compute="_compute_dunning_state",
        search="_search_dunning_status",
    )
    dunning_next_action_date = fields.Date(
        string="Next follow-up",
        compute="_compute_dunning_state",
        search="_search_dunning_next_action_date",
    )
    dunning_last_notice_date = fields.Date(
        string="Last notice", compute="_compute_dunning_state"
    )
    dunning_overdue_amount = fields.Monetary(
        string="Overdue amount",
        compute="_compute_dunning_state",
        currency_field="dunning_currency_id",
    )
    dunning_due_amount = fields.Monetary(
        string="Open amount",
        compute="_compute_dunning_state",
        currency_field="dunning_currency_id",
    )
    dunning_currency_id = fields.Many2one(
        "res.currency", compute="_compute_dunning_state"
    )
    dunning_avg_days_late = fields.Float(
        string="Average days late",
        compute="_compute_dunning_avg_days_late",
        digits=(16, 1),
        help="Payment behaviour: how many days after the due date this customer "
        "paid its invoices, on average (paid invoices of the current company).",
    )
    dunning_action_count = fields.Integer(
        compute="_compute_dunning_action_count", groups="account.group_account_invoice"
    )
    dunning_promise_ids = fields.One2many(
        "dunning.promise",
        "partner_id",
        string="Promises to pay",
        groups="account.group_account_invoice",
    )

    @api.constrains("dunning_policy_id")
    def _check_dunning_policy_id(self):
        """The customer's policy in a company is one of that company's (the
        field is company-dependent: the current company's value is written)."""
        company = self.env.company
        for partner in self:
            policy = partner.dunning_policy_id
            if policy and policy.company_id != company:
                raise ValidationError(
                    self.env._(
                        "Follow-up policy: %(policy)s belongs to %(other)s, not to "
                        "%(company)s, the company whose policy of %(partner)s is set.",
                        policy=policy.display_name,
                        other=policy.company_id.name,
                        company=company.name,
                        partner=partner.display_name,
                    )
                )

    def write(self, vals):
        res = super().write(vals)
        if "dunning_policy_id" in vals:
            # company-dependent: the policy changed in the current company
            self.env["dunning.partner.state"].sudo()._mark_changed(
                (partner.commercial_partner_id.id, self.env.company.id)
                for partner in self
            )
        return res

    @api.model
    def _dunning_state_field_names(self):
        """Fields computed from ``dunning.partner.state``; extended by other
        addons that add fields read from the state rows."""
        return [
            "dunning_level_id",
            "dunning_status",
            "dunning_next_action_date",
            "dunning_last_notice_date",
            "dunning_overdue_amount",
            "dunning_due_amount",
        ]

    def _dunning_state_for(self, company):
        states = (
            self.env["dunning.partner.state"]
            .sudo()
            .search_fetch(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("company_id", "=", company.id),
                ],
                [
                    "partner_id",
                    "level_id",
                    "status",
                    "next_action_date",
                    "last_notice_date",
                    "overdue_amount",
                    "due_amount",
                ],
            )
        )
        return {state.partner_id.id: state for state in states}

    @api.depends_context("company")
    def _compute_dunning_state(self):
        company = self.env.company
        states = self._dunning_state_for(company)
        empty = self.env["dunning.partner.state"]
        for partner in self:
            state = states.get(partner.commercial_partner_id.id, empty)
            partner.dunning_level_id = state.level_id.sudo(False)
            partner.dunning_status = state.status or "none"
            partner.dunning_next_action_date = state.next_action_date
            partner.dunning_last_notice_date = state.last_notice_date
            partner.dunning_overdue_amount = state.overdue_amount
            partner.dunning_due_amount = state.due_amount
            partner.dunning_currency_id = company.currency_id

    def _search_dunning_state_field(self, field, operator, value):
        state_query = (
            self.env["dunning.partner.state"]
            .sudo()
            ._search(
                [(field, operator, value), ("company_id", "=", self.env.company.id)]
            )
        )
        partners = (
            self.env["res.partner"]
            .sudo()
            ._search(
                [("commercial_partner_id", "in", state_query.subselect("partner_id"))]
            )
        )
        if field == "status" and (
            (operator == "=" and value == "none")
            or (operator == "in" and "none" in value)
        ):
            # customers with no state row yet have nothing due
            without = (
                self.env["dunning.partner.state"]
                .sudo()
                ._search([("company_id", "=", self.env.company.id)])
            )
            return [
                "|",
                ("id", "in", partners),
                ("commercial_partner_id", "not in", without.subselect("partner_id")),
            ]
        return [("id", "in", partners)]

    def _search_dunning_level_id(self, operator, value):
        return self._search_dunning_state_field("level_id", operator, value)

    def _search_dunning_status(self, operator, value):
        return self._search_dunning_state_field("status", operator, value)

    def _search_dunning_next_action_date(self, operator, value):
        return self._search_dunning_state_field("next_action_date", operator, value)

    @api.depends_context("company")
    def _compute_dunning_avg_days_late(self):
        """Average days late of paid invoices, weighted per installment.

        The payment date of an installment is the latest date of the lines it
        was reconciled with; one aggregate query for the whole recordset.
        """
        commercial = self.commercial_partner_id
        result = {}
        if commercial.ids:
            self.env["account.move.line"].flush_model()
            self.env["account.partial.reconcile"].flush_model()
            self.env.cr.execute(
                SQL(
                    """
                    SELECT move.commercial_partner_id,
                           AVG(GREATEST(%(days_late)s, 0))
                      FROM account_move_line aml
                      JOIN account_move move ON move.id = aml.move_id
                      JOIN LATERAL (
                            SELECT MAX(pr.max_date) AS paid_date
                              FROM account_partial_reconcile pr
                             WHERE pr.debit_move_id = aml.id) paid ON TRUE
                     WHERE move.commercial_partner_id = ANY(%(partners)s)
                       AND aml.company_id = %(company)s
                       AND aml.display_type = 'payment_term'
                       AND aml.parent_state = 'posted'
                       AND aml.reconciled IS TRUE
                       AND move.move_type IN %(move_types)s
                       AND paid.paid_date IS NOT NULL
                     GROUP BY move.commercial_partner_id
                    """,
                    partners=commercial.ids,
                    company=self.env.company.id,
                    move_types=DUNNING_MOVE_TYPES,
                    days_late=self.env["account.move.line"]._dunning_days_late_sql(
                        SQL("aml.date_maturity"), SQL("paid.paid_date")
                    ),
                )
            )
            result = dict(self.env.cr.fetchall())
        for partner in self:
            partner.dunning_avg_days_late = float(
                result.get(partner.commercial_partner_id.id) or 0.0
            )

    def _compute_dunning_action_count(self):
        groups = self.env["dunning.action"]._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids)],
            ["partner_id"],
            ["__count"],
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.dunning_action_count = counts.get(
                partner.commercial_partner_id.id, 0
            )

    def _dunning_get_policy(self):
        """The policy that applies to this customer in the current company."""
        self.ensure_one()
        partner = self.commercial_partner_id
        return partner.dunning_policy_id or self.env[
            "dunning.policy"
        ]._get_company_default(self.env.company)

    def _dunning_get_recipients(self):
        """Who receives the notices: the invoicing contacts of the customer that
        have an e-mail address, else the customer itself if it has one."""
        self.ensure_one()
        partner = self.commercial_partner_id
        contacts = (partner | partner.child_ids).filtered(
            lambda p: p.type == "invoice" and p.email and p.active
        )
        if not contacts and partner.email:
            contacts = partner
        return contacts

    def action_dunning_followup(self):
        """Open the follow-up wizard on these customers."""
        return self.env["dunning.followup"]._open_action(
            "res.partner", self.commercial_partner_id.ids
        )

    def action_open_dunning_actions(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Follow-up actions"),
            "res_model": "dunning.action",
            "view_mode": "list,form",
            "domain": [("partner_id", "=", self.commercial_partner_id.id)],
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def action_open_dunning_items(self):
        """The Overdue button: the installments past due and what is left to
        pay on each, the total of which is the amount on the button."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        view = self.env.ref("dunning_followup.account_move_line_view_list_dunning")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Overdue items"),
            "res_model": "account.move.line",
            "view_mode": "list",
            "views": [(view.id, "list")],
            "domain": [
                *self._dunning_open_items_domain(
                    self.commercial_partner_id.ids, self.env.company.ids
                ),
                ("date_maturity", "<", today),
            ],
            "context": {"search_default_group_by_move": 0, "create": False},
        }

    def _dunning_overdue_moves(self, company):
        """The customer's invoices with an installment past due."""
        today = fields.Date.context_today(self)
        return (
            self._dunning_open_items(company)
            .filtered(lambda line: line.date_maturity and line.date_maturity < today)
            .move_id
        )

    def action_dunning_promise(self, moves=None):
        """Record a promise to pay, pre-filled with the customer's overdue
        invoices (and ``moves``) and what is left to pay on them."""
        self.ensure_one()
        partner = self.commercial_partner_id
        company = self.env.company
        moves = partner._dunning_overdue_moves(company) | (
            moves or self.env["account.move"]
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Promise to pay"),
            "res_model": "dunning.promise",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_partner_id": partner.id,
                "default_company_id": company.id,
                "default_move_ids": [(6, 0, moves.ids)],
                "default_amount": sum(moves.mapped("amount_residual_signed")),
                "default_date": fields.Date.to_string(
                    fields.Date.add(fields.Date.context_today(self), days=7)
                ),
            },
        }

    @api.model
    def _dunning_open_items_domain(self, partner_ids, company_ids):
        """Open receivable installments of customers (commercial entities) in
        companies: what notices and statements list (see
        ``account.move.line._dunning_open_installment_domain``)."""
        return [
            ("move_id.commercial_partner_id", "in", list(partner_ids)),
            *self.env["account.move.line"]._dunning_open_installment_domain(
                company_ids
            ),
        ]

    def _dunning_open_items(self, company):
        """The open receivable installments of the customer (its commercial
        entity) in ``company``, oldest due first."""
        self.ensure_one()
        return (
            self.env["account.move.line"]
            .sudo()
            .search(
                self._dunning_open_items_domain(
                    self.commercial_partner_id.ids, company.ids
                ),
                order="date_maturity, id",
            )
        )

    def _dunning_statement_data(self, on_date=None):
        """Open items and aging buckets of the customer, company currency."""
        self.ensure_one()
        on_date = (
            on_date
            or self.env.context.get("dunning_statement_date")
            or fields.Date.context_today(self)
        )
        company = self.env.company
        monetary = self.env["ir.qweb.field.monetary"]
        currency = company.currency_id
        lines = self._dunning_open_items(company)
        totals = {name: 0.0 for name, _low, _high in AGING_BUCKETS}
        rows = []
        for line in lines:
            late = days_late(line.date_maturity, on_date) if line.date_maturity else 0
            totals[aging_bucket(late)] += line.amount_residual
            rows.append(
                {
                    "name": line.move_id.name,
                    "invoice_date": format_date(self.env, line.move_id.invoice_date),
                    "date_maturity": format_date(self.env, line.date_maturity),
                    "days_late": max(late, 0),
                    "amount": monetary.value_to_html(
                        line.amount_residual, {"display_currency": currency}
                    ),
                    "amount_raw": line.amount_residual,
                }
            )
        labels = {
            "not_due": self.env._("Not due"),
            "1_30": self.env._("1-30 days"),
            "31_60": self.env._("31-60 days"),
            "61_90": self.env._("61-90 days"),
            "91_120": self.env._("91-120 days"),
            "older": self.env._("Older"),
        }
        return {
            "date": format_date(self.env, on_date),
            "lines": rows,
            "buckets": [
                {
                    "name": name,
                    "label": labels[name],
                    "amount_raw": totals[name],
                    "amount": monetary.value_to_html(
                        totals[name], {"display_currency": currency}
                    ),
                }
                for name, _low, _high in AGING_BUCKETS
            ],
            "total_raw": sum(totals.values()),
            "total": monetary.value_to_html(
                sum(totals.values()), {"display_currency": currency}
            ),
        }
