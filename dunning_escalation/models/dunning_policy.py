# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import interest, presets
from .dunning_reference_rate import RATE_CODES

PRESETS = [(code, preset.name) for code, preset in presets.PRESETS.items()]


class DunningPolicy(models.Model):
    _inherit = "dunning.policy"

    hold_on_broken_promise = fields.Boolean(
        string="Hold on broken promise",
        help="A customer who breaks a promise to pay, or a payment plan, is put "
        "on credit hold at once, until its overdue items are paid.",
    )
    # -- interest -------------------------------------------------------------
    interest_type = fields.Selection(
        [
            ("none", "No interest"),
            ("fixed", "Fixed annual rate"),
            ("reference", "Reference rate plus a margin"),
        ],
        string="Interest",
        required=True,
        default="none",
        help="Simple interest, day by day, on what stays unpaid after the due "
        "date; invoiced by the levels that invoice interest.",
    )
    interest_rate = fields.Float(
        string="Annual rate (%)", digits=(16, 4), help="Contractual annual rate."
    )
    interest_rate_code = fields.Selection(RATE_CODES, string="Reference rate")
    interest_rate_rule = fields.Selection(
        [
            (interest.DAILY, "Rate in force each day"),
            (interest.HALF_YEAR, "Rate on 1 January / 1 July, for the half-year"),
            (
                interest.FIXED_AT_DUE,
                "Rate on the 30 June / 31 December before the due date, fixed",
            ),
        ],
        string="Which reference",
        default=interest.DAILY,
        required=True,
    )
    interest_margin = fields.Float(
        string="Margin (points)",
        digits=(16, 4),
        help="Points added to the reference rate for business customers.",
    )
    interest_consumers = fields.Boolean(
        string="Interest for consumers",
        default=True,
        help="Charge interest to customers that are individuals, not "
        "companies, with the consumer margin.",
    )
    interest_margin_consumer = fields.Float(
        string="Consumer margin (points)", digits=(16, 4)
    )
    interest_day_count = fields.Selection(
        [
            (interest.ACTUAL_365, "Actual/365"),
            (interest.ACTUAL_360, "Actual/360"),
            (interest.ACTUAL_ACTUAL, "Actual/actual"),
        ],
        string="Day count",
        default=interest.ACTUAL_365,
        required=True,
    )
    interest_grace_days = fields.Integer(
        string="Grace days",
        help="Interest starts this many days after the due date (and then "
        "runs from the end of the grace period).",
    )
    interest_max_rate = fields.Float(
        string="Maximum annual rate (%)",
        digits=(16, 4),
        help="Legal or contractual cap; leave empty for none.",
    )
    interest_max_total = fields.Monetary(
        string="Maximum interest per invoice",
        currency_field="currency_id",
        help="Total interest ever charged on one invoice; leave empty for none.",
    )
    interest_preset = fields.Selection(
        PRESETS,
        string="Statutory terms",
        help="Fill the interest and the recovery compensation with the "
        "statutory terms of a jurisdiction, for business customers.",
    )
    compensation_consumers = fields.Boolean(
        string="Compensation from consumers",
        help="Charge the recovery cost compensation of the levels to customers "
        "that are individuals too (the EU, German, French and UK rules do not).",
    )
    # -- late-fee invoices ----------------------------------------------------
    fee_move_state = fields.Selection(
        [("draft", "Draft, for review"), ("posted", "Posted")],
        string="Late-fee invoices",
        required=True,
        default="draft",
        help="Fees and interest of a notice go on one late-fee invoice per "
        "customer, left in draft for review or posted at once.",
    )
    charge_fee_invoices = fields.Boolean(
        string="Charge late-fee invoices",
        help="Late-fee invoices paid late bear fees and interest themselves. "
        "Off by default: no fee on fees.",
    )

    _sql_constraints = [
        (
            "interest_rate_positive",
            "CHECK (interest_rate >= 0)",
            "Annual rate (%): the interest rate cannot be negative.",
        ),
        (
            "interest_margin_positive",
            "CHECK (interest_margin >= 0 AND interest_margin_consumer >= 0)",
            "Margin (points): the margin cannot be negative.",
        ),
        (
            "interest_grace_days_positive",
            "CHECK (interest_grace_days >= 0)",
            "Grace days: cannot be negative.",
        ),
        (
            "interest_caps_positive",
            "CHECK (interest_max_rate >= 0 AND interest_max_total >= 0)",
            "Maximum annual rate (%) and Maximum interest per invoice cannot be "
            "negative.",
        ),
    ]

    @api.constrains(
        "interest_type", "interest_rate", "interest_rate_code", "interest_max_rate"
    )
    def _check_interest(self):
        for policy in self:
            if policy.interest_type == "fixed" and not policy.interest_rate:
                raise ValidationError(
                    self.env._(
                        "Annual rate (%%): policy %(policy)s charges a fixed "
                        "rate, give the rate.",
                        policy=policy.name,
                    )
                )
            if policy.interest_type == "reference" and not policy.interest_rate_code:
                raise ValidationError(
                    self.env._(
                        "Reference rate: policy %(policy)s charges a reference "
                        "rate plus a margin, choose the reference rate.",
                        policy=policy.name,
                    )
                )
            if (
                policy.interest_type == "fixed"
                and policy.interest_max_rate
                and policy.interest_max_rate < policy.interest_rate
            ):
                raise ValidationError(
                    self.env._(
                        "Maximum annual rate (%%) of policy %(policy)s "
                        "(%(max)s) is below its annual rate (%(rate)s).",
                        policy=policy.name,
                        max=policy.interest_max_rate,
                        rate=policy.interest_rate,
                    )
                )

    def action_apply_interest_preset(self):
        """Fill the interest terms and the first overdue level's recovery
        compensation from the chosen statutory preset."""
        for policy in self:
            if not policy.interest_preset:
                raise UserError(
                    self.env._(
                        "Statutory terms: choose the jurisdiction of policy "
                        "%(policy)s first.",
                        policy=policy.name,
                    )
                )
            preset = presets.get_preset(policy.interest_preset)
            consumer_margin = preset.margin(consumer=True)
            policy.write(
                {
                    "interest_type": "reference",
                    "interest_rate": 0.0,
                    "interest_rate_code": preset.reference_rate_code,
                    "interest_rate_rule": preset.rate_rule,
                    "interest_margin": float(preset.margin_business),
                    "interest_consumers": consumer_margin is not None,
                    "interest_margin_consumer": float(consumer_margin or 0),
                    "interest_day_count": preset.day_count,
                    "compensation_consumers": preset.compensation_consumer,
                }
            )
            level = policy.level_ids.filtered(lambda lvl: lvl.days > 0)[:1]
            if not level:
                continue
            if preset.compensation_kind == presets.UK_BANDS:
                level.write({"compensation_type": "uk_bands"})
            else:
                currency = (
                    self.env["res.currency"]
                    .with_context(active_test=False)
                    .search([("name", "=", preset.compensation_currency)], limit=1)
                )
                amount = float(preset.compensation_amount)
                if currency and currency != policy.currency_id:
                    amount = currency._convert(
                        amount,
                        policy.currency_id,
                        policy.company_id,
                        fields.Date.context_today(self),
                    )
                level.write(
                    {"compensation_type": "per_invoice", "compensation_amount": amount}
                )
        return True

    def _is_consumer(self, partner):
        """Individuals (not companies) are consumers for the statutory rules."""
        return not partner.commercial_partner_id.is_company

    def _get_interest_params(self, move, consumer, rate_table):
        """The policy's interest terms for ``move``, as the arguments of
        :func:`..tools.interest.compute_interest`."""
        self.ensure_one()
        params = {
            "day_count": self.interest_day_count,
            "grace_days": self.interest_grace_days,
            "max_annual_rate": self.interest_max_rate or None,
            "digits": move.currency_id.decimal_places,
        }
        if self.interest_type == "fixed":
            params["fixed_rate"] = self.interest_rate
        else:
            params.update(
                rate_table=rate_table,
                rate_rule=self.interest_rate_rule,
                margin=(
                    self.interest_margin_consumer if consumer else self.interest_margin
                ),
            )
        return params
