# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import format_amount

from ..tools import fees


class DunningFeeTier(models.Model):
    """One band of a tiered fee: for an overdue amount from ``lower`` (in)
    to ``upper`` (out), the fee is ``fixed + percent %`` of the amount,
    clamped to [minimum, maximum].  The level checks that its bands start
    at 0 and follow each other without gap or overlap."""

    _name = "dunning.fee.tier"
    _description = "Late fee tier"
    _order = "level_id, lower, id"

    level_id = fields.Many2one(
        "dunning.level", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="level_id.company_id", store=True)
    currency_id = fields.Many2one(related="level_id.currency_id")
    lower = fields.Monetary(string="From", currency_field="currency_id")
    upper = fields.Monetary(
        string="Up to",
        currency_field="currency_id",
        help="Excluded; leave empty on the last band for no limit.",
    )
    fixed = fields.Monetary(string="Fixed part", currency_field="currency_id")
    percent = fields.Float(string="Percentage", digits=(16, 4))
    minimum = fields.Monetary(currency_field="currency_id")
    maximum = fields.Monetary(
        currency_field="currency_id", help="Leave empty for no maximum."
    )

    _sql_constraints = [
        (
            "amounts_positive",
            "CHECK (lower >= 0 AND COALESCE(upper, 0) >= 0 AND fixed >= 0 "
            "AND percent >= 0 AND COALESCE(minimum, 0) >= 0 "
            "AND COALESCE(maximum, 0) >= 0)",
            "Fee tiers: From, Up to, Fixed part, Percentage, Minimum and Maximum "
            "cannot be negative.",
        ),
    ]

    @api.constrains("lower", "upper", "minimum", "maximum")
    def _check_band(self):
        """Each band on its own; how bands follow each other is checked by the
        level, once all its bands are written."""
        for tier in self:
            if tier.upper and tier.upper <= tier.lower:
                raise ValidationError(
                    self.env._(
                        "Fee tiers of level %(level)s: Up to (%(upper)s) must be "
                        "greater than From (%(lower)s).",
                        level=tier.level_id.name,
                        upper=format_amount(self.env, tier.upper, tier.currency_id),
                        lower=format_amount(self.env, tier.lower, tier.currency_id),
                    )
                )
            if tier.maximum and tier.maximum < tier.minimum:
                raise ValidationError(
                    self.env._(
                        "Fee tiers of level %(level)s: Maximum (%(maximum)s) is "
                        "below Minimum (%(minimum)s).",
                        level=tier.level_id.name,
                        maximum=format_amount(self.env, tier.maximum, tier.currency_id),
                        minimum=format_amount(self.env, tier.minimum, tier.currency_id),
                    )
                )

    def _to_tier(self):
        self.ensure_one()
        return fees.Tier(
            lower=self.lower,
            upper=self.upper or None,
            fixed=self.fixed,
            percent=self.percent,
            minimum=self.minimum or None,
            maximum=self.maximum or None,
        )
