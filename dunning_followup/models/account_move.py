# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, sql

from .account_move_line import DUNNING_MOVE_TYPES, DUNNING_PAYMENT_STATES

EXCLUSION_REASONS = [
    ("dispute", "Dispute"),
    ("promise", "Promise to pay"),
    ("other", "Other"),
]


class AccountMove(models.Model):
    _inherit = "account.move"

    dunning_level_id = fields.Many2one(
        "dunning.level",
        string="Follow-up level",
        compute="_compute_dunning_level_id",
        search="_search_dunning_level_id",
        help="Highest follow-up level reached by the installments of this invoice.",
    )
    dunning_last_date = fields.Date(string="Last notice", readonly=True, copy=False)
    dunning_excluded = fields.Boolean(
        string="Excluded from follow-up",
        copy=False,
        tracking=True,
        help="No notice is sent for this invoice while it is excluded.",
    )
    dunning_exclusion_reason = fields.Selection(
        EXCLUSION_REASONS, string="Exclusion reason", copy=False, tracking=True
    )
    dunning_excluded_until = fields.Date(
        string="Excluded until",
        copy=False,
        tracking=True,
        help="The invoice re-enters the follow-up after this date.",
    )
    dunning_exclusion_note = fields.Char(string="Exclusion note", copy=False)
    # the notices are read by invoicing users and up: a salesperson or a portal
    # customer reading the invoice does not see (nor count) them
    dunning_action_line_ids = fields.One2many(
        "dunning.action.line",
        "move_id",
        string="Follow-up history",
        readonly=True,
        groups="account.group_account_invoice",
    )
    dunning_action_count = fields.Integer(
        compute="_compute_dunning_action_count", groups="account.group_account_invoice"
    )

    def init(self):
        res = super().init()
        # The follow-up run walks customers with open invoices in id order,
        # a batch at a time: this partial index answers "the next N customers
        # with something open" without reading paid invoices.
        sql.create_index(
            self.env.cr,
            "account_move_dunning_open_partner_idx",
            self._table,
            ["company_id", "commercial_partner_id"],
            # the rows of _dunning_open_invoice_sql, from the same constants
            where="move_type IN ({}) AND state = 'posted' AND payment_state IN ({})".format(
                ", ".join(f"'{value}'" for value in DUNNING_MOVE_TYPES),
                ", ".join(f"'{value}'" for value in DUNNING_PAYMENT_STATES),
            ),
        )
        # Follow-ups, statements and promises look invoices up by customer
        # (the commercial entity), which Odoo does not index.
        sql.create_index(
            self.env.cr,
            "account_move_dunning_commercial_partner_idx",
            self._table,
            ["commercial_partner_id"],
        )
        return res

    @api.model
    def _dunning_open_invoice_domain(self, company_id=None):
        """Domain of the invoices that can hold open installments (of
        ``company_id`` when given): posted customer invoices and receipts,
        not paid or partly paid.  Its SQL twin is
        :meth:`_dunning_open_invoice_sql`."""
        domain = [
            ("move_type", "in", DUNNING_MOVE_TYPES),
            ("state", "=", "posted"),
            ("payment_state", "in", DUNNING_PAYMENT_STATES),
        ]
        if company_id is not None:
            domain.insert(0, ("company_id", "=", company_id))
        return domain

    @api.model
    def _dunning_open_invoice_sql(self, company_id=None, move="move"):
        """:meth:`_dunning_open_invoice_domain` as an SQL condition on the
        alias ``move``: the rows of the partial index
        ``account_move_dunning_open_partner_idx``, which this condition
        lets the planner use.  Implied by the rule on the installments
        (:meth:`account.move.line._dunning_open_installment_sql`), which
        says which of their lines are open."""
        condition = SQL(
            """%(move)s.move_type IN %(types)s
               AND %(move)s.state = 'posted'
               AND %(move)s.payment_state IN %(payment_states)s""",
            move=SQL.identifier(move),
            types=DUNNING_MOVE_TYPES,
            payment_states=DUNNING_PAYMENT_STATES,
        )
        if company_id is not None:
            condition = SQL(
                "%s.company_id = %s AND %s", SQL.identifier(move), company_id, condition
            )
        return condition

    @api.model
    def _dunning_excluded_sql(self, on_date, move="move"):
        """The invoice (alias ``move``) is excluded from the follow-up on
        ``on_date``: excluded with no end, or an end not passed yet."""
        move = SQL.identifier(move)
        return SQL(
            """(%(move)s.dunning_excluded IS TRUE
                AND (%(move)s.dunning_excluded_until IS NULL
                     OR %(move)s.dunning_excluded_until >= %(date)s))""",
            move=move,
            date=on_date,
        )

    @api.depends("dunning_action_line_ids.level_id")
    def _compute_dunning_level_id(self):
        # kept on the follow-up items, not here: see dunning.action.line
        levels = self.env["dunning.action.line"]._highest_levels(
            "move_id", self._origin.ids
        )
        for move in self:
            move.dunning_level_id = levels.get(move._origin.id, False)

    def _search_dunning_level_id(self, operator, value):
        return self.env["dunning.action.line"]._search_highest_level(
            "move_id", operator, value
        )

    @api.depends("dunning_action_line_ids")
    def _compute_dunning_action_count(self):
        groups = self.env["dunning.action.line"]._read_group(
            [("move_id", "in", self.ids)], ["move_id"], ["action_id:count_distinct"]
        )
        counts = {move.id: count for move, count in groups}
        for move in self:
            move.dunning_action_count = counts.get(move.id, 0)

    @api.constrains("dunning_excluded", "dunning_exclusion_reason")
    def _check_dunning_exclusion(self):
        for move in self:
            if move.dunning_excluded and not move.dunning_exclusion_reason:
                raise ValidationError(
                    self.env._(
                        "Exclusion reason: say why invoice %(move)s is excluded from "
                        "the follow-up.",
                        move=move.display_name,
                    )
                )

    @api.onchange("dunning_excluded")
    def _onchange_dunning_excluded(self):
        if self.dunning_excluded and not self.dunning_exclusion_reason:
            self.dunning_exclusion_reason = "dispute"
        if not self.dunning_excluded:
            self.dunning_exclusion_reason = False
            self.dunning_excluded_until = False

    #: what the follow-up run reads of an invoice: a write of one of them
    #: marks the customer for the next daily run (dunning.partner.state)
    _DUNNING_RUN_FIELDS = frozenset(
        {
            "state",
            "move_type",
            "company_id",
            "partner_id",
            "commercial_partner_id",
            "invoice_date_due",
            "dunning_excluded",
            "dunning_exclusion_reason",
            "dunning_excluded_until",
        }
    )

    def write(self, vals):
        watched = self._DUNNING_RUN_FIELDS & set(vals)
        before = self._dunning_state_keys() if watched else set()
        res = super().write(vals)
        if {"dunning_excluded", "dunning_excluded_until"} & set(vals):
            self._dunning_refresh_partners()
        if watched:
            self.env["dunning.partner.state"].sudo()._mark_changed(
                before | self._dunning_state_keys()
            )
        return res

    def _dunning_mark_changed(self):
        """The next daily run visits the customers of these posted
        invoices."""
        self.env["dunning.partner.state"].sudo()._mark_changed(
            self._dunning_state_keys()
        )

    def _dunning_state_keys(self):
        """``(customer, company)`` of these invoices that are posted: the
        state rows a change of theirs concerns."""
        return {
            (move.commercial_partner_id.id, move.company_id.id)
            for move in self
            if move.move_type in DUNNING_MOVE_TYPES and move.state == "posted"
        }

    def _dunning_refresh_partners(self):
        """Bring the follow-up state of these invoices' customers up to date."""
        invoices = self.filtered(lambda m: m.move_type in DUNNING_MOVE_TYPES)
        for company in invoices.company_id:
            partners = invoices.filtered(
                lambda m, company=company: m.company_id == company
            ).commercial_partner_id
            self.env["dunning.partner.state"].sudo()._refresh(partners.ids, company.id)

    def action_toggle_block_payment(self):
        """A blocked invoice is out of the follow-up (the open-installment
        rule): the customer's figures follow at once, and the refresh marks
        the customer for the next daily run."""
        res = super().action_toggle_block_payment()
        self._dunning_refresh_partners()
        return res

    def action_dunning_dispute(self):
        """Put the invoice in dispute: no notice until the dispute is resolved."""
        self.write({"dunning_excluded": True, "dunning_exclusion_reason": "dispute"})
        for move in self:
            move.message_post(
                body=self.env._("Invoice disputed: the follow-up is paused."),
                subtype_xmlid="mail.mt_note",
            )

    def action_dunning_include(self):
        self.write(
            {
                "dunning_excluded": False,
                "dunning_exclusion_reason": False,
                "dunning_excluded_until": False,
            }
        )
        for move in self:
            move.message_post(
                body=self.env._("The follow-up of this invoice resumes."),
                subtype_xmlid="mail.mt_note",
            )

    def action_dunning_promise(self):
        """Record a promise to pay for the customer's overdue invoices and
        this one."""
        self.ensure_one()
        return self.commercial_partner_id.with_company(
            self.company_id
        ).action_dunning_promise(moves=self)

    def action_open_dunning_actions(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Follow-up actions"),
            "res_model": "dunning.action",
            "view_mode": "list,form",
            "domain": [("line_ids.move_id", "=", self.id)],
        }
