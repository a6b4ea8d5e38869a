# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Late-payment interest, without a database, against hand-computed cases.

Every expected figure is worked out in a comment with the formula

    principal x annual rate % x days / basis

so that a reviewer can redo it on paper.  The rate tables are written out
here (not read from the shipped CSV) so that a correction of the data cannot
silently change what these tests prove.
"""

from datetime import date
from decimal import Decimal

from odoo.tests import BaseCase, tagged

from ..tools.interest import (
    ACTUAL_360,
    ACTUAL_365,
    ACTUAL_ACTUAL,
    DAILY,
    DAY_COUNTS,
    FIXED_AT_DUE,
    HALF_YEAR,
    RateTable,
    compute_interest,
    first_accrual_day,
    fixed_at_due_reference_date,
    half_year_start,
)

D = Decimal

# German base rate (Basiszinssatz, BGB §247), as published.
DE_BASE = RateTable(
    [
        (date(2016, 7, 1), "-0.88"),
        (date(2023, 1, 1), "1.62"),
        (date(2023, 7, 1), "3.12"),
        (date(2024, 1, 1), "3.62"),
        (date(2024, 7, 1), "3.37"),
    ]
)

# ECB main refinancing operations rate, 2022-2024 changes.
ECB_MRO = RateTable(
    [
        (date(2016, 3, 16), "0.00"),
        (date(2022, 12, 21), "2.50"),
        (date(2023, 2, 8), "3.00"),
        (date(2023, 3, 22), "3.50"),
        (date(2023, 5, 10), "3.75"),
        (date(2023, 6, 21), "4.00"),
        (date(2023, 8, 2), "4.25"),
        (date(2023, 9, 20), "4.50"),
        (date(2024, 6, 12), "4.25"),
        (date(2024, 9, 18), "3.65"),
    ]
)

# Bank of England Bank Rate, 2022-2023 changes.
BOE_BASE = RateTable(
    [
        (date(2022, 11, 3), "3.00"),
        (date(2022, 12, 15), "3.50"),
        (date(2023, 2, 2), "4.00"),
        (date(2023, 3, 23), "4.25"),
        (date(2023, 5, 11), "4.50"),
        (date(2023, 6, 22), "5.00"),
        (date(2023, 8, 3), "5.25"),
    ]
)


def interest(**kwargs):
    """compute_interest with a start far in the past unless given."""
    kwargs.setdefault("date_from", date(2000, 1, 1))
    return compute_interest(**kwargs)


def summary(result):
    """(start, end, days, principal, annual rate) of each line."""
    return [
        (line.start, line.end, line.days, line.principal, line.annual_rate)
        for line in result.lines
    ]


@tagged("post_install", "-at_install")
class TestRateTable(BaseCase):
    def test_order_of_entries_does_not_matter(self):
        table = RateTable([("2024-01-01", 3), (date(2023, 1, 1), "1.5")])
        self.assertEqual(
            list(table), [(date(2023, 1, 1), D("1.5")), (date(2024, 1, 1), D(3))]
        )
        self.assertEqual(table.rate_on(date(2023, 12, 31)), D("1.5"))
        self.assertEqual(table.rate_on(date(2024, 1, 1)), D(3))
        self.assertEqual(table.rate_on(date(2030, 1, 1)), D(3))  # last holds on

    def test_negative_rates_are_kept(self):
        self.assertEqual(DE_BASE.rate_on(date(2020, 5, 5)), D("-0.88"))

    def test_two_rates_for_one_date_are_refused(self):
        with self.assertRaisesRegex(ValueError, r"date_from 2024-01-01"):
            RateTable([(date(2024, 1, 1), 3), (date(2024, 1, 1), 4)])

    def test_no_rate_before_the_first_entry(self):
        with self.assertRaisesRegex(ValueError, r"^no reference rate on 2016-06-30"):
            DE_BASE.rate_on(date(2016, 6, 30))
        with self.assertRaisesRegex(ValueError, r"no reference rate on 2024-01-01"):
            RateTable().rate_on(date(2024, 1, 1))

    def test_bad_entries(self):
        with self.assertRaisesRegex(ValueError, r"date_from must be a date"):
            RateTable([("01/01/2024", 3)])
        with self.assertRaisesRegex(ValueError, r"rate must be a number"):
            RateTable([(date(2024, 1, 1), "three")])
        with self.assertRaisesRegex(ValueError, r"pair"):
            RateTable([date(2024, 1, 1)])

    def test_segments_split_where_the_rate_changes(self):
        self.assertEqual(
            list(DE_BASE.segments(date(2022, 12, 1), date(2023, 7, 15))),
            [
                (date(2022, 12, 1), date(2022, 12, 31), D("-0.88")),
                (date(2023, 1, 1), date(2023, 6, 30), D("1.62")),
                (date(2023, 7, 1), date(2023, 7, 15), D("3.12")),
            ],
        )
        # An entry repeating the rate in force is no change.
        table = RateTable([(date(2024, 1, 1), 2), (date(2024, 7, 1), 2)])
        self.assertEqual(
            list(table.segments(date(2024, 2, 1), date(2024, 8, 1))),
            [(date(2024, 2, 1), date(2024, 8, 1), D(2))],
        )
        self.assertEqual(list(table.segments(date(2024, 3, 1), date(2024, 2, 1))), [])


@tagged("post_install", "-at_install")
class TestReferenceDates(BaseCase):
    def test_first_accrual_day(self):
        self.assertEqual(first_accrual_day(date(2024, 5, 31)), date(2024, 6, 1))
        self.assertEqual(first_accrual_day(date(2024, 5, 31), 5), date(2024, 6, 6))

    def test_half_year_start(self):
        self.assertEqual(half_year_start(date(2024, 6, 30)), date(2024, 1, 1))
        self.assertEqual(half_year_start(date(2024, 7, 1)), date(2024, 7, 1))

    def test_fixed_at_due_is_strictly_before_the_due_date(self):
        cases = {
            date(2023, 1, 1): date(2022, 12, 31),
            date(2023, 5, 15): date(2022, 12, 31),
            date(2023, 6, 30): date(2022, 12, 31),  # 30 June is not before itself
            date(2023, 7, 1): date(2023, 6, 30),
            date(2023, 12, 31): date(2023, 6, 30),
        }
        for due, expected in cases.items():
            with self.subTest(due=due):
                self.assertEqual(fixed_at_due_reference_date(due), expected)


@tagged("post_install", "-at_install")
class TestFixedRate(BaseCase):
    def test_simple_case(self):
        # Due 31 Jan 2023, in default from 1 Feb; to 1 Mar inclusive:
        # 28 days of February + 1 = 29 days.
        # 1,000 x 10 % x 29 / 365 = 2,900 / 365 = 7.945205... -> 7.95
        result = interest(
            principal_changes=1000,
            due_date=date(2023, 1, 31),
            date_to=date(2023, 3, 1),
            fixed_rate=10,
        )
        self.assertEqual(result.amount, D("7.95"))
        self.assertEqual(result.start, date(2023, 2, 1))
        self.assertEqual(result.end, date(2023, 3, 1))
        self.assertEqual(result.days, 29)
        (line,) = result.lines
        self.assertEqual(line.basis, 365)
        self.assertIsNone(line.reference_rate)
        self.assertEqual(line.annual_rate, D(10))
        self.assertEqual(line.rounded_amount, D("7.95"))
        self.assertEqual(line.amount.quantize(D("0.000001")), D("7.945205"))

    def test_accepts_float_int_str_decimal(self):
        # 365 x 10 % x 1 / 365 = 0.10, whatever the type of the inputs.
        for value in (365, 365.0, "365", D("365.00")):
            with self.subTest(value=value):
                result = interest(
                    principal_changes=[(date(2024, 1, 1), value)],
                    due_date=date(2024, 1, 31),
                    date_to=date(2024, 2, 1),
                    fixed_rate=float(10),
                )
                self.assertEqual(result.amount, D("0.10"))

    def test_float_inputs_are_read_as_printed(self):
        # A float is read as the decimal it prints as (Decimal(1000.10) would
        # be 1000.1000000000000227...).  1,000.10 x 7.3 % x 5 / 365 = 1.0001
        result = interest(
            principal_changes=1000.10,
            due_date=date(2024, 3, 31),
            date_to=date(2024, 4, 5),
            fixed_rate=7.3,
        )
        self.assertEqual(result.lines[0].principal, D("1000.1"))
        self.assertEqual(result.lines[0].annual_rate, D("7.3"))
        self.assertEqual(result.lines[0].amount, D("1.0001"))
        self.assertEqual(result.amount, D("1.00"))

    def test_date_to_before_date_from_gives_zero(self):
        result = compute_interest(
            principal_changes=1000,
            due_date=date(2024, 1, 31),
            date_from=date(2024, 5, 1),
            date_to=date(2024, 4, 30),
            fixed_rate=10,
        )
        self.assertEqual(result.amount, D("0.00"))
        self.assertEqual(result.lines, ())
        self.assertIsNone(result.start)
        self.assertEqual(result.days, 0)

    def test_paid_on_the_due_date_gives_zero(self):
        result = interest(
            principal_changes=1000,
            due_date=date(2024, 1, 31),
            date_to=date(2024, 1, 31),
            fixed_rate=10,
        )
        self.assertEqual(result.amount, D("0.00"))

    def test_date_from_continues_a_previous_charge(self):
        # First charge 1 Feb - 29 Feb 2024 (29 days), second 1 Mar - 31 Mar
        # (31 days); together the 60 days of one charge: no day twice.
        # 3,650 x 10 % x 29 / 365 = 29.00; x 31 / 365 = 31.00; x 60 / 365 = 60.00
        common = {
            "principal_changes": 3650,
            "due_date": date(2024, 1, 31),
            "fixed_rate": 10,
        }
        first = compute_interest(
            date_from=date(2024, 1, 1), date_to=date(2024, 2, 29), **common
        )
        second = compute_interest(
            date_from=date(2024, 3, 1), date_to=date(2024, 3, 31), **common
        )
        whole = interest(date_to=date(2024, 3, 31), **common)
        self.assertEqual((first.amount, second.amount), (D("29.00"), D("31.00")))
        self.assertEqual(second.start, date(2024, 3, 1))
        self.assertEqual(whole.amount, first.amount + second.amount)


@tagged("post_install", "-at_install")
class TestPrincipalChanges(BaseCase):
    def test_partial_payments_reduce_the_principal(self):
        # 7,300 from 1 Mar, 3,650 from 11 Mar (payment received that day),
        # nothing from 21 Mar (paid in full); 10 % actual/365, due 29 Feb:
        #   1-10 Mar : 7,300 x 10 % x 10 / 365 = 20.00
        #   11-20 Mar: 3,650 x 10 % x 10 / 365 = 10.00
        #   21-31 Mar: nothing outstanding, no line
        result = interest(
            principal_changes=[
                (date(2024, 3, 21), 0),
                (date(2024, 2, 29), 7300),  # any order
                (date(2024, 3, 11), 3650),
            ],
            due_date=date(2024, 2, 29),
            date_to=date(2024, 3, 31),
            fixed_rate=10,
        )
        self.assertEqual(
            summary(result),
            [
                (date(2024, 3, 1), date(2024, 3, 10), 10, D(7300), D(10)),
                (date(2024, 3, 11), date(2024, 3, 20), 10, D(3650), D(10)),
            ],
        )
        self.assertEqual(result.amount, D("30.00"))
        self.assertEqual(result.days, 20)

    def test_nothing_outstanding_before_the_first_change(self):
        # Invoice booked 10 Mar although due 29 Feb: 10-31 Mar = 22 days.
        # 3,650 x 10 % x 22 / 365 = 22.00
        result = interest(
            principal_changes=[(date(2024, 3, 10), 3650)],
            due_date=date(2024, 2, 29),
            date_to=date(2024, 3, 31),
            fixed_rate=10,
        )
        self.assertEqual(result.lines[0].start, date(2024, 3, 10))
        self.assertEqual(result.amount, D("22.00"))

    def test_invalid_principal(self):
        base = {"due_date": date(2024, 1, 31), "date_to": date(2024, 3, 1)}
        with self.assertRaisesRegex(ValueError, r"principal_changes.*2024-02-01"):
            interest(
                principal_changes=[(date(2024, 2, 1), 10), (date(2024, 2, 1), 5)],
                fixed_rate=1,
                **base,
            )
        with self.assertRaisesRegex(ValueError, r"principal_changes.*negative"):
            interest(principal_changes=[(date(2024, 2, 1), -10)], fixed_rate=1, **base)
        with self.assertRaisesRegex(ValueError, r"principal_changes"):
            interest(principal_changes=None, fixed_rate=1, **base)


@tagged("post_install", "-at_install")
class TestGermany(BaseCase):
    """BGB §288(2): base rate + 9 points between businesses, half-yearly."""

    def test_across_the_half_year_and_a_partial_payment(self):
        # 10,000 due 31 May 2023; 4,000 paid on 15 Aug (6,000 left); charged
        # to 30 Sep.  Base rate 1.62 (H1 2023) then 3.12 (H2 2023), + 9:
        #   1-30 Jun  : 10,000 x 10.62 % x 30 / 365 = 31,860 / 365 =  87.287671
        #   1 Jul-14 Aug: 31 + 14 = 45 days
        #               10,000 x 12.12 % x 45 / 365 = 54,540 / 365 = 149.424657
        #   15 Aug-30 Sep: 17 + 30 = 47 days
        #                6,000 x 12.12 % x 47 / 365 = 34,178.4 / 365 = 93.639452
        #   total 120,578.4 / 365 = 330.351780 -> 330.35
        result = interest(
            principal_changes=[(date(2023, 5, 31), 10000), (date(2023, 8, 15), 6000)],
            due_date=date(2023, 5, 31),
            date_to=date(2023, 9, 30),
            rate_table=DE_BASE,
            rate_rule=HALF_YEAR,
            margin=9,
        )
        self.assertEqual(
            summary(result),
            [
                (date(2023, 6, 1), date(2023, 6, 30), 30, D(10000), D("10.62")),
                (date(2023, 7, 1), date(2023, 8, 14), 45, D(10000), D("12.12")),
                (date(2023, 8, 15), date(2023, 9, 30), 47, D(6000), D("12.12")),
            ],
        )
        self.assertEqual(
            [line.reference_rate for line in result.lines],
            [D("1.62"), D("3.12"), D("3.12")],
        )
        self.assertEqual(result.amount, D("330.35"))
        # Rounded lines 87.29 + 149.42 + 93.64 add up to the total.
        self.assertEqual(
            [line.rounded_amount for line in result.lines],
            [D("87.29"), D("149.42"), D("93.64")],
        )
        self.assertEqual(sum(line.rounded_amount for line in result.lines), D("330.35"))

    def test_negative_base_rate_lowers_the_consumer_rate(self):
        # 2021, consumer: -0.88 + 5 = 4.12 %.  1,000 x 4.12 % x 365 / 365 = 41.20
        result = interest(
            principal_changes=1000,
            due_date=date(2020, 12, 31),
            date_to=date(2021, 12, 31),
            rate_table=DE_BASE,
            rate_rule=HALF_YEAR,
            margin=5,
        )
        self.assertEqual(result.amount, D("41.20"))
        # Both half-years have the same reference: one line, not two.
        self.assertEqual(len(result.lines), 1)
        self.assertEqual(result.lines[0].annual_rate, D("4.12"))
        self.assertEqual(result.lines[0].reference_rate, D("-0.88"))

    def test_rate_below_zero_is_floored(self):
        # -0.88 + 0.5 = -0.38 %: floored at 0, nothing to pay, but the line
        # stays to explain why.
        result = interest(
            principal_changes=1000,
            due_date=date(2020, 12, 31),
            date_to=date(2021, 3, 31),
            rate_table=DE_BASE,
            rate_rule=HALF_YEAR,
            margin="0.5",
        )
        self.assertEqual(result.amount, D("0.00"))
        self.assertEqual(result.lines[0].annual_rate, D(0))

    def test_table_must_cover_the_half_year_start(self):
        # The second half of 2016 takes the rate of 1 July 2016, which a
        # table starting on 2 July does not have.
        with self.assertRaisesRegex(ValueError, r"no reference rate on 2016-07-01"):
            interest(
                principal_changes=1000,
                due_date=date(2016, 6, 30),
                date_to=date(2016, 8, 1),
                rate_table=RateTable([(date(2016, 7, 2), 1)]),
                rate_rule=HALF_YEAR,
                margin=9,
            )


@tagged("post_install", "-at_install")
class TestEuropeanUnion(BaseCase):
    """Directive 2011/7/EU: ECB rate on 1 Jan / 1 Jul + 8 points."""

    def test_half_year_rule_ignores_changes_within_the_half_year(self):
        # 5,000 due 15 Mar 2023; to 31 Jul.  The ECB rate rose four times in
        # H1 2023, but the rate of 1 January (2.50) holds for all of H1, the
        # rate of 1 July (4.00) for H2:
        #   16 Mar-30 Jun: 16 + 30 + 31 + 30 = 107 days
        #                  5,000 x 10.50 % x 107 / 365 = 56,175 / 365 = 153.904110
        #   1-31 Jul     : 5,000 x 12.00 % x 31 / 365  = 18,600 / 365 =  50.958904
        #   total 74,775 / 365 = 204.863014 -> 204.86
        result = interest(
            principal_changes=5000,
            due_date=date(2023, 3, 15),
            date_to=date(2023, 7, 31),
            rate_table=ECB_MRO,
            rate_rule=HALF_YEAR,
            margin=8,
        )
        self.assertEqual(
            summary(result),
            [
                (date(2023, 3, 16), date(2023, 6, 30), 107, D(5000), D("10.50")),
                (date(2023, 7, 1), date(2023, 7, 31), 31, D(5000), D("12.00")),
            ],
        )
        self.assertEqual(result.amount, D("204.86"))

    def test_half_year_rule_with_a_partial_payment(self):
        # Same debt, 2,000 paid on 1 Jun 2023 (3,000 left from that day):
        #   16 Mar-31 May: 16 + 30 + 31 = 77 days
        #                  5,000 x 10.50 % x 77 / 365 = 40,425 / 365 = 110.753425
        #   1-30 Jun     : 3,000 x 10.50 % x 30 / 365 =  9,450 / 365 =  25.890411
        #   1-31 Jul     : 3,000 x 12.00 % x 31 / 365 = 11,160 / 365 =  30.575342
        #   total 61,035 / 365 = 167.219178 -> 167.22
        result = interest(
            principal_changes=[(date(2023, 3, 15), 5000), (date(2023, 6, 1), 3000)],
            due_date=date(2023, 3, 15),
            date_to=date(2023, 7, 31),
            rate_table=ECB_MRO,
            rate_rule=HALF_YEAR,
            margin=8,
        )
        self.assertEqual([line.days for line in result.lines], [77, 30, 31])
        self.assertEqual(result.amount, D("167.22"))

    def test_daily_rule_follows_every_change(self):
        # 1,000, 16-31 Mar 2023, ECB rate of each day + 8:
        #   16-21 Mar:  6 days at 3.00 + 8 = 11.00 % -> 1,000 x 11.00 % x 6 / 365
        #   22-31 Mar: 10 days at 3.50 + 8 = 11.50 % -> 1,000 x 11.50 % x 10 / 365
        #   total (660 + 1,150) / 365 = 1,810 / 365 = 4.958904 -> 4.96
        result = compute_interest(
            principal_changes=1000,
            due_date=date(2023, 3, 1),
            date_from=date(2023, 3, 16),
            date_to=date(2023, 3, 31),
            rate_table=ECB_MRO,
            rate_rule=DAILY,
            margin=8,
        )
        self.assertEqual(
            [(line.days, line.annual_rate) for line in result.lines],
            [(6, D("11.00")), (10, D("11.50"))],
        )
        self.assertEqual(result.amount, D("4.96"))

    def test_rate_table_given_as_entries(self):
        result = compute_interest(
            principal_changes=1000,
            due_date=date(2023, 3, 1),
            date_from=date(2023, 3, 16),
            date_to=date(2023, 3, 31),
            rate_table=list(ECB_MRO),
            margin=8,
        )
        self.assertEqual(result.amount, D("4.96"))


@tagged("post_install", "-at_install")
class TestFrance(BaseCase):
    """Code de commerce L441-10: ECB rate on 1 Jan / 1 Jul + 10 points."""

    def test_penalties_of_a_late_invoice(self):
        # 1,200 due 31 May 2024, paid on 15 Aug 2024 (nothing outstanding
        # from that day).  ECB rate 4.50 on 1 Jan 2024, 4.25 on 1 Jul 2024:
        #   1-30 Jun     : 1,200 x 14.50 % x 30 / 365 = 5,220 / 365 = 14.301370
        #   1 Jul-14 Aug : 31 + 14 = 45 days
        #                  1,200 x 14.25 % x 45 / 365 = 7,695 / 365 = 21.082192
        #   total 12,915 / 365 = 35.383562 -> 35.38
        # (The EUR 40 indemnité forfaitaire is checked in test_tools_presets.)
        result = interest(
            principal_changes=[(date(2024, 5, 31), 1200), (date(2024, 8, 15), 0)],
            due_date=date(2024, 5, 31),
            date_to=date(2024, 8, 15),
            rate_table=ECB_MRO,
            rate_rule=HALF_YEAR,
            margin=10,
        )
        self.assertEqual(
            summary(result),
            [
                (date(2024, 6, 1), date(2024, 6, 30), 30, D(1200), D("14.50")),
                (date(2024, 7, 1), date(2024, 8, 14), 45, D(1200), D("14.25")),
            ],
        )
        self.assertEqual(result.amount, D("35.38"))


@tagged("post_install", "-at_install")
class TestUnitedKingdom(BaseCase):
    """Late Payment Act: BoE rate fixed at the last 30 Jun / 31 Dec + 8."""

    def test_rate_stays_fixed_across_base_rate_changes(self):
        # 2,000 due 15 May 2023: reference day 31 Dec 2022, Bank Rate 3.50,
        # so 11.50 % for the life of the debt although the Bank Rate rose
        # four times before 30 Sep.  16 May-30 Sep: 16 + 30 + 31 + 31 + 30
        # = 138 days.  2,000 x 11.50 % x 138 / 365 = 31,740 / 365 = 86.958904
        # -> 86.96
        result = interest(
            principal_changes=2000,
            due_date=date(2023, 5, 15),
            date_to=date(2023, 9, 30),
            rate_table=BOE_BASE,
            rate_rule=FIXED_AT_DUE,
            margin=8,
        )
        self.assertEqual(
            summary(result),
            [(date(2023, 5, 16), date(2023, 9, 30), 138, D(2000), D("11.50"))],
        )
        self.assertEqual(result.lines[0].reference_rate, D("3.50"))
        self.assertEqual(result.amount, D("86.96"))

    def test_due_on_1_july_takes_the_rate_of_30_june(self):
        # Reference 30 Jun 2023: 5.00 (from 22 Jun) + 8 = 13.00 %.
        # 2 Jul-31 Jul = 30 days: 3,650 x 13 % x 30 / 365 = 39.00
        result = interest(
            principal_changes=3650,
            due_date=date(2023, 7, 1),
            date_to=date(2023, 7, 31),
            rate_table=BOE_BASE,
            rate_rule=FIXED_AT_DUE,
            margin=8,
        )
        self.assertEqual(result.lines[0].annual_rate, D("13.00"))
        self.assertEqual(result.amount, D("39.00"))

    def test_daily_rule_on_the_same_debt_differs(self):
        # For contrast: the daily rule would follow the Bank Rate.
        fixed = interest(
            principal_changes=2000,
            due_date=date(2023, 5, 15),
            date_to=date(2023, 9, 30),
            rate_table=BOE_BASE,
            rate_rule=FIXED_AT_DUE,
            margin=8,
        )
        daily = interest(
            principal_changes=2000,
            due_date=date(2023, 5, 15),
            date_to=date(2023, 9, 30),
            rate_table=BOE_BASE,
            rate_rule=DAILY,
            margin=8,
        )
        self.assertEqual(len(daily.lines), 3)  # 4.50, 5.00, 5.25
        self.assertGreater(daily.amount, fixed.amount)


@tagged("post_install", "-at_install")
class TestDayCounts(BaseCase):
    def test_day_counts_are_listed(self):
        self.assertEqual(DAY_COUNTS, ("actual_365", "actual_360", "actual_actual"))

    def test_actual_actual_splits_at_the_new_year(self):
        # 1,000 at 10 %, 15 Dec 2023 - 15 Jan 2024:
        #   15-31 Dec 2023: 17 days / 365 -> 100 x 17 / 365 = 4.657534
        #   1-15 Jan 2024 : 15 days / 366 -> 100 x 15 / 366 = 4.098361
        #   total 8.755895 -> 8.76
        # Cumulative rounding of the lines: 4.66, then 8.76 - 4.66 = 4.10.
        result = interest(
            principal_changes=1000,
            due_date=date(2023, 12, 14),
            date_to=date(2024, 1, 15),
            fixed_rate=10,
            day_count=ACTUAL_ACTUAL,
        )
        self.assertEqual(
            [(line.days, line.basis) for line in result.lines], [(17, 365), (15, 366)]
        )
        self.assertEqual(result.amount, D("8.76"))
        self.assertEqual(
            [line.rounded_amount for line in result.lines], [D("4.66"), D("4.10")]
        )

    def test_actual_actual_splits_two_common_years_too(self):
        # 2022 and 2023 both have 365 days; the lines still stop at the new
        # year so that the reader sees which year's basis applies:
        #   22-31 Dec 2022: 10 days, 1-10 Jan 2023: 10 days
        #   3,650 x 10 % x 10 / 365 = 10.00 each, 20.00 in all
        result = interest(
            principal_changes=3650,
            due_date=date(2022, 12, 21),
            date_to=date(2023, 1, 10),
            fixed_rate=10,
            day_count=ACTUAL_ACTUAL,
        )
        self.assertEqual(
            [(line.start, line.days, line.basis) for line in result.lines],
            [(date(2022, 12, 22), 10, 365), (date(2023, 1, 1), 10, 365)],
        )
        self.assertEqual(result.amount, D("20.00"))

    def test_actual_365_and_360_do_not_split_at_the_new_year(self):
        # 32 days: 100 x 32 / 365 = 8.767123 -> 8.77; 100 x 32 / 360 = 8.888... -> 8.89
        common = {
            "principal_changes": 1000,
            "due_date": date(2023, 12, 14),
            "date_to": date(2024, 1, 15),
            "fixed_rate": 10,
        }
        r365 = interest(day_count=ACTUAL_365, **common)
        r360 = interest(day_count=ACTUAL_360, **common)
        self.assertEqual((len(r365.lines), r365.amount), (1, D("8.77")))
        self.assertEqual((len(r360.lines), r360.lines[0].basis), (1, 360))
        self.assertEqual(r360.amount, D("8.89"))

    def test_29_february_is_a_day_like_any_other_in_actual_365(self):
        # 10,000 at 10 %, February and March: 29 + 31 = 60 days in 2024,
        # 28 + 31 = 59 in 2023; both divided by 365:
        #   2024: 1,000 x 60 / 365 = 164.383562 -> 164.38
        #   2023: 1,000 x 59 / 365 = 161.643836 -> 161.64
        leap = interest(
            principal_changes=10000,
            due_date=date(2024, 1, 31),
            date_to=date(2024, 3, 31),
            fixed_rate=10,
        )
        common = interest(
            principal_changes=10000,
            due_date=date(2023, 1, 31),
            date_to=date(2023, 3, 31),
            fixed_rate=10,
        )
        self.assertEqual((leap.days, leap.amount), (60, D("164.38")))
        self.assertEqual((common.days, common.amount), (59, D("161.64")))

    def test_actual_actual_full_leap_year(self):
        # A whole leap year at 10 % on 1,000: 366 / 366 = exactly 100.00
        # (actual/365 would give 100 x 366 / 365 = 100.27).
        result = interest(
            principal_changes=1000,
            due_date=date(2023, 12, 31),
            date_to=date(2024, 12, 31),
            fixed_rate=10,
            day_count=ACTUAL_ACTUAL,
        )
        self.assertEqual(result.amount, D("100.00"))


@tagged("post_install", "-at_install")
class TestCurrencies(BaseCase):
    def test_zero_decimals(self):
        # JPY: 1,234,567 x 10 % x 45 / 365 = 5,555,551.5 / 365 = 15,220.689 -> 15,221
        result = interest(
            principal_changes=1234567,
            due_date=date(2024, 3, 31),
            date_to=date(2024, 5, 15),
            fixed_rate=10,
            digits=0,
        )
        self.assertEqual(result.days, 45)
        self.assertEqual(result.amount, D("15221"))
        self.assertEqual(result.amount.as_tuple().exponent, 0)

    def test_half_up_with_zero_decimals(self):
        # 365 x 10 % x 5 / 365 = 0.5 exactly -> 1 (half-even would give 0)
        result = interest(
            principal_changes=365,
            due_date=date(2024, 3, 31),
            date_to=date(2024, 4, 5),
            fixed_rate=10,
            digits=0,
        )
        self.assertEqual(result.amount, D("1"))

    def test_three_decimals(self):
        # KWD: 1,000 x 8 % x 10 / 365 = 800 / 365 = 2.191780... -> 2.192
        result = interest(
            principal_changes="1000.000",
            due_date=date(2024, 3, 31),
            date_to=date(2024, 4, 10),
            fixed_rate=8,
            digits=3,
        )
        self.assertEqual(result.amount, D("2.192"))

    def test_half_up_at_two_and_three_decimals(self):
        # 456.25 x 1 % x 1 / 365 = 0.0125 exactly:
        #   3 decimals -> 0.013 (half-even: 0.012); 2 decimals -> 0.01
        # 4,562.5 x 1 % x 1 / 365 = 0.125 exactly -> 0.13 (half-even: 0.12)
        def one_day(principal, digits):
            return interest(
                principal_changes=principal,
                due_date=date(2024, 3, 31),
                date_to=date(2024, 4, 1),
                fixed_rate=1,
                digits=digits,
            ).amount

        self.assertEqual(one_day("456.25", 3), D("0.013"))
        self.assertEqual(one_day("456.25", 2), D("0.01"))
        self.assertEqual(one_day("4562.5", 2), D("0.13"))


@tagged("post_install", "-at_install")
class TestCaps(BaseCase):
    GERMAN_CASE = {
        "principal_changes": [(date(2023, 5, 31), 10000), (date(2023, 8, 15), 6000)],
        "due_date": date(2023, 5, 31),
        "date_to": date(2023, 9, 30),
        "rate_table": DE_BASE,
        "rate_rule": HALF_YEAR,
        "margin": 9,
    }

    def test_max_annual_rate(self):
        # The German case above with a 12 % cap: H1 10.62 % unchanged, H2
        # 12.12 % capped to 12 %:
        #   10,000 x 10.62 % x 30 / 365 = 31,860 / 365
        #   10,000 x 12.00 % x 45 / 365 = 54,000 / 365
        #    6,000 x 12.00 % x 47 / 365 = 33,840 / 365
        #   total 119,700 / 365 = 327.945205 -> 327.95
        result = interest(max_annual_rate=12, **self.GERMAN_CASE)
        self.assertEqual(
            [(line.annual_rate, line.rate_capped) for line in result.lines],
            [(D("10.62"), False), (D(12), True), (D(12), True)],
        )
        self.assertEqual(result.amount, D("327.95"))

    def test_max_annual_rate_with_fixed_rate(self):
        # 18 % agreed, 10 % legal cap: 3,650 x 10 % x 10 / 365 = 10.00
        result = interest(
            principal_changes=3650,
            due_date=date(2024, 3, 31),
            date_to=date(2024, 4, 10),
            fixed_rate=18,
            max_annual_rate=10,
        )
        self.assertEqual(result.amount, D("10.00"))
        self.assertTrue(result.lines[0].rate_capped)

    def test_max_total(self):
        # 330.35 uncapped (see TestGermany), capped at 300.
        result = interest(max_total=300, **self.GERMAN_CASE)
        self.assertEqual(result.amount, D("300.00"))
        self.assertEqual(result.uncapped_amount, D("330.35"))
        self.assertTrue(result.capped)
        below = interest(max_total=400, **self.GERMAN_CASE)
        self.assertEqual(below.amount, D("330.35"))
        self.assertFalse(below.capped)

    def test_max_total_zero_decimals(self):
        # 15,220.689 capped at 10,000.4 -> 10,000 (rounded to the currency)
        result = interest(
            principal_changes=1234567,
            due_date=date(2024, 3, 31),
            date_to=date(2024, 5, 15),
            fixed_rate=10,
            digits=0,
            max_total="10000.4",
        )
        self.assertEqual(result.amount, D("10000"))


@tagged("post_install", "-at_install")
class TestGraceDays(BaseCase):
    COMMON = {"principal_changes": 3650, "due_date": date(2024, 3, 31)}

    def test_payment_within_grace_costs_nothing(self):
        # 5 days' grace: interest could start on 6 Apr; paid on the 5th.
        result = interest(
            date_to=date(2024, 4, 5), fixed_rate="7.3", grace_days=5, **self.COMMON
        )
        self.assertEqual(result.amount, D("0.00"))
        self.assertEqual(result.lines, ())

    def test_grace_only_delays_the_start(self):
        # To 10 Apr: 6-10 Apr = 5 days (not 10):
        #   3,650 x 7.3 % x 5 / 365 = 266.45 x 5 / 365 = 3.65
        # Without grace, 1-10 Apr = 10 days = 7.30.
        late = interest(
            date_to=date(2024, 4, 10), fixed_rate="7.3", grace_days=5, **self.COMMON
        )
        self.assertEqual((late.start, late.days), (date(2024, 4, 6), 5))
        self.assertEqual(late.amount, D("3.65"))
        no_grace = interest(date_to=date(2024, 4, 10), fixed_rate="7.3", **self.COMMON)
        self.assertEqual(no_grace.amount, D("7.30"))


@tagged("post_install", "-at_install")
class TestInvalidInput(BaseCase):
    COMMON = {
        "principal_changes": 1000,
        "due_date": date(2024, 1, 31),
        "date_to": date(2024, 3, 1),
    }

    def assert_refused(self, pattern, **kwargs):
        with self.assertRaisesRegex(ValueError, pattern):
            interest(**{**self.COMMON, **kwargs})

    def test_messages_name_the_parameter(self):
        self.assert_refused(
            r"^day_count must be one of", fixed_rate=1, day_count="30E/360"
        )
        self.assert_refused(
            r"^rate_rule must be one of", fixed_rate=1, rate_rule="monthly"
        )
        self.assert_refused(r"^fixed_rate must not be negative", fixed_rate=-1)
        self.assert_refused(
            r"^margin must not be negative", rate_table=DE_BASE, margin=-1
        )
        self.assert_refused(
            r"^max_annual_rate must not be negative", fixed_rate=1, max_annual_rate=-1
        )
        self.assert_refused(
            r"^max_total must not be negative", fixed_rate=1, max_total="-0.01"
        )
        self.assert_refused(
            r"^grace_days must not be negative", fixed_rate=1, grace_days=-1
        )
        self.assert_refused(
            r"^grace_days must be a whole number", fixed_rate=1, grace_days=1.5
        )
        self.assert_refused(r"^digits must be", fixed_rate=1, digits=-1)
        self.assert_refused(r"^digits must be", fixed_rate=1, digits=2.0)
        self.assert_refused(r"^fixed_rate must be a number", fixed_rate="ten")
        self.assert_refused(
            r"^date_to must be a date", fixed_rate=1, date_to="tomorrow"
        )

    def test_exactly_one_rate_source(self):
        self.assert_refused(r"fixed_rate and rate_table")
        self.assert_refused(
            r"fixed_rate and rate_table", fixed_rate=1, rate_table=DE_BASE
        )

    def test_margin_with_fixed_rate_is_refused(self):
        self.assert_refused(r"^margin applies to a rate_table", fixed_rate=5, margin=8)

    def test_datetime_is_not_a_date(self):
        from datetime import datetime

        self.assert_refused(
            r"^due_date must be a date, not a datetime",
            fixed_rate=1,
            due_date=datetime(2024, 1, 31, 12, 0),
        )

    def test_nan_and_infinity_are_refused(self):
        self.assert_refused(
            r"^fixed_rate must be a finite number", fixed_rate=float("nan")
        )
        self.assert_refused(
            r"^max_total must be a finite number", fixed_rate=1, max_total=D("Infinity")
        )

    def test_zero_rate_and_zero_caps_are_valid(self):
        result = interest(fixed_rate=0, max_total=0, max_annual_rate=0, **self.COMMON)
        self.assertEqual(result.amount, D("0.00"))
