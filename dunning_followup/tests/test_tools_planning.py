# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The planning of one customer, without a database."""

from datetime import date

from odoo.tests import BaseCase, tagged

from ..tools.levels import JUMP, STEP, Level
from ..tools.planning import PlanningRules, plan_partner

REMINDER = Level(sequence=10, days=-5, id=1)
FIRST = Level(sequence=20, days=5, id=2)
FORMAL = Level(sequence=30, days=21, id=3)
LADDER = [FORMAL, REMINDER, FIRST]  # any order
TODAY = date(2026, 3, 1)


def line(due, amount=100.0, level=None, **vals):
    return {
        "date_maturity": due,
        "amount_residual": amount,
        "dunning_level_id": level,
        "excluded": False,
        "pending": None,
        "last_notice_date": None,
        **vals,
    }


def reached(items):
    return [level_id for _line, level_id in items]


@tagged("post_install", "-at_install")
class TestPlanning(BaseCase):
    def test_step_climbs_one_level_and_says_when_the_next(self):
        rows = [line(date(2026, 2, 1))]  # 28 days late, nothing reached
        items, next_date, held = plan_partner(rows, LADDER, PlanningRules(STEP), TODAY)
        self.assertEqual(reached(items), [FIRST.id])
        self.assertFalse(held)
        # the formal notice follows, 21 days after the due date
        self.assertEqual(next_date, date(2026, 2, 22))

    def test_jump_reaches_the_highest_due(self):
        rows = [line(date(2026, 2, 1))]
        items, next_date, held = plan_partner(rows, LADDER, PlanningRules(JUMP), TODAY)
        self.assertEqual(reached(items), [FORMAL.id])
        self.assertIsNone(next_date)
        self.assertFalse(held)

    def test_excluded_and_pending_lines_wait(self):
        rows = [
            line(date(2026, 2, 1), excluded=True),
            line(date(2026, 2, 1), pending="failed"),
        ]
        items, _next, held = plan_partner(rows, LADDER, PlanningRules(JUMP), TODAY)
        self.assertEqual(items, [])
        self.assertFalse(held)

    def test_notice_to_review_holds_a_step_ladder_not_a_jumping_one(self):
        rows = [line(date(2026, 2, 1), level=FIRST.id, pending="to_review")]
        items, _next, _held = plan_partner(rows, LADDER, PlanningRules(STEP), TODAY)
        self.assertEqual(items, [])
        # jumping: the line reaches the level due; its new notice takes over
        # the one waiting for review
        items, _next, _held = plan_partner(rows, LADDER, PlanningRules(JUMP), TODAY)
        self.assertEqual(reached(items), [FORMAL.id])

    def test_tolerance_and_minimum_amount_hold_back(self):
        rows = [line(date(2026, 2, 1), amount=40.0)]
        items, _next, held = plan_partner(
            rows, LADDER, PlanningRules(JUMP, tolerance=50.0), TODAY
        )
        self.assertEqual((items, held), ([], True))
        rules = PlanningRules(JUMP, min_amounts={FORMAL.id: 41.0})
        items, _next, held = plan_partner(rows, LADDER, rules, TODAY)
        self.assertEqual((items, held), ([], True))
        rules = PlanningRules(JUMP, tolerance=40.0, min_amounts={FORMAL.id: 40.0})
        items, _next, held = plan_partner(rows, LADDER, rules, TODAY)
        self.assertEqual((reached(items), held), ([FORMAL.id], False))

    def test_minimum_interval_holds_back_until_its_end(self):
        rows = [line(date(2026, 2, 1), last_notice_date=date(2026, 2, 25))]
        rules = PlanningRules(JUMP, min_interval_days=10)
        items, next_date, held = plan_partner(rows, LADDER, rules, TODAY)
        self.assertEqual((items, held), ([], True))
        self.assertEqual(next_date, date(2026, 3, 7))
        items, _next, held = plan_partner(rows, LADDER, rules, date(2026, 3, 7))
        self.assertEqual((reached(items), held), ([FORMAL.id], False))

    def test_forced_level_ignores_the_rules_not_the_level_reached(self):
        rows = [
            line(date(2026, 2, 1), amount=1.0, pending=True),
            line(date(2026, 2, 20), amount=1.0, level=FORMAL.id),
        ]
        rules = PlanningRules(
            STEP, tolerance=50.0, min_interval_days=30, min_amounts={FIRST.id: 10.0}
        )
        rows[0]["last_notice_date"] = date(2026, 2, 28)
        items, _next, held = plan_partner(rows, LADDER, rules, TODAY, FIRST.id)
        # the line at the formal notice already is above the forced level
        self.assertEqual(items, [(rows[0], FIRST.id)])
        self.assertFalse(held)
        # a level of another policy is reached by no line
        items, _next, held = plan_partner(rows, LADDER, rules, TODAY, 99)
        self.assertEqual((items, held), ([], False))

    def test_memo_is_shared_between_customers(self):
        memo = {}
        rules = PlanningRules(JUMP)
        plan_partner([line(date(2026, 2, 1))], LADDER, rules, TODAY, memo=memo)
        self.assertEqual(memo, {(28, None): (FORMAL.id, None)})
        items, _next, _held = plan_partner(
            [line(date(2026, 2, 1), amount=5.0)], LADDER, rules, TODAY, memo=memo
        )
        self.assertEqual(reached(items), [FORMAL.id])
