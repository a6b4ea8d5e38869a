# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_hold_amount = fields.Monetary(
        string="Hold above overdue amount",
        currency_field="currency_id",
        help="Put a customer on credit hold when its overdue amount reaches this "
        "amount (0: never by amount).",
    )
    dunning_hold_days = fields.Integer(
        string="Hold after days late",
        help="Put a customer on credit hold when its oldest open item is this many "
        "days late (0: never by age).",
    )
    dunning_hold_all_companies = fields.Boolean(
        string="Holds of other companies apply",
        help="Refuse orders of a customer on credit hold in any company, not only "
        "in this one.",
    )
    dunning_hold_prepayment = fields.Boolean(
        string="Prepayment for held customers",
        help="New quotations of held customers ask for full online payment.",
    )
    dunning_hold_notify_salesperson = fields.Boolean(
        string="Tell the salesperson",
        default=True,
        help="Schedule an activity for the customer's salesperson when a hold "
        "starts.",
    )
    dunning_hold_credit_limit = fields.Boolean(
        string="Hold orders over the credit limit",
        help="Refuse an order that would take the customer past its credit limit "
        "(open receivables + orders to invoice + this order).",
    )

    @api.constrains("dunning_hold_amount", "dunning_hold_days")
    def _check_dunning_hold_thresholds(self):
        for company in self:
            if company.dunning_hold_amount < 0:
                raise ValidationError(
                    self.env._("Hold above overdue amount cannot be negative.")
                )
            if company.dunning_hold_days < 0:
                raise ValidationError(
                    self.env._("Hold after days late cannot be negative.")
                )

    def write(self, vals):
        res = super().write(vals)
        if {"dunning_hold_amount", "dunning_hold_days"} & set(vals):
            # new thresholds: the next daily run looks at every customer
            self.env["dunning.partner.state"].sudo()._mark_company_changed(self.ids)
        return res
