# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Installment plans: the schedule of a debt and the payments set against it.

Two pure functions, used by ``dunning.installment.plan`` and tested without
a database:

* :func:`split_schedule` turns a total into dated installments: an optional
  down payment on the first date, then either ``count`` installments every
  week, two weeks, month or ``interval_days`` days, or the percentages and
  delays of a payment term.  Amounts are computed in integer minor units
  (cents, or yen for a currency without decimals), each rounded half-up,
  and the last installment absorbs the remainder, so the schedule always
  sums exactly to the total.
* :func:`allocate_payments` fills installments in due-date order with what
  has been paid: the oldest first, any over-payment flowing to the next.

Dates: a monthly schedule keeps month ends (31 Jan, 28 Feb, 31 Mar) and
otherwise keeps the day of the month, clamped to shorter months (30 Jan,
28 Feb, 30 Mar): every date is computed from the first date, never from the
previous installment, so a short February does not shift the rest.
"""

import calendar
from collections import namedtuple
from datetime import date, timedelta
from decimal import Decimal

from .coerce import check_digits, round_money, to_date, to_decimal

WEEKLY = "weekly"
BIWEEKLY = "biweekly"
MONTHLY = "monthly"
CUSTOM = "custom"
FREQUENCIES = (WEEKLY, BIWEEKLY, MONTHLY, CUSTOM)

HUNDRED = Decimal(100)

#: One dated amount of a schedule; ``down_payment`` marks the first one when
#: it is the down payment.
Installment = namedtuple("Installment", "date amount down_payment")


def add_months(start, months):
    """``start`` moved by ``months`` months, keeping month ends.

    >>> add_months(date(2026, 1, 31), 1)
    datetime.date(2026, 2, 28)
    >>> add_months(date(2026, 1, 31), 2)
    datetime.date(2026, 3, 31)
    """
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    if start.day == calendar.monthrange(start.year, start.month)[1]:
        return date(year, month, last)
    return date(year, month, min(start.day, last))


def due_date(start, frequency, period, interval_days=None):
    """The date ``period`` periods of ``frequency`` after ``start``."""
    if frequency == WEEKLY:
        return start + timedelta(weeks=period)
    if frequency == BIWEEKLY:
        return start + timedelta(weeks=2 * period)
    if frequency == MONTHLY:
        return add_months(start, period)
    if frequency == CUSTOM:
        if isinstance(interval_days, bool) or not isinstance(interval_days, int):
            raise ValueError(
                f"interval_days must be a whole number of days, not {interval_days!r}"
            )
        if interval_days < 1:
            raise ValueError(f"interval_days must be at least 1, not {interval_days}")
        return start + timedelta(days=interval_days * period)
    raise ValueError(f"frequency must be one of {FREQUENCIES}, not {frequency!r}")


def _units(amount, digits):
    """``amount`` as an integer number of minor units (cents)."""
    return int(round_money(amount, digits).scaleb(digits))


def _money(units, digits):
    return Decimal(units).scaleb(-digits)


def _split_units(total, weights):
    """Split ``total`` minor units by ``weights`` (Decimals summing to the
    whole): each share rounded half-up, the last one takes the remainder."""
    whole = sum(weights)
    shares = []
    for weight in weights[:-1]:
        shares.append(_units(Decimal(total) * weight / whole, 0))
    shares.append(total - sum(shares))
    return shares


def check_term_lines(term_lines):
    """Validate payment-term lines ``[(percent, days), ...]``: percentages
    above 0 summing to exactly 100, delays of 0 days or more.  Returns them
    as ``[(Decimal percent, int days)]`` in delay order."""
    if not term_lines:
        raise ValueError("term_lines must hold at least one (percent, days) line")
    lines = []
    for percent, days in term_lines:
        percent = to_decimal(percent, "percent")
        if percent <= 0:
            raise ValueError(f"percent must be above 0, not {percent}")
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise ValueError(f"days must be a whole number >= 0, not {days!r}")
        lines.append((percent, days))
    total = sum(percent for percent, _days in lines)
    if total != HUNDRED:
        raise ValueError(f"the percentages must sum to 100, not {total}")
    return sorted(lines, key=lambda line: line[1])


def split_schedule(
    total,
    digits,
    first_date,
    count=1,
    frequency=MONTHLY,
    down_payment=0,
    interval_days=None,
    term_lines=None,
):
    """The installments of a plan for ``total``, in date order.

    :param total: the amount to schedule, above 0
    :param digits: the currency's number of decimals (0 for JPY, 2 for EUR)
    :param first_date: the date of the down payment, or of the first
        installment when there is none ("the first installment is due today")
    :param count: the number of installments after the down payment (at
        least 1); ignored with ``term_lines``
    :param frequency: ``weekly``, ``biweekly``, ``monthly`` or ``custom``
        (every ``interval_days`` days); ignored with ``term_lines``
    :param down_payment: due on ``first_date``; 0 or more, below ``total``
    :param term_lines: ``[(percent, days after first_date), ...]`` of a
        payment term, for the part after the down payment
    :returns: a list of :class:`Installment` with Decimal amounts rounded to
        ``digits`` decimals and summing exactly to ``total``
    :raises ValueError: naming the parameter that is wrong
    """
    check_digits(digits)
    first_date = to_date(first_date, "first_date")
    total_units = _units(total, digits)
    if total_units <= 0:
        raise ValueError(f"total must be above 0, not {total}")
    down_units = _units(to_decimal(down_payment, "down_payment"), digits)
    if down_units < 0:
        raise ValueError(f"down_payment must not be negative, not {down_payment}")
    if down_units >= total_units:
        raise ValueError(
            f"down_payment ({down_payment}) must be below the total ({total})"
        )
    schedule = []
    if down_units:
        schedule.append(Installment(first_date, _money(down_units, digits), True))
    rest = total_units - down_units
    if term_lines:
        lines = check_term_lines(term_lines)
        shares = _split_units(rest, [percent for percent, _days in lines])
        dates = [first_date + timedelta(days=days) for _percent, days in lines]
    else:
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(
                f"count must be a whole number of 1 or more, not {count!r}"
            )
        shares = _split_units(rest, [Decimal(1)] * count)
        offset = 1 if down_units else 0
        dates = [
            due_date(first_date, frequency, period + offset, interval_days)
            for period in range(count)
        ]
    schedule.extend(
        Installment(when, _money(units, digits), False)
        for when, units in zip(dates, shares, strict=True)
    )
    return schedule


def allocate_payments(amounts, paid, digits):
    """What each installment has received out of ``paid``, in order.

    :param amounts: the installments' amounts, in due-date order
    :param paid: everything paid towards the plan so far (0 or more; a
        negative figure, e.g. after a payment was undone, counts as 0)
    :returns: ``(allocated, excess)``: a list of Decimals of the same length
        as ``amounts``, each at most its installment, and what is left over
        once every installment is paid
    """
    check_digits(digits)
    left = max(_units(to_decimal(paid, "paid"), digits), 0)
    allocated = []
    for amount in amounts:
        due = _units(to_decimal(amount, "amount"), digits)
        share = min(max(due, 0), left)
        allocated.append(_money(share, digits))
        left -= share
    return allocated, _money(left, digits)
