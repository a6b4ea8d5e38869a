# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Which follow-up level a receivable line has reached.

A policy is a ladder of levels, each with a number of days relative to the due
date (negative for a reminder before it).  The engine asks, for every open
receivable line, "given how late you are and the level you already had, which
level do you reach today?".  Keeping that question free of the ORM lets us test
every corner (boundaries, one-at-a-time versus jump, levels removed from the
policy) in microseconds, and lets the run answer it for 100,000 lines from one
query result.
"""

from dataclasses import dataclass
from datetime import date

STEP = "step"
JUMP = "jump"

AGING_BUCKETS = (
    ("not_due", None, 0),
    ("1_30", 1, 30),
    ("31_60", 31, 60),
    ("61_90", 61, 90),
    ("91_120", 91, 120),
    ("older", 121, None),
)


@dataclass(frozen=True, order=True)
class Level:
    """The part of a level that the ladder needs: its rank and its days."""

    sequence: int
    days: int
    id: int


def sort_levels(levels):
    """Order levels by days (the ladder order), then sequence, then id."""
    return sorted(levels, key=lambda lvl: (lvl.days, lvl.sequence, lvl.id))


def days_late(due_date, on_date):
    """Days between the due date and ``on_date`` (negative before the due date)."""
    if not isinstance(due_date, date) or not isinstance(on_date, date):
        raise TypeError("due_date and on_date must be dates")
    return (on_date - due_date).days


def next_level(levels, late, current_id=None, mode=STEP):
    """Return the level reached by a line ``late`` days after its due date.

    :param levels: the policy's levels (any order), as :class:`Level`
    :param late: days late (negative: days before the due date)
    :param current_id: id of the level the line already reached, if any; a
        level that no longer belongs to the policy counts as "none reached
        above its days" so that editing a policy never re-sends old notices
    :param mode: ``"step"`` climbs at most one level per call, ``"jump"``
        goes straight to the highest level whose days have passed;
        reminders (negative days) are never sent for a line already late
    :return: the :class:`Level` to apply now, or ``None`` when nothing is due
    """
    if mode not in (STEP, JUMP):
        raise ValueError(f"mode must be {STEP!r} or {JUMP!r}, not {mode!r}")
    ladder = sort_levels(levels)
    if not ladder:
        return None
    position = -1
    if current_id is not None:
        for index, level in enumerate(ladder):
            if level.id == current_id:
                position = index
                break
    # A reminder before the due date makes no sense once the line is late:
    # a line that enters the ladder already overdue skips the reminders.
    reached = [
        index
        for index, level in enumerate(ladder)
        if index > position and level.days <= late and (level.days >= 0 or late <= 0)
    ]
    if not reached:
        return None
    if mode == STEP:
        return ladder[reached[0]]
    return ladder[reached[-1]]


def aging_bucket(late):
    """Name of the aging bucket of a line ``late`` days after its due date."""
    for name, low, high in AGING_BUCKETS:
        if low is None and late <= high:
            return name
        if low is not None and late >= low and (high is None or late <= high):
            return name
    raise AssertionError("buckets cover every integer")  # pragma: no cover


def following_level(levels, late, current_id=None):
    """The next level a line can still reach after ``current_id``, whenever
    that is (used to tell the customer's next action date)."""
    ladder = sort_levels(levels)
    position = -1
    for index, level in enumerate(ladder):
        if level.id == current_id:
            position = index
            break
    for level in ladder[position + 1 :]:
        if level.days >= 0 or late <= level.days:
            return level
    return None
