# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Installment schedules and payment allocation, without a database.

Every expected schedule is written out in full, so that a reviewer can check
by hand that it sums to the total and falls on the right days.
"""

from datetime import date
from decimal import Decimal

from odoo.tests import BaseCase

from ..tools.installments import (
    Installment,
    add_months,
    allocate_payments,
    split_schedule,
)

D = Decimal


def _pairs(schedule):
    return [(line.date, line.amount) for line in schedule]


class TestSplitSchedule(BaseCase):
    def test_three_equal_monthly_two_decimals(self):
        # 100 / 3 = 33.333...: 33.33, 33.33, and 33.34 for the last
        schedule = split_schedule(100, 2, date(2026, 3, 10), count=3)
        self.assertEqual(
            _pairs(schedule),
            [
                (date(2026, 3, 10), D("33.33")),
                (date(2026, 4, 10), D("33.33")),
                (date(2026, 5, 10), D("33.34")),
            ],
        )
        self.assertFalse(any(line.down_payment for line in schedule))

    def test_rounding_up_last_absorbs_negative_remainder(self):
        # 200 / 3 = 66.666...: 66.67 twice (half-up), the last 66.66
        schedule = split_schedule("200.00", 2, date(2026, 3, 10), count=3)
        self.assertEqual(
            [line.amount for line in schedule], [D("66.67"), D("66.67"), D("66.66")]
        )
        self.assertEqual(sum(line.amount for line in schedule), D("200.00"))

    def test_zero_decimals(self):
        # JPY: 1000 / 3 = 333.33: 333, 333, 334; no fractional yen
        schedule = split_schedule(
            1000, 0, date(2026, 3, 10), count=3, frequency="weekly"
        )
        self.assertEqual(
            _pairs(schedule),
            [
                (date(2026, 3, 10), D("333")),
                (date(2026, 3, 17), D("333")),
                (date(2026, 3, 24), D("334")),
            ],
        )
        self.assertEqual(schedule[0].amount.as_tuple().exponent, 0)

    def test_float_total_is_taken_as_printed(self):
        # 0.1 + 0.2 style floats: 100.1 is 100.10, split 50.05 + 50.05
        schedule = split_schedule(100.1, 2, date(2026, 3, 10), count=2)
        self.assertEqual([line.amount for line in schedule], [D("50.05"), D("50.05")])

    def test_down_payment_then_weekly(self):
        # "200 today, then 400 a week": 1,000 = 200 + 2 x 400, the first
        # installment one week after the down payment
        schedule = split_schedule(
            1000, 2, date(2026, 3, 10), count=2, frequency="weekly", down_payment=200
        )
        self.assertEqual(
            schedule,
            [
                Installment(date(2026, 3, 10), D("200.00"), True),
                Installment(date(2026, 3, 17), D("400.00"), False),
                Installment(date(2026, 3, 24), D("400.00"), False),
            ],
        )

    def test_biweekly(self):
        schedule = split_schedule(
            90, 2, date(2026, 12, 22), count=3, frequency="biweekly"
        )
        self.assertEqual(
            [line.date for line in schedule],
            [date(2026, 12, 22), date(2027, 1, 5), date(2027, 1, 19)],
        )

    def test_custom_interval(self):
        schedule = split_schedule(
            90, 2, date(2026, 3, 10), count=3, frequency="custom", interval_days=10
        )
        self.assertEqual(
            [line.date for line in schedule],
            [date(2026, 3, 10), date(2026, 3, 20), date(2026, 3, 30)],
        )

    def test_monthly_keeps_month_ends(self):
        # 31 Jan -> 28 Feb -> 31 Mar -> 30 Apr, each from the first date
        schedule = split_schedule(400, 2, date(2026, 1, 31), count=4)
        self.assertEqual(
            [line.date for line in schedule],
            [
                date(2026, 1, 31),
                date(2026, 2, 28),
                date(2026, 3, 31),
                date(2026, 4, 30),
            ],
        )

    def test_monthly_clamps_other_days_without_drifting(self):
        # 30 Jan -> 28 Feb -> 30 Mar (not 28 Mar): computed from the first date
        self.assertEqual(add_months(date(2026, 1, 30), 1), date(2026, 2, 28))
        self.assertEqual(add_months(date(2026, 1, 30), 2), date(2026, 3, 30))
        # a leap year, and over a year end
        self.assertEqual(add_months(date(2027, 12, 31), 2), date(2028, 2, 29))
        self.assertEqual(add_months(date(2026, 11, 15), 3), date(2027, 2, 15))
        # the last day of a short month is a month end too
        self.assertEqual(add_months(date(2026, 2, 28), 1), date(2026, 3, 31))

    def test_payment_term_percentages_and_delays(self):
        # 30 % now, 30 % in 30 days, 40 % in 60: of 1,000.01
        # 300.003 -> 300.00, 300.00, the last 400.01 takes the remainder
        schedule = split_schedule(
            "1000.01",
            2,
            date(2026, 3, 10),
            term_lines=[(30, 0), (40, 60), (30, 30)],
        )
        self.assertEqual(
            _pairs(schedule),
            [
                (date(2026, 3, 10), D("300.00")),
                (date(2026, 4, 9), D("300.00")),
                (date(2026, 5, 9), D("400.01")),
            ],
        )

    def test_payment_term_after_down_payment(self):
        # the percentages split what is left after the down payment
        schedule = split_schedule(
            1100,
            0,
            date(2026, 3, 10),
            down_payment=100,
            term_lines=[(50, 30), (50, 60)],
        )
        self.assertEqual(
            _pairs(schedule),
            [
                (date(2026, 3, 10), D("100")),
                (date(2026, 4, 9), D("500")),
                (date(2026, 5, 9), D("500")),
            ],
        )

    def test_sums_exactly_for_many_awkward_totals(self):
        for total in ("0.07", "1.00", "99.99", "12345.67", "1000000.01"):
            for count in (1, 2, 3, 7, 12):
                with self.subTest(total=total, count=count):
                    schedule = split_schedule(total, 2, date(2026, 1, 31), count=count)
                    self.assertEqual(len(schedule), count)
                    self.assertEqual(sum(line.amount for line in schedule), D(total))

    def test_refusals_name_the_parameter(self):
        start = date(2026, 3, 10)
        cases = [
            ({"total": 0}, "total"),
            ({"total": 100, "count": 0}, "count"),
            ({"total": 100, "count": True}, "count"),
            ({"total": 100, "down_payment": 150}, "down_payment"),
            ({"total": 100, "down_payment": 100}, "down_payment"),
            ({"total": 100, "down_payment": -1}, "down_payment"),
            ({"total": 100, "frequency": "daily"}, "frequency"),
            ({"total": 100, "frequency": "custom"}, "interval_days"),
            ({"total": 100, "term_lines": [(30, 0), (30, 30)]}, "sum to 100"),
            ({"total": 100, "term_lines": [(100, -1)]}, "days"),
            ({"total": 100, "term_lines": [(110, 0), (-10, 5)]}, "percent"),
        ]
        for kwargs, expected in cases:
            with self.subTest(**kwargs), self.assertRaisesRegex(ValueError, expected):
                split_schedule(digits=2, first_date=start, **kwargs)
        with self.assertRaisesRegex(ValueError, "first_date"):
            split_schedule(100, 2, "10/03/2026")


class TestAllocatePayments(BaseCase):
    def test_partial_fills_in_order(self):
        allocated, excess = allocate_payments(
            [D("300"), D("300"), D("400")], D("450"), 2
        )
        self.assertEqual(allocated, [D("300.00"), D("150.00"), D("0.00")])
        self.assertEqual(excess, D("0.00"))

    def test_over_payment_goes_to_the_next(self):
        # paying 700 on a 300/300/400 plan: the first two and 100 of the last
        allocated, _excess = allocate_payments([300, 300, 400], 700, 2)
        self.assertEqual(allocated, [D("300.00"), D("300.00"), D("100.00")])

    def test_everything_paid_and_more(self):
        allocated, excess = allocate_payments([300, 300, 400], "1000.50", 2)
        self.assertEqual(allocated, [D("300.00"), D("300.00"), D("400.00")])
        self.assertEqual(excess, D("0.50"))

    def test_nothing_or_less_than_nothing_paid(self):
        for paid in (0, -25):
            with self.subTest(paid=paid):
                allocated, excess = allocate_payments([10, 20], paid, 0)
                self.assertEqual(allocated, [D("0"), D("0")])
                self.assertEqual(excess, D("0"))
