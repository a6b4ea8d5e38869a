# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Late fees, without a database: fixed, percentage, tiers, UK bands."""

from decimal import Decimal

from odoo.tests import BaseCase, tagged

from ..tools.fees import (
    Tier,
    find_tier,
    fixed_fee,
    per_invoice_compensation,
    percentage_fee,
    tier_fee,
    uk_fixed_compensation,
    validate_tiers,
)

D = Decimal

# A schedule as an admin would enter it (in any order):
#   [0, 100)      : 5 flat
#   [100, 1,000)  : 10 + 1 %
#   [1,000, ...)  : 2 %, at least 25, at most 200
SCHEDULE = [
    Tier(lower=1000, percent=2, minimum=25, maximum=200),
    Tier(lower=0, upper=100, fixed=5),
    Tier(lower=100, upper=1000, fixed=10, percent=1),
]


@tagged("post_install", "-at_install")
class TestSimpleFees(BaseCase):
    def test_fixed_fee(self):
        self.assertEqual(fixed_fee(5, 2), D("5.00"))
        self.assertEqual(fixed_fee("5", 0), D("5"))
        self.assertEqual(fixed_fee(2.5, 3), D("2.500"))
        self.assertEqual(fixed_fee("2.345", 2), D("2.35"))  # half-up
        self.assertEqual(fixed_fee(D("0.5"), 0), D("1"))  # half-up, not to even
        with self.assertRaisesRegex(ValueError, r"^amount must not be negative"):
            fixed_fee(-1, 2)

    def test_percentage_fee(self):
        # 1,234.56 x 1.5 % = 18.5184 -> 18.52
        self.assertEqual(percentage_fee(1234.56, 1.5, 2), D("18.52"))
        # clamped to the minimum, then to the maximum
        self.assertEqual(percentage_fee(1234.56, 1.5, 2, minimum=25), D("25.00"))
        self.assertEqual(percentage_fee(1234.56, 1.5, 2, maximum=10), D("10.00"))
        # JPY: 123,457 x 1.5 % = 1,851.855 -> 1,852
        self.assertEqual(percentage_fee(123457, "1.5", 0), D("1852"))
        # KWD: 1,234.567 x 1.5 % = 18.518505 -> 18.519
        self.assertEqual(percentage_fee("1234.567", "1.5", 3), D("18.519"))

    def test_percentage_fee_on_nothing_is_nothing(self):
        self.assertEqual(percentage_fee(0, 5, 2, minimum=25), D("0.00"))

    def test_percentage_fee_refuses(self):
        with self.assertRaisesRegex(ValueError, r"^overdue must not be negative"):
            percentage_fee(-1, 5, 2)
        with self.assertRaisesRegex(ValueError, r"^percent must not be negative"):
            percentage_fee(100, -5, 2)
        with self.assertRaisesRegex(ValueError, r"^minimum must not be negative"):
            percentage_fee(100, 5, 2, minimum=-1)
        with self.assertRaisesRegex(ValueError, r"maximum \(5\) must not be less"):
            percentage_fee(100, 5, 2, minimum=10, maximum=5)
        with self.assertRaisesRegex(ValueError, r"^digits must be"):
            percentage_fee(100, 5, None)

    def test_per_invoice_compensation(self):
        # 3 late invoices x EUR 40 = 120.00
        self.assertEqual(per_invoice_compensation(3, 40), D("120.00"))
        self.assertEqual(per_invoice_compensation(0, 40), D("0.00"))
        self.assertEqual(per_invoice_compensation(2, "40", digits=0), D("80"))
        with self.assertRaisesRegex(ValueError, r"^invoice_count must be"):
            per_invoice_compensation(-1, 40)
        with self.assertRaisesRegex(ValueError, r"^invoice_count must be"):
            per_invoice_compensation(1.5, 40)
        with self.assertRaisesRegex(ValueError, r"^amount_per_invoice must not"):
            per_invoice_compensation(1, -40)


@tagged("post_install", "-at_install")
class TestUkBands(BaseCase):
    def test_bands_and_boundaries(self):
        # s.5A: below 1,000 -> 40; 1,000 to below 10,000 -> 70; 10,000+ -> 100
        cases = {
            "0.01": "40.00",
            "999.99": "40.00",
            "1000": "70.00",
            "1000.00": "70.00",
            "9999.99": "70.00",
            "10000": "100.00",
            "250000": "100.00",
        }
        for debt, expected in cases.items():
            with self.subTest(debt=debt):
                self.assertEqual(uk_fixed_compensation(debt), D(expected))

    def test_float_at_the_boundary(self):
        self.assertEqual(uk_fixed_compensation(999.99), D("40.00"))
        self.assertEqual(uk_fixed_compensation(1000.0), D("70.00"))

    def test_no_debt_no_compensation(self):
        self.assertEqual(uk_fixed_compensation(0), D("0.00"))
        with self.assertRaisesRegex(ValueError, r"^debt must not be negative"):
            uk_fixed_compensation(-1)


@tagged("post_install", "-at_install")
class TestTiers(BaseCase):
    def test_boundaries_lower_inclusive_upper_exclusive(self):
        cases = {
            "0.01": "5.00",  # [0, 100): 5 flat
            "99.99": "5.00",
            "100": "11.00",  # [100, 1000): 10 + 1 % x 100 = 11
            "999.99": "20.00",  # 10 + 9.9999 = 19.9999 -> 20.00
            "1000": "25.00",  # [1000, ...): 2 % x 1,000 = 20 -> minimum 25
            "5000": "100.00",  # 2 % x 5,000 = 100
            "20000": "200.00",  # 2 % x 20,000 = 400 -> maximum 200
        }
        for overdue, expected in cases.items():
            with self.subTest(overdue=overdue):
                self.assertEqual(tier_fee(overdue, SCHEDULE, 2), D(expected))

    def test_find_tier(self):
        self.assertEqual(find_tier(100, SCHEDULE).lower, D(100))
        self.assertEqual(find_tier("99.99", SCHEDULE).lower, D(0))
        self.assertIsNone(find_tier(1000, [Tier(0, 1000, fixed=5)]))

    def test_nothing_overdue_or_beyond_a_bounded_last_tier(self):
        self.assertEqual(tier_fee(0, SCHEDULE, 2), D("0.00"))
        bounded = [Tier(0, 100, fixed=5), Tier(100, 1000, fixed=10)]
        self.assertEqual(tier_fee(1000, bounded, 2), D("0.00"))

    def test_digits(self):
        # 10 + 1 % x 555.55 = 15.5555 -> 16 (JPY-like) / 15.556 (KWD-like)
        self.assertEqual(tier_fee("555.55", SCHEDULE, 0), D("16"))
        self.assertEqual(tier_fee("555.55", SCHEDULE, 3), D("15.556"))

    def test_validate_sorts(self):
        self.assertEqual(
            [tier.lower for tier in validate_tiers(SCHEDULE)], [D(0), D(100), D(1000)]
        )
        self.assertEqual(SCHEDULE[0].percent, D(2))  # converted on creation

    def assert_refused(self, tiers, pattern):
        with self.assertRaisesRegex(ValueError, pattern):
            validate_tiers(tiers)

    def test_refused_schedules(self):
        self.assert_refused([], r"^tiers: at least one tier")
        self.assert_refused(
            [Tier(10, 100)], r"^tier 1: lower must be 0 for the first tier"
        )
        self.assert_refused(
            [Tier(0, 100), Tier(50, 200)],
            r"^tier 2: lower \(50\) overlaps tier 1, which ends at upper 100",
        )
        self.assert_refused(
            [Tier(0, 100), Tier(0, 200)], r"^tier 2: lower \(0\) overlaps tier 1"
        )
        self.assert_refused(
            [Tier(0, 100), Tier(150)],
            r"^tier 2: lower \(150\) leaves a gap after tier 1",
        )
        self.assert_refused(
            [Tier(0), Tier(100)],
            r"^tier 1: upper is empty \(open-ended\) but tier 2 follows",
        )
        self.assert_refused([Tier(0, 0)], r"^tier 1: upper \(0\) must be greater")
        self.assert_refused([Tier(-5, 10)], r"^tier 1: lower must not be negative")
        self.assert_refused([Tier(0, fixed=-1)], r"^tier 1: fixed must not be negative")
        self.assert_refused(
            [Tier(0, percent="-0.5")], r"^tier 1: percent must not be negative"
        )
        self.assert_refused(
            [Tier(0, minimum=-1)], r"^tier 1: minimum must not be negative"
        )
        self.assert_refused(
            [Tier(0, 100), Tier(100, maximum=-1)],
            r"^tier 2: maximum must not be negative",
        )
        self.assert_refused(
            [Tier(0, minimum=50, maximum=20)],
            r"^tier 1: maximum \(20\) must not be less than minimum \(50\)",
        )

    def test_tier_fee_validates(self):
        with self.assertRaisesRegex(ValueError, r"gap"):
            tier_fee(10, [Tier(0, 100), Tier(200)], 2)
        with self.assertRaisesRegex(ValueError, r"^overdue must not be negative"):
            tier_fee(-10, SCHEDULE, 2)

    def test_tier_values_must_be_numbers(self):
        with self.assertRaisesRegex(ValueError, r"^fixed must be a number"):
            Tier(0, fixed="five")
