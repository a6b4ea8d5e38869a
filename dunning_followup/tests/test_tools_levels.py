# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The ladder, without a database."""

from datetime import date

from odoo.tests import BaseCase, tagged

from ..tools.levels import (
    JUMP,
    STEP,
    Level,
    aging_bucket,
    days_late,
    following_level,
    next_level,
)

REMINDER = Level(sequence=10, days=-5, id=1)
FIRST = Level(sequence=20, days=5, id=2)
CALL = Level(sequence=30, days=10, id=3)
FORMAL = Level(sequence=40, days=21, id=4)
LADDER = [FORMAL, REMINDER, CALL, FIRST]  # any order


@tagged("post_install", "-at_install")
class TestLevels(BaseCase):
    def test_days_late(self):
        self.assertEqual(days_late(date(2026, 1, 31), date(2026, 2, 5)), 5)
        self.assertEqual(days_late(date(2026, 1, 31), date(2026, 1, 26)), -5)
        with self.assertRaises(TypeError):
            days_late("2026-01-31", date(2026, 1, 1))

    def test_nothing_before_first_level(self):
        self.assertIsNone(next_level(LADDER, -6))
        self.assertIsNone(next_level([], 100))

    def test_boundaries(self):
        self.assertEqual(next_level(LADDER, -5), REMINDER)  # exactly 5 days before
        self.assertEqual(next_level(LADDER, 4, REMINDER.id), None)
        self.assertEqual(next_level(LADDER, 5, REMINDER.id), FIRST)  # exactly the day

    def test_step_climbs_one_level(self):
        self.assertEqual(next_level(LADDER, 30, FIRST.id, STEP), CALL)
        self.assertEqual(next_level(LADDER, 30, CALL.id, STEP), FORMAL)
        self.assertIsNone(next_level(LADDER, 30, FORMAL.id, STEP))

    def test_jump_goes_to_level_due(self):
        self.assertEqual(next_level(LADDER, 30, FIRST.id, JUMP), FORMAL)
        self.assertEqual(next_level(LADDER, 30, None, JUMP), FORMAL)
        self.assertEqual(next_level(LADDER, 7, None, JUMP), FIRST)

    def test_reminder_skipped_once_late(self):
        # A line entering the ladder already late does not get "due soon".
        self.assertEqual(next_level(LADDER, 3, None, STEP), None)
        self.assertEqual(next_level(LADDER, 6, None, STEP), FIRST)
        self.assertEqual(next_level(LADDER, 0, None, STEP), REMINDER)

    def test_unknown_current_level(self):
        # a level removed from the policy: the line starts the ladder anew
        self.assertEqual(next_level(LADDER, 6, 999, STEP), FIRST)

    def test_bad_mode(self):
        with self.assertRaises(ValueError):
            next_level(LADDER, 3, None, "sideways")

    def test_following_level(self):
        self.assertEqual(following_level(LADDER, -10, None), REMINDER)
        self.assertEqual(following_level(LADDER, 2, None), FIRST)
        self.assertEqual(following_level(LADDER, 12, CALL.id), FORMAL)
        self.assertIsNone(following_level(LADDER, 50, FORMAL.id))

    def test_aging_buckets(self):
        cases = {
            -3: "not_due",
            0: "not_due",
            1: "1_30",
            30: "1_30",
            31: "31_60",
            60: "31_60",
            61: "61_90",
            90: "61_90",
            91: "91_120",
            120: "91_120",
            121: "older",
            4000: "older",
        }
        for late, bucket in cases.items():
            self.assertEqual(aging_bucket(late), bucket, late)
