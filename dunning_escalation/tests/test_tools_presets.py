# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Statutory presets, and the shipped reference-rate history that feeds them."""

import dataclasses
import io
import itertools
from datetime import date
from decimal import Decimal

from odoo.tests import BaseCase, tagged

from ..tools import fees, interest, presets, rates_csv

D = Decimal


@tagged("post_install", "-at_install")
class TestPresets(BaseCase):
    def test_codes(self):
        self.assertEqual(list(presets.PRESETS), ["eu", "de", "fr", "uk"])
        self.assertIs(presets.get_preset("de"), presets.DE)
        with self.assertRaisesRegex(ValueError, r"unknown preset code 'us'.*eu, de"):
            presets.get_preset("us")

    def test_values(self):
        expected = {
            # code: (reference, rule, margin B2B, margin consumer,
            #        compensation kind, amount, currency)
            "eu": ("ecb_mro", "half_year", D(8), None, "per_invoice", D(40), "EUR"),
            "de": ("de_base", "half_year", D(9), D(5), "per_invoice", D(40), "EUR"),
            "fr": ("ecb_mro", "half_year", D(10), None, "per_invoice", D(40), "EUR"),
            "uk": ("boe_base", "fixed_at_due", D(8), None, "uk_bands", None, "GBP"),
        }
        for code, values in expected.items():
            preset = presets.PRESETS[code]
            with self.subTest(code=code):
                self.assertEqual(preset.code, code)
                self.assertEqual(
                    (
                        preset.reference_rate_code,
                        preset.rate_rule,
                        preset.margin_business,
                        preset.margin_consumer,
                        preset.compensation_kind,
                        preset.compensation_amount,
                        preset.compensation_currency,
                    ),
                    values,
                )
                self.assertFalse(preset.compensation_consumer)
                self.assertIn(preset.rate_rule, interest.RATE_RULES)
                self.assertIn(preset.day_count, interest.DAY_COUNTS)
                self.assertIn(preset.compensation_kind, presets.COMPENSATION_KINDS)
                self.assertTrue(preset.name and preset.legal_basis)

    def test_margin_for_consumers(self):
        self.assertEqual(presets.DE.margin(consumer=True), D(5))
        self.assertEqual(presets.DE.margin(), D(9))
        self.assertIsNone(presets.EU.margin(consumer=True))

    def test_presets_are_frozen(self):
        with self.assertRaises(dataclasses.FrozenInstanceError):
            presets.EU.margin_business = D(7)

    def test_reference_rates_are_shipped(self):
        tables = rates_csv.load_rates()
        for preset in presets.PRESETS.values():
            with self.subTest(code=preset.code):
                self.assertIn(preset.reference_rate_code, tables)


@tagged("post_install", "-at_install")
class TestFrenchLateInvoice(BaseCase):
    def test_penalties_and_indemnity_from_the_shipped_rates(self):
        # The French case of test_tools_interest, with the shipped ECB
        # history: 1,200 due 31 May 2024, paid 15 Aug 2024.
        #   interest 12,915 / 365 = 35.383562 -> 35.38
        #   + indemnité forfaitaire 40.00 = 75.38
        preset = presets.FR
        result = interest.compute_interest(
            principal_changes=[(date(2024, 5, 31), 1200), (date(2024, 8, 15), 0)],
            due_date=date(2024, 5, 31),
            date_from=date(2024, 6, 1),
            date_to=date(2024, 8, 15),
            rate_table=rates_csv.load_rates()[preset.reference_rate_code],
            rate_rule=preset.rate_rule,
            margin=preset.margin_business,
            day_count=preset.day_count,
        )
        self.assertEqual(result.amount, D("35.38"))
        indemnity = fees.per_invoice_compensation(1, preset.compensation_amount)
        self.assertEqual(result.amount + indemnity, D("75.38"))


@tagged("post_install", "-at_install")
class TestGermanCaseFromTheShippedRates(BaseCase):
    def test_same_figure_as_the_hand_written_table(self):
        # See TestGermany in test_tools_interest: 330.35.
        result = interest.compute_interest(
            principal_changes=[(date(2023, 5, 31), 10000), (date(2023, 8, 15), 6000)],
            due_date=date(2023, 5, 31),
            date_from=date(2023, 6, 1),
            date_to=date(2023, 9, 30),
            rate_table=rates_csv.load_rates()["de_base"],
            rate_rule=presets.DE.rate_rule,
            margin=presets.DE.margin_business,
        )
        self.assertEqual(result.amount, D("330.35"))


@tagged("post_install", "-at_install")
class TestShippedRates(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tables = rates_csv.load_rates()

    def test_codes(self):
        self.assertEqual(set(self.tables), {"ecb_mro", "de_base", "boe_base"})

    def test_known_values(self):
        cases = [
            ("ecb_mro", date(2016, 3, 16), D("0.00")),
            ("ecb_mro", date(2022, 7, 27), D("0.50")),
            ("ecb_mro", date(2023, 9, 20), D("4.50")),
            ("ecb_mro", date(2025, 6, 11), D("2.15")),
            ("de_base", date(2016, 7, 1), D("-0.88")),
            ("de_base", date(2022, 12, 31), D("-0.88")),
            ("de_base", date(2023, 1, 1), D("1.62")),
            ("de_base", date(2023, 7, 1), D("3.12")),
            ("de_base", date(2024, 1, 1), D("3.62")),
            ("de_base", date(2024, 7, 1), D("3.37")),
            ("de_base", date(2025, 1, 1), D("2.27")),
            ("de_base", date(2025, 7, 1), D("1.27")),
            ("boe_base", date(2009, 3, 5), D("0.50")),
            ("boe_base", date(2020, 3, 19), D("0.10")),
            ("boe_base", date(2023, 8, 3), D("5.25")),
            ("boe_base", date(2024, 8, 1), D("5.00")),
        ]
        for code, day, rate in cases:
            with self.subTest(code=code, day=day):
                self.assertEqual(self.tables[code].rate_on(day), rate)

    def test_history_covers_2008_onwards(self):
        for table in self.tables.values():
            self.assertLessEqual(table.first_date, date(2008, 1, 1))

    def test_german_base_rate_has_every_half_year(self):
        dates = [day for day, _rate in self.tables["de_base"]]
        for year in range(2012, 2026):
            for month in (1, 7):
                self.assertIn(date(year, month, 1), dates)

    def test_german_base_rate_follows_the_ecb_rate(self):
        # BGB §247: on 1 Jan / 1 Jul the base rate moves by as many points as
        # the ECB rate has moved since the last change.  Since the ECB went
        # to fixed-rate tenders (15 Oct 2008), our two histories must agree.
        ecb, base = self.tables["ecb_mro"], self.tables["de_base"]
        days = [date(year, month, 1) for year in range(2009, 2026) for month in (1, 7)]
        for previous, day in itertools.pairwise(days):
            with self.subTest(day=day):
                self.assertEqual(
                    base.rate_on(day) - base.rate_on(previous),
                    ecb.rate_on(day - interest.ONE_DAY)
                    - ecb.rate_on(previous - interest.ONE_DAY),
                )


@tagged("post_install", "-at_install")
class TestRatesCsv(BaseCase):
    def test_parse(self):
        text = (
            "code,date_from,rate\nx,2024-07-01,-0.5\nx,2024-01-01,1\ny,2020-01-01,2\n"
        )
        tables = rates_csv.parse_rates(io.StringIO(text))
        self.assertEqual(tables["x"].rate_on(date(2024, 8, 1)), D("-0.5"))
        self.assertEqual(tables["x"].rate_on(date(2024, 2, 1)), D(1))
        self.assertEqual(len(tables["y"]), 1)

    def test_errors_name_the_line(self):
        cases = {
            "code,date_from\nx,2024-01-01\n": r"missing column\(s\) rate",
            "code,date_from,rate\n,2024-01-01,1\n": r"line 2: code is empty",
            "code,date_from,rate\nx,2024-01-01,1\nx,2024-13-01,1\n": (
                r"line 3 \(x\): date_from must be a date"
            ),
            "code,date_from,rate\nx,2024-01-01,1\nx,2024-07-01,one\n": (
                r"line 3 \(x\): rate must be a number"
            ),
            "code,date_from,rate\nx,2024-01-01,1\ny,2024-01-01,2\nx,2024-01-01,3\n": (
                r"line 4 \(x\): two reference rates for date_from 2024-01-01"
            ),
        }
        for text, pattern in cases.items():
            with self.subTest(text=text):
                with self.assertRaisesRegex(ValueError, pattern):
                    rates_csv.parse_rates(io.StringIO(text), source="rates.csv")
