# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import format_amount, format_date

from .dunning_partner_state import HOLD_ORIGINS


class ResPartner(models.Model):
    """Credit hold of the customer in the current company, and its exposure."""

    _inherit = "res.partner"

    dunning_status = fields.Selection(selection_add=[("plan", "On payment plan")])
    credit_hold = fields.Boolean(
        string="Credit hold",
        compute="_compute_credit_hold",
        search="_search_credit_hold",
    )
    credit_hold_reason = fields.Char(compute="_compute_credit_hold")
    credit_hold_since = fields.Date(compute="_compute_credit_hold")
    credit_hold_origin = fields.Selection(HOLD_ORIGINS, compute="_compute_credit_hold")
    credit_hold_user_id = fields.Many2one(
        "res.users", string="Held by", compute="_compute_credit_hold"
    )
    credit_hold_sticky = fields.Boolean(
        string="No automatic release", compute="_compute_credit_hold"
    )
    dunning_quotation_amount = fields.Monetary(
        string="Quotations",
        compute="_compute_dunning_exposure",
        currency_field="dunning_currency_id",
    )
    dunning_to_invoice_amount = fields.Monetary(
        string="Orders to invoice",
        compute="_compute_dunning_exposure",
        currency_field="dunning_currency_id",
    )
    dunning_exposure = fields.Monetary(
        string="Total exposure",
        compute="_compute_dunning_exposure",
        currency_field="dunning_currency_id",
        help="Open receivables + orders to invoice + quotations.",
    )
    dunning_plan_count = fields.Integer(
        string="Payment plans",
        compute="_compute_dunning_plan_count",
        groups="dunning_followup.group_dunning_user",
    )

    @api.model
    def _dunning_state_field_names(self):
        """The credit hold fields and the exposure also follow the rows."""
        return [
            *super()._dunning_state_field_names(),
            "credit_hold",
            "credit_hold_reason",
            "credit_hold_since",
            "credit_hold_origin",
            "credit_hold_user_id",
            "credit_hold_sticky",
            "dunning_exposure",
        ]

    @api.depends_context("company")
    def _compute_credit_hold(self):
        states = self._dunning_state_for(self.env.company)
        empty = self.env["dunning.partner.state"]
        for partner in self:
            state = states.get(partner.commercial_partner_id.id, empty)
            partner.credit_hold = state.credit_hold
            partner.credit_hold_reason = state.credit_hold_reason
            partner.credit_hold_since = state.credit_hold_since
            partner.credit_hold_origin = state.credit_hold_origin
            partner.credit_hold_user_id = state.credit_hold_user_id.sudo(False)
            partner.credit_hold_sticky = state.credit_hold_sticky

    def _search_credit_hold(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        held = (
            self.env["dunning.partner.state"]
            .sudo()
            ._search(
                [("credit_hold", "=", True), ("company_id", "=", self.env.company.id)]
            )
        )
        positive = (operator == "=") == value
        return [
            (
                "commercial_partner_id",
                "in" if positive else "not in",
                held.subselect("partner_id"),
            )
        ]

    @api.depends_context("company")
    def _compute_dunning_exposure(self):
        commercial = self.commercial_partner_id
        company = self.env.company
        quotations = {}
        for partner, amount in (
            self.env["sale.order"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "child_of", commercial.ids),
                    ("state", "in", ("draft", "sent")),
                    ("company_id", "=", company.id),
                ],
                ["partner_id"],
                ["amount_total:sum"],
            )
        ):
            key = partner.commercial_partner_id.id
            quotations[key] = quotations.get(key, 0.0) + amount
        figures = self._dunning_credit_figures(commercial.ids, company.id)
        for partner in self:
            key = partner.commercial_partner_id.id
            due, to_invoice = figures.get(key, (0.0, 0.0))
            partner.dunning_quotation_amount = quotations.get(key, 0.0)
            partner.dunning_to_invoice_amount = to_invoice
            partner.dunning_exposure = (
                due + to_invoice + partner.dunning_quotation_amount
            )

    @api.model
    def _dunning_credit_figures(self, partner_ids, company_id):
        """``{commercial partner id: (open receivables, orders to invoice)}``
        in the company's currency, in one query.

        Open receivables come from the follow-up state row (kept current on
        every payment); orders to invoice from the stored untaxed amount to
        invoice of confirmed order lines, grossed up by each line's tax ratio
        (Odoo's tax-included ``amount_to_invoice`` is not stored), converted
        at the order's rate.  Used by the customer form and by the credit
        limit check of an order confirmation, which may not read the orders
        one by one.
        """
        if not partner_ids:
            return {}
        self.env["dunning.partner.state"].flush_model(["due_amount"])
        self.env["sale.order.line"].flush_model(
            ["untaxed_amount_to_invoice", "price_total", "price_subtotal", "order_id"]
        )
        self.env["sale.order"].flush_model(
            ["partner_id", "company_id", "state", "currency_rate"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id,
                       COALESCE((SELECT st.due_amount FROM dunning_partner_state st
                                  WHERE st.partner_id = p.id
                                    AND st.company_id = %(company)s), 0),
                       COALESCE((
                           SELECT SUM(sol.untaxed_amount_to_invoice
                                      * sol.price_total / sol.price_subtotal
                                      / COALESCE(NULLIF(so.currency_rate, 0), 1))
                             FROM sale_order so
                             JOIN res_partner buyer ON buyer.id = so.partner_id
                             JOIN sale_order_line sol ON sol.order_id = so.id
                            WHERE buyer.commercial_partner_id = p.id
                              AND so.company_id = %(company)s
                              AND so.state = 'sale'
                              AND sol.untaxed_amount_to_invoice > 0
                              AND sol.price_subtotal <> 0), 0)
                  FROM unnest(%(partners)s::int[]) AS p(id)
                """,
                company=company_id,
                partners=list(partner_ids),
            )
        )
        return {row[0]: (row[1], row[2]) for row in self.env.cr.fetchall()}

    @api.depends_context("company")
    def _compute_dunning_plan_count(self):
        groups = self.env["dunning.installment.plan"]._read_group(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "=", self.env.company.id),
            ],
            ["partner_id"],
            ["__count"],
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.dunning_plan_count = counts.get(partner.commercial_partner_id.id, 0)

    def action_dunning_plan(self):
        """A new payment plan for the customer's open invoices."""
        self.ensure_one()
        return self.env["dunning.installment.plan"]._action_new(
            self.commercial_partner_id, self.env.company
        )

    def action_open_dunning_plans(self):
        self.ensure_one()
        return self.env["dunning.installment.plan"]._action_list(
            [("partner_id", "=", self.commercial_partner_id.id)]
        )

    def action_credit_hold(self):
        return self._open_credit_hold_wizard("hold")

    def action_credit_release(self):
        return self._open_credit_hold_wizard("release")

    def _open_credit_hold_wizard(self, mode):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit hold"),
            "res_model": "dunning.credit.hold",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_ids": self.commercial_partner_id.ids,
                "default_mode": mode,
            },
        }

    def _dunning_statement_data(self, on_date=None):
        """The statement also lists the late payment charges not yet on a
        posted invoice (posted late-fee invoices are open items already)."""
        data = super()._dunning_statement_data(on_date=on_date)
        charges = (
            self.env["dunning.charge"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self.commercial_partner_id.id),
                    ("company_id", "=", self.env.company.id),
                    ("state", "in", ("pending", "draft")),
                ],
                order="date, id",
            )
        )
        monetary = self.env["ir.qweb.field.monetary"]
        data["charges"] = [
            {
                "label": charge.name,
                "date": format_date(self.env, charge.date),
                "amount": monetary.value_to_html(
                    charge.amount, {"display_currency": charge.currency_id}
                ),
                "amount_raw": charge.amount,
            }
            for charge in charges
        ]
        plan = (
            self.env["dunning.installment.plan"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self.commercial_partner_id.id),
                    ("company_id", "=", self.env.company.id),
                    ("state", "=", "active"),
                ],
                order="id desc",
                limit=1,
            )
        )
        data["plan"] = plan and {
            "name": plan.name,
            "total": format_amount(self.env, plan.amount_total, plan.currency_id),
            "lines": plan._schedule_rows(),
        }
        return data
