# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo import Command
from odoo.tests import tagged

from odoo.addons.dunning_followup.tests.bad_input import BadInputMixin
from odoo.addons.dunning_followup.tests.common import DunningCommon


@tagged("post_install", "-at_install")
class TestBadInput(BadInputMixin, DunningCommon):
    """Bad values of fees, fee tiers, interest, reference rates and hold
    settings, as a table: each refused with a message naming the field,
    nothing partly written."""

    def _level_cases(self):
        level = self.level_first
        Tier = self.env["dunning.fee.tier"]

        def values():
            return level.read(
                [
                    "name",
                    "fee_type",
                    "fee_amount",
                    "fee_percent",
                    "fee_min",
                    "fee_max",
                    "compensation_type",
                    "compensation_amount",
                ]
            )

        def tiers():
            return Tier.search_count([("level_id", "=", level.id)]), values()

        def write(**vals):
            return lambda: level.write({"name": "Changed", **vals})

        def with_tiers(*bands):
            return write(
                fee_type="tiers",
                fee_tier_ids=[
                    Command.create(dict(zip(("lower", "upper"), band, strict=True)))
                    for band in bands
                ],
            )

        def tier(**vals):
            band = {"lower": 0.0, "upper": 100.0, "fixed": 5.0}
            return write(
                fee_type="tiers", fee_tier_ids=[Command.create({**band, **vals})]
            )

        return [
            ("fee amount negative", write(fee_amount=-1), "Fee amount", values),
            ("fixed fee without amount", write(fee_type="fixed"), "Fee amount", values),
            (
                "fee percentage negative",
                write(fee_percent=-2),
                "Fee percentage",
                values,
            ),
            (
                "percentage fee without percentage",
                write(fee_type="percent"),
                "Fee percentage",
                values,
            ),
            ("minimum fee negative", write(fee_min=-1), "Minimum fee", values),
            ("maximum fee negative", write(fee_max=-1), "Maximum fee", values),
            (
                "maximum fee below minimum",
                write(fee_min=50, fee_max=10),
                "Maximum fee",
                values,
            ),
            (
                "compensation negative",
                write(compensation_amount=-40),
                "Compensation per invoice",
                values,
            ),
            (
                "compensation per invoice without amount",
                write(compensation_type="per_invoice"),
                "Compensation per invoice",
                values,
            ),
            (
                "unknown fee type",
                write(fee_type="whatever"),
                "fee_type",
                values,
            ),
            ("tiers without any tier", write(fee_type="tiers"), "Fee tiers", tiers),
            ("tiers not starting at 0", with_tiers((10, None)), "Fee tiers", tiers),
            (
                "tiers with a gap",
                with_tiers((0, 100), (150, None)),
                "Fee tiers",
                tiers,
            ),
            (
                "tiers overlapping",
                with_tiers((0, 100), (50, None)),
                "Fee tiers",
                tiers,
            ),
            (
                "tier open-ended before another",
                with_tiers((0, None), (100, None)),
                "Fee tiers",
                tiers,
            ),
            ("tier upper below lower", tier(lower=0, upper=-5), "Up to", tiers),
            (
                "tier upper equal to lower",
                with_tiers((0, 100), (100, 100)),
                "Up to",
                tiers,
            ),
            ("tier negative fixed part", tier(fixed=-1), "Fixed part", tiers),
            ("tier negative percentage", tier(percent=-1), "Percentage", tiers),
            (
                "tier maximum below minimum",
                tier(minimum=20, maximum=10),
                "Maximum",
                tiers,
            ),
            ("tier negative minimum", tier(minimum=-3), "Minimum", tiers),
        ]

    def _policy_cases(self):
        policy = self.policy

        def values():
            return policy.read(
                [
                    "name",
                    "interest_type",
                    "interest_rate",
                    "interest_rate_code",
                    "interest_margin",
                    "interest_grace_days",
                    "interest_max_rate",
                    "interest_max_total",
                ]
            )

        def write(**vals):
            return lambda: policy.write({"name": "Changed", **vals})

        return [
            (
                "interest rate negative",
                write(interest_type="fixed", interest_rate=-1),
                "Annual rate (%)",
                values,
            ),
            (
                "fixed interest without rate",
                write(interest_type="fixed", interest_rate=0),
                "Annual rate (%)",
                values,
            ),
            (
                "reference interest without reference",
                write(interest_type="reference", interest_rate_code=False),
                "Reference rate",
                values,
            ),
            (
                "margin negative",
                write(interest_margin=-0.5),
                "Margin (points)",
                values,
            ),
            (
                "consumer margin negative",
                write(interest_margin_consumer=-1),
                "Margin (points)",
                values,
            ),
            (
                "grace days negative",
                write(interest_grace_days=-3),
                "Grace days",
                values,
            ),
            (
                "maximum rate negative",
                write(interest_max_rate=-1),
                "Maximum annual rate (%)",
                values,
            ),
            (
                "maximum rate below the rate",
                write(interest_type="fixed", interest_rate=9, interest_max_rate=5),
                "Maximum annual rate (%)",
                values,
            ),
            (
                "maximum interest per invoice negative",
                write(interest_max_total=-10),
                "Maximum interest per invoice",
                values,
            ),
            (
                "unknown reference rate",
                write(interest_rate_code="libor"),
                "interest_rate_code",
                values,
            ),
        ]

    def _rate_and_hold_cases(self):
        Rate = self.env["dunning.reference.rate"]
        company = self.company
        day = date(2031, 1, 1)

        def rates():
            return Rate.search_count([]), Rate.search_count([("date_from", "=", day)])

        def new_rate(**vals):
            return lambda: Rate.create(
                {"code": "ecb_mro", "date_from": day, "rate": 2.0, **vals}
            )

        def twice():
            Rate.create({"code": "ecb_mro", "date_from": day, "rate": 2.0})
            Rate.create({"code": "ecb_mro", "date_from": day, "rate": 2.5})

        def hold():
            return company.read(
                ["dunning_hold_amount", "dunning_hold_days", "dunning_hold_prepayment"]
            )

        def write_company(**vals):
            return lambda: company.write({"dunning_hold_prepayment": True, **vals})

        return [
            ("rate above 100 %", new_rate(rate=150), "Rate (%)", rates),
            ("rate at -100 %", new_rate(rate=-100), "Rate (%)", rates),
            ("rate without date", new_rate(date_from=False), "Valid from", rates),
            ("rate without code", new_rate(code=False), "Rate", rates),
            ("rate twice on one day", twice, "Valid from", rates),
            ("rate of an unknown code", new_rate(code="libor"), "code", rates),
            (
                "hold amount negative",
                write_company(dunning_hold_amount=-1),
                "Hold above overdue amount",
                hold,
            ),
            (
                "hold days negative",
                write_company(dunning_hold_days=-1),
                "Hold after days late",
                hold,
            ),
        ]

    def test_bad_configuration_is_refused(self):
        cases = self._level_cases() + self._policy_cases() + self._rate_and_hold_cases()
        self.assertGreaterEqual(self.assertRefused(cases), 35)
