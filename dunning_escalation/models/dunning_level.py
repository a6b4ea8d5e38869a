# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import fees

FEE_TYPES = [
    ("none", "No fee"),
    ("fixed", "Fixed amount"),
    ("percent", "Percentage of the overdue amount"),
    ("tiers", "Tiers by overdue amount"),
]
COMPENSATION_TYPES = [
    ("none", "None"),
    ("per_invoice", "Fixed amount per invoice"),
    ("uk_bands", "UK fixed sum by size of the debt (GBP 40 / 70 / 100)"),
]


class DunningLevel(models.Model):
    _inherit = "dunning.level"

    credit_hold = fields.Boolean(
        help="Customers with an open item at this level (or above) are put on "
        "credit hold: their new sales orders are refused.",
    )
    fee_type = fields.Selection(
        FEE_TYPES,
        string="Late fee",
        required=True,
        default="none",
        help="Charged once per invoice reaching this level, on the late-fee "
        "invoice of the notice. Amounts are in the company currency and "
        "converted for invoices in another currency.",
    )
    fee_amount = fields.Monetary(string="Fee amount", currency_field="currency_id")
    fee_percent = fields.Float(
        string="Fee percentage",
        digits=(16, 4),
        help="Percent of the invoice's overdue amount.",
    )
    fee_min = fields.Monetary(string="Minimum fee", currency_field="currency_id")
    fee_max = fields.Monetary(
        string="Maximum fee",
        currency_field="currency_id",
        help="Leave empty for no maximum.",
    )
    fee_tier_ids = fields.One2many("dunning.fee.tier", "level_id", string="Fee tiers")
    compensation_type = fields.Selection(
        COMPENSATION_TYPES,
        string="Recovery cost compensation",
        required=True,
        default="none",
        help="The statutory fixed compensation for recovery costs (EUR 40 "
        "per invoice under Directive 2011/7/EU): charged at most once per "
        "invoice, whatever the level.",
    )
    compensation_amount = fields.Monetary(
        string="Compensation per invoice", currency_field="currency_id"
    )
    charge_interest = fields.Boolean(
        string="Invoice interest",
        help="Invoice the late-payment interest of the policy accrued on the "
        "invoices of the notice, from the day after the last interest "
        "charge up to the notice date.",
    )

    _sql_constraints = [
        (
            "fee_amount_positive",
            "CHECK (fee_amount >= 0)",
            "Fee amount: a late fee cannot be negative.",
        ),
        (
            "fee_percent_positive",
            "CHECK (fee_percent >= 0)",
            "Fee percentage: a late fee cannot be negative.",
        ),
        (
            "fee_min_positive",
            "CHECK (fee_min >= 0)",
            "Minimum fee: a late fee cannot be negative.",
        ),
        (
            "fee_max_positive",
            "CHECK (fee_max >= 0)",
            "Maximum fee: a late fee cannot be negative.",
        ),
        (
            "compensation_amount_positive",
            "CHECK (compensation_amount >= 0)",
            "Compensation per invoice: the compensation cannot be negative.",
        ),
    ]

    @api.constrains("fee_min", "fee_max")
    def _check_fee_bounds(self):
        for level in self:
            if level.fee_max and level.fee_max < level.fee_min:
                raise ValidationError(
                    self.env._(
                        "Maximum fee of level %(level)s (%(max)s) is below its "
                        "minimum fee (%(min)s).",
                        level=level.name,
                        max=level.fee_max,
                        min=level.fee_min,
                    )
                )

    @api.constrains(
        "fee_type",
        "fee_tier_ids",
        "fee_amount",
        "fee_percent",
        "compensation_type",
        "compensation_amount",
    )
    def _check_fee_config(self):
        for level in self:
            if level.fee_type == "tiers":
                level._get_fee_tiers()
            elif level.fee_type == "fixed" and not level.fee_amount:
                raise ValidationError(
                    self.env._(
                        "Fee amount: level %(level)s charges a fixed fee, "
                        "give its amount.",
                        level=level.name,
                    )
                )
            elif level.fee_type == "percent" and not level.fee_percent:
                raise ValidationError(
                    self.env._(
                        "Fee percentage: level %(level)s charges a percentage, "
                        "give the percentage.",
                        level=level.name,
                    )
                )
            if level.compensation_type == "per_invoice" and not (
                level.compensation_amount
            ):
                raise ValidationError(
                    self.env._(
                        "Compensation per invoice: level %(level)s charges a "
                        "compensation per invoice, give its amount.",
                        level=level.name,
                    )
                )

    def _get_fee_tiers(self):
        """The validated bands, or a ValidationError naming the tier and field."""
        self.ensure_one()
        try:
            return fees.validate_tiers([tier._to_tier() for tier in self.fee_tier_ids])
        except ValueError as error:
            raise ValidationError(
                self.env._(
                    "Fee tiers of level %(level)s: %(error)s",
                    level=self.name,
                    error=str(error),
                )
            ) from None

    def _has_charges(self):
        """Extension hook: whether a notice at this level may charge
        anything (a fee, a compensation, interest); a level that answers
        False never calls the charge rules."""
        self.ensure_one()
        return (
            self.fee_type != "none"
            or self.compensation_type != "none"
            or (self.charge_interest and self.policy_id.interest_type != "none")
        )

    def _get_fee(self, overdue, digits):
        """The late fee for an invoice with ``overdue`` (company currency)."""
        self.ensure_one()
        if self.fee_type == "fixed":
            return fees.fixed_fee(self.fee_amount, digits) if overdue > 0 else 0
        if self.fee_type == "percent":
            return fees.percentage_fee(
                overdue,
                self.fee_percent,
                digits,
                minimum=self.fee_min or None,
                maximum=self.fee_max or None,
            )
        if self.fee_type == "tiers":
            return fees.tier_fee(overdue, self._get_fee_tiers(), digits)
        return 0
