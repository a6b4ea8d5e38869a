# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from .dunning_partner_state import HOLD_ORIGINS


class ResPartner(models.Model):
    """Credit hold of the customer in the current company, and its exposure."""

    _inherit = "res.partner"

    credit_hold = fields.Boolean(
        compute="_compute_credit_hold", search="_search_credit_hold"
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

    @api.model
    def _dunning_state_field_names(self):
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
        Order = self.env["sale.order"].sudo()
        company = self.env.company
        quotations = dict(
            Order._read_group(
                [
                    ("partner_id", "child_of", commercial.ids),
                    ("state", "in", ("draft", "sent")),
                    ("company_id", "=", company.id),
                ],
                ["partner_id"],
                ["amount_total:sum"],
            )
        )
        # amount_to_invoice is not stored: add it up over the orders
        to_invoice = {}
        for order in Order.search(
            [
                ("partner_id", "child_of", commercial.ids),
                ("state", "=", "sale"),
                ("invoice_status", "=", "to invoice"),
                ("company_id", "=", company.id),
            ]
        ):
            to_invoice[order.partner_id] = (
                to_invoice.get(order.partner_id, 0.0) + order.amount_to_invoice
            )
        by_commercial_q, by_commercial_i = {}, {}
        for partner, amount in quotations.items():
            key = partner.commercial_partner_id.id
            by_commercial_q[key] = by_commercial_q.get(key, 0.0) + amount
        for partner, amount in to_invoice.items():
            key = partner.commercial_partner_id.id
            by_commercial_i[key] = by_commercial_i.get(key, 0.0) + amount
        for partner in self:
            key = partner.commercial_partner_id.id
            partner.dunning_quotation_amount = by_commercial_q.get(key, 0.0)
            partner.dunning_to_invoice_amount = by_commercial_i.get(key, 0.0)
            partner.dunning_exposure = (
                partner.dunning_due_amount
                + partner.dunning_quotation_amount
                + partner.dunning_to_invoice_amount
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
