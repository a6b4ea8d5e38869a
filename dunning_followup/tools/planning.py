# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a run does for one customer: the levels its open lines reach on the
run's date, and whether the customer is held back.

The run reads a batch's open lines in one query and hands each customer's
rows here, with its policy's ladder and numbers; the answer is plain data
the run turns into actions.  No ORM: every rule (tolerance, minimum amount
of a level, minimum interval between notices, a forced level, notices not
gone out yet) is tested without a database.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from .levels import STEP, days_late, following_level, next_level


@dataclass(frozen=True)
class PlanningRules:
    """The numbers of a policy that the planning reads.

    :param mode: the ladder's mode (:data:`..levels.STEP` or ``JUMP``)
    :param tolerance: below this amount due, the customer is held back
    :param min_interval_days: days between two notices of the customer
    :param min_amounts: ``{level id: minimum amount}`` of the levels
    """

    mode: str
    tolerance: float = 0.0
    min_interval_days: int = 0
    min_amounts: dict = field(default_factory=dict)


def _top(levels):
    """The highest of ``levels`` (:class:`..levels.Level`)."""
    return max(levels, key=lambda lvl: (lvl.days, lvl.id))


def _line_level(line, ladder, by_id, rules, on_date, forced_id, memo):
    """``(level id or None, days of the following level or None)`` of one
    line; the ladder's answers are remembered in ``memo`` per (days late,
    level reached), as thousands of lines share them."""
    late = days_late(line["date_maturity"], on_date)
    current = line["dunning_level_id"] if line["dunning_level_id"] in by_id else None
    key = (late, current)
    if key not in memo:
        found = None if forced_id else next_level(ladder, late, current, rules.mode)
        reached = found.id if found else current
        following = following_level(ladder, late, reached)
        memo[key] = (found.id if found else None, following.days if following else None)
    found_id, following_days = memo[key]
    if not forced_id:
        return found_id, following_days
    level = by_id.get(forced_id)
    if level and current and by_id[current].days >= level.days:
        level = None
    if level:
        following = following_level(ladder, late, level.id)
        following_days = following.days if following else None
    return (level.id if level else None), following_days


def _held_by_pending(pending, rules):
    """Whether a line whose notice has not gone out (``pending``: the state
    of that notice, ``failed`` or ``to_review``, else None) waits.

    A failed notice holds its line until it is sent or cancelled: climbing
    past it would send a later level before an earlier one.  A notice
    waiting for review holds it too when the policy climbs one level at a
    time; when the policy jumps to the level due, the line reaches its new
    level and the new notice supersedes the one waiting (one up-to-date
    notice for the reviewer, see ``dunning.action._merge_pending``).
    """
    if not pending:
        return False
    return pending == "failed" or rules.mode == STEP


def plan_partner(lines, ladder, rules, on_date, forced_id=None, memo=None):
    """Levels reached on ``on_date`` by the open lines of one customer.

    :param lines: the customer's open lines, oldest first, as dicts with
        ``date_maturity``, ``amount_residual``, ``dunning_level_id`` (the
        level reached, or None), ``excluded``, ``pending`` (the state of a notice
        of the line not gone out yet: ``failed``, ``to_review`` or None) and ``last_notice_date`` (the customer's)
    :param ladder: the policy's levels, as :class:`..levels.Level`
    :param rules: the policy's :class:`PlanningRules`
    :param forced_id: a level every line reaches unless it had it already
        (no interval, tolerance or minimum amount then)
    :param memo: a dict kept for the customers of the same policy
    :return: ``(items, next_date, held)``: ``items`` the ``(line, level
        id)`` pairs reached, ``next_date`` the next day a line reaches a
        level (or None), ``held`` whether the customer is held back (then
        ``items`` is empty)
    """
    memo = {} if memo is None else memo
    by_id = {lvl.id: lvl for lvl in ladder}
    items, next_date = [], None
    for line in lines:
        if line["excluded"]:
            continue
        if _held_by_pending(line["pending"], rules) and not forced_id:
            continue
        level_id, following_days = _line_level(
            line, ladder, by_id, rules, on_date, forced_id, memo
        )
        if level_id:
            items.append((line, level_id))
        # when does this line reach its next level?
        if following_days is not None:
            due = line["date_maturity"] + timedelta(days=following_days)
            next_date = min(next_date, due) if next_date else due
    last_notice = lines[0]["last_notice_date"] if lines else None
    if items and last_notice and not forced_id:
        earliest = last_notice + timedelta(days=rules.min_interval_days)
        if on_date < earliest:
            return [], max(next_date or earliest, earliest), True
    if items and not forced_id:
        amount = sum(line["amount_residual"] for line, _level in items)
        top = _top(by_id[level_id] for _line, level_id in items)
        if amount < rules.tolerance or amount < rules.min_amounts.get(top.id, 0.0):
            return [], next_date, True
    return items, next_date, False
