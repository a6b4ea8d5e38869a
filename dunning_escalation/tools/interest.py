# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Statutory and contractual late-payment interest, without a database.

What is computed
    Simple interest, day by day, on the principal outstanding each day::

        interest = sum over days d of  principal(d) x annual_rate(d) / 100 / basis(d)

    where ``basis`` is 365, 360 or the length of d's year (actual/actual).
    Days that share principal, rate and basis are grouped into one
    :class:`InterestLine`, so the sum is computed per segment and the
    segments explain the figure on the late-fee invoice ("1,000.00 at
    10.62 % from 01/06 to 30/06, 30 days: 8.73").

Which days
    Interest runs from the later of ``date_from`` and the first day of
    default, ``due_date + 1 + grace_days``, to ``date_to``, both inclusive.
    A debt due on 31 May is in default from 1 June (the due date itself is
    still on time).  Grace days only delay the start: a payment within the
    grace period costs nothing, a payment after it pays interest from the
    end of the grace period, not from the due date.  We chose this because
    it is what a customer reads into "5 days' grace" and because waiving the
    grace once it is exceeded would make one day's delay cost six days'
    interest, a cliff that generates disputes for cents.  Whoever wants the
    other behaviour passes ``grace_days=0`` once the grace is exceeded.

    To charge interest in several instalments (each dunning level invoices
    what accrued since the last charge), remember the last ``date_to`` and
    pass the day after it as the next ``date_from``: no day is counted twice.

Which principal
    ``principal_changes`` lists ``(date, outstanding)`` pairs: the amount
    outstanding from that date on.  A partial payment received on 15 August
    is ``(date(…, 8, 15), remaining)``: 15 August no longer bears interest on
    the paid part, which matches the usual reading that interest runs up to
    the day before payment.  Before the first pair nothing is outstanding.

Which rate
    Either a ``fixed_rate`` (annual percent, contractual) or a reference
    ``rate_table`` plus a ``margin`` in points, with a rule that says which
    reference applies to which day (see :data:`RATE_RULES`).  Reference
    rates may be negative (the German base rate was -0.88 % from July 2016 to
    December 2022 and lowered the statutory rate accordingly); the resulting
    annual rate is floored at 0, then capped at ``max_annual_rate``.

Rounding
    Line amounts are kept exact (unrounded) in :attr:`InterestLine.amount`;
    the total is summed exactly, capped at ``max_total``, and rounded once,
    half-up, to ``digits`` decimals.  For display, each line also carries a
    :attr:`InterestLine.rounded_amount` obtained by cumulative rounding, so
    the rounded lines always add up to the rounded uncapped total.
"""

import calendar
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, localcontext

from .coerce import (
    PRECISION,
    check_digits,
    round_money,
    to_date,
    to_decimal,
    to_non_negative,
)

ACTUAL_365 = "actual_365"
ACTUAL_360 = "actual_360"
ACTUAL_ACTUAL = "actual_actual"
DAY_COUNTS = (ACTUAL_365, ACTUAL_360, ACTUAL_ACTUAL)

DAILY = "daily"
HALF_YEAR = "half_year"
FIXED_AT_DUE = "fixed_at_due"
#: How the reference rate for a day is chosen:
#:
#: ``daily``
#:     the rate in force on that day (interest is split at every change);
#: ``half_year``
#:     the rate in force on 1 January applies to the whole first half-year,
#:     the rate on 1 July to the second (Directive 2011/7/EU art. 2(12) and
#:     its transpositions: BGB §247/§288 in Germany, Code de commerce
#:     L441-10 in France); interest is split at 1 January and 1 July;
#: ``fixed_at_due``
#:     the rate in force on the last 30 June or 31 December strictly before
#:     the due date, fixed for the life of the debt (UK Late Payment of
#:     Commercial Debts (Interest) Act 1998 and its rate order).
RATE_RULES = (DAILY, HALF_YEAR, FIXED_AT_DUE)

ZERO = Decimal(0)
ONE_DAY = timedelta(days=1)


def _days_in_year(year):
    return 366 if calendar.isleap(year) else 365


class RateTable:
    """A dated table of annual reference rates, in percent.

    Each entry ``(date_from, rate)`` holds from ``date_from`` until the next
    entry; the last one holds indefinitely.  The order of the entries given
    does not matter.  Two different entries for the same date are refused
    (which one would apply?), and a day before the first entry has no rate:
    asking for it is an error rather than a silent zero, because a missing
    rate usually means the admin has not loaded the history yet.
    """

    __slots__ = ("_dates", "_rates")

    def __init__(self, entries=()):
        rows = {}
        for entry in entries:
            try:
                day, rate = entry
            except (TypeError, ValueError):
                raise ValueError(
                    "each rate table entry must be a (date_from, rate) pair, "
                    f"not {entry!r}"
                ) from None
            day = to_date(day, "date_from")
            rate = to_decimal(rate, "rate")
            if day in rows:
                raise ValueError(
                    f"two reference rates for date_from {day.isoformat()}: "
                    f"{rows[day]} and {rate}"
                )
            rows[day] = rate
        self._dates = sorted(rows)
        self._rates = [rows[day] for day in self._dates]

    def __len__(self):
        return len(self._dates)

    def __iter__(self):
        """Yield ``(date_from, rate)`` in date order."""
        return iter(zip(self._dates, self._rates, strict=True))

    def __eq__(self, other):
        if not isinstance(other, RateTable):
            return NotImplemented
        return self._dates == other._dates and self._rates == other._rates

    __hash__ = None

    def __repr__(self):
        if not self._dates:
            return "RateTable([])"
        return (
            f"RateTable({len(self)} rates from {self._dates[0].isoformat()} "
            f"to {self._dates[-1].isoformat()})"
        )

    @property
    def first_date(self):
        """The first day that has a rate, or None for an empty table."""
        return self._dates[0] if self._dates else None

    def rate_on(self, day):
        """The rate in force on ``day``.

        :raises ValueError: ``no reference rate on <day>`` when ``day`` is
            before the first entry (or the table is empty)
        """
        day = to_date(day, "day")
        index = bisect_right(self._dates, day) - 1
        if index < 0:
            hint = (
                f" (the table starts on {self._dates[0].isoformat()})"
                if self._dates
                else " (the table is empty)"
            )
            raise ValueError(f"no reference rate on {day.isoformat()}{hint}")
        return self._rates[index]

    def change_dates(self, start, end):
        """Entry dates ``d`` with ``start < d <= end``: where a rate may change."""
        low = bisect_right(self._dates, start)
        high = bisect_right(self._dates, end)
        return self._dates[low:high]

    def segments(self, start, end):
        """Yield ``(seg_start, seg_end, rate)`` covering ``start..end``.

        Both ends are inclusive; a new segment starts only where the rate
        actually changes (two consecutive entries with the same rate make
        one segment).  Nothing is yielded when ``end < start``.
        """
        start = to_date(start, "start")
        end = to_date(end, "end")
        if end < start:
            return
        seg_start, rate = start, self.rate_on(start)
        for day in self.change_dates(start, end):
            new_rate = self.rate_on(day)
            if new_rate != rate:
                yield seg_start, day - ONE_DAY, rate
                seg_start, rate = day, new_rate
        yield seg_start, end, rate


def first_accrual_day(due_date, grace_days=0):
    """The first day that bears interest: the day after the due date, plus grace."""
    return to_date(due_date, "due_date") + timedelta(days=grace_days + 1)


def half_year_start(day):
    """1 January or 1 July of the half-year containing ``day``."""
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def fixed_at_due_reference_date(due_date):
    """The last 30 June or 31 December strictly before ``due_date``.

    The UK rate for a debt is the Bank of England rate "in force on 31
    December or 30 June immediately before the day the debt fell due": a
    debt due on 30 June takes the rate of the previous 31 December, one due
    on 1 July the rate of 30 June.
    """
    due_date = to_date(due_date, "due_date")
    june = date(due_date.year, 6, 30)
    if june < due_date:
        december = date(due_date.year, 12, 31)
        return december if december < due_date else june
    return date(due_date.year - 1, 12, 31)


@dataclass(frozen=True)
class InterestLine:
    """One stretch of days with the same principal, rate and day-count basis.

    :ivar start: first day, inclusive
    :ivar end: last day, inclusive
    :ivar days: number of days, ``(end - start).days + 1``
    :ivar principal: amount outstanding on each of those days
    :ivar reference_rate: the reference rate used (None for a fixed rate)
    :ivar annual_rate: the rate applied, in percent per year, after the
        floor at 0 and the ``max_annual_rate`` cap
    :ivar rate_capped: True when ``max_annual_rate`` lowered the rate
    :ivar basis: days in the year used as divisor (360, 365 or 366)
    :ivar amount: exact interest of the line, not rounded
    :ivar rounded_amount: the line's share of the rounded uncapped total
        (cumulative rounding: the rounded lines add up to that total exactly)
    """

    start: date
    end: date
    days: int
    principal: Decimal
    reference_rate: Decimal | None
    annual_rate: Decimal
    rate_capped: bool
    basis: int
    amount: Decimal
    rounded_amount: Decimal


@dataclass(frozen=True)
class InterestResult:
    """The interest owed for a period, and how it was obtained.

    :ivar amount: what to charge: rounded half-up to ``digits``, after the
        ``max_total`` cap
    :ivar uncapped_amount: the rounded total before ``max_total``
    :ivar capped: True when ``max_total`` lowered the amount
    :ivar start: first day that bore interest (None when no day did)
    :ivar end: last day considered (``date_to``; None when no day did)
    :ivar lines: the segments, in date order; days with nothing
        outstanding are left out
    :ivar digits: the number of decimals used for rounding
    """

    amount: Decimal
    uncapped_amount: Decimal
    capped: bool
    start: date | None
    end: date | None
    lines: tuple[InterestLine, ...]
    digits: int

    @property
    def days(self):
        """Days that bore interest (days with something outstanding)."""
        return sum(line.days for line in self.lines)


class _Principal:
    """The outstanding amount as a step function of the day."""

    def __init__(self, principal_changes):
        if isinstance(principal_changes, int | float | str | Decimal):
            # A single amount: outstanding since forever.
            principal_changes = [(date.min, principal_changes)]
        if not isinstance(principal_changes, Iterable):
            raise ValueError(
                "principal_changes must be a list of (date, outstanding) pairs, "
                f"not {principal_changes!r}"
            )
        rows = {}
        for entry in principal_changes:
            try:
                day, amount = entry
            except (TypeError, ValueError):
                raise ValueError(
                    "principal_changes must hold (date, outstanding) pairs, "
                    f"not {entry!r}"
                ) from None
            day = to_date(day, "principal_changes date")
            amount = to_decimal(amount, "principal_changes amount")
            if amount < 0:
                raise ValueError(
                    f"principal_changes: the outstanding amount on "
                    f"{day.isoformat()} must not be negative, not {amount}"
                )
            if day in rows:
                raise ValueError(
                    f"principal_changes: two outstanding amounts for "
                    f"{day.isoformat()} ({rows[day]} and {amount})"
                )
            rows[day] = amount
        self.dates = sorted(rows)
        self.amounts = [rows[day] for day in self.dates]

    def on(self, day):
        index = bisect_right(self.dates, day) - 1
        return ZERO if index < 0 else self.amounts[index]

    def change_dates(self, start, end):
        return self.dates[
            bisect_right(self.dates, start) : bisect_right(self.dates, end)
        ]


def _year_starts(start, end):
    return [date(year, 1, 1) for year in range(start.year + 1, end.year + 1)]


def _half_year_starts(start, end):
    days = []
    for year in range(start.year, end.year + 1):
        days += [date(year, 1, 1), date(year, 7, 1)]
    return [day for day in days if start < day <= end]


def compute_interest(
    *,
    principal_changes,
    due_date,
    date_from,
    date_to,
    fixed_rate=None,
    rate_table=None,
    rate_rule=DAILY,
    margin=0,
    day_count=ACTUAL_365,
    grace_days=0,
    max_annual_rate=None,
    max_total=None,
    digits=2,
):
    """Compute late-payment interest; see the module docstring for the rules.

    :param principal_changes: ``[(date, outstanding), ...]``, the amount
        outstanding from each date on (any order), or a single amount
        outstanding throughout
    :param due_date: the day the debt fell due; interest starts the day after
    :param date_from: first day that may bear interest (inclusive), e.g. the
        day after the last interest charge
    :param date_to: last day that bears interest (inclusive); before
        ``date_from`` the result is zero
    :param fixed_rate: contractual annual rate in percent; exclusive with
        ``rate_table``
    :param rate_table: a :class:`RateTable` (or its entries) of reference
        rates; exclusive with ``fixed_rate``
    :param rate_rule: one of :data:`RATE_RULES`; used with ``rate_table``
    :param margin: points added to the reference rate (8 for the EU
        directive, 9 for German B2B); not allowed with ``fixed_rate``
    :param day_count: one of :data:`DAY_COUNTS`
    :param grace_days: days after the due date before interest starts
    :param max_annual_rate: legal or contractual cap on the annual rate
    :param max_total: cap on the total interest of this computation
    :param digits: decimals of the currency (0 JPY, 2 EUR, 3 KWD)
    :return: :class:`InterestResult`
    :raises ValueError: naming the offending parameter
    """
    digits = check_digits(digits)
    terms = _check_terms(
        due_date=due_date,
        date_from=date_from,
        date_to=date_to,
        fixed_rate=fixed_rate,
        rate_table=rate_table,
        rate_rule=rate_rule,
        margin=margin,
        day_count=day_count,
        grace_days=grace_days,
        max_annual_rate=max_annual_rate,
        max_total=max_total,
    )
    principal = _Principal(principal_changes)
    start = max(terms.date_from, first_accrual_day(terms.due_date, grace_days))
    end = terms.date_to
    if end < start:
        zero = round_money(ZERO, digits)
        return InterestResult(zero, zero, False, None, None, (), digits)
    groups = _group_days(terms, principal, start, end)
    lines, total = _interest_lines(groups, digits)
    uncapped = round_money(total, digits)
    max_total = terms.max_total
    capped_total = max_total is not None and total > max_total
    amount = round_money(max_total, digits) if capped_total else uncapped
    return InterestResult(
        amount=amount,
        uncapped_amount=uncapped,
        capped=capped_total,
        start=start,
        end=end,
        lines=tuple(lines),
        digits=digits,
    )


@dataclass(frozen=True)
class _Terms:
    """The checked arguments of :func:`compute_interest`."""

    due_date: date
    date_from: date
    date_to: date
    fixed_rate: Decimal | None
    rate_table: RateTable | None
    rate_rule: str
    margin: Decimal
    day_count: str
    max_annual_rate: Decimal | None
    max_total: Decimal | None


def _check_terms(
    *,
    due_date,
    date_from,
    date_to,
    fixed_rate,
    rate_table,
    rate_rule,
    margin,
    day_count,
    grace_days,
    max_annual_rate,
    max_total,
):
    """The arguments of :func:`compute_interest`, checked and converted.

    :raises ValueError: naming the offending parameter
    """
    if day_count not in DAY_COUNTS:
        raise ValueError(f"day_count must be one of {DAY_COUNTS}, not {day_count!r}")
    if rate_rule not in RATE_RULES:
        raise ValueError(f"rate_rule must be one of {RATE_RULES}, not {rate_rule!r}")
    due_date = to_date(due_date, "due_date")
    date_from = to_date(date_from, "date_from")
    date_to = to_date(date_to, "date_to")
    if isinstance(grace_days, bool) or not isinstance(grace_days, int):
        raise ValueError(f"grace_days must be a whole number, not {grace_days!r}")
    if grace_days < 0:
        raise ValueError(f"grace_days must not be negative, not {grace_days}")
    if (fixed_rate is None) == (rate_table is None):
        raise ValueError("give exactly one of fixed_rate and rate_table")
    margin = to_non_negative(margin, "margin")
    if fixed_rate is not None:
        fixed_rate = to_non_negative(fixed_rate, "fixed_rate")
        if margin:
            # A margin belongs to a reference rate; with a fixed rate it is
            # almost certainly a leftover of another configuration.
            raise ValueError("margin applies to a rate_table, not to a fixed_rate")
    elif not isinstance(rate_table, RateTable):
        rate_table = RateTable(rate_table)
    return _Terms(
        due_date=due_date,
        date_from=date_from,
        date_to=date_to,
        fixed_rate=fixed_rate,
        rate_table=rate_table,
        rate_rule=rate_rule,
        margin=margin,
        day_count=day_count,
        max_annual_rate=to_non_negative(max_annual_rate, "max_annual_rate", True),
        max_total=to_non_negative(max_total, "max_total", True),
    )


def _reference_rule(terms, start, end):
    """``(reference_on, breaks)``: the function giving the reference rate
    that applies on a day (None with a fixed rate), and the days in
    ``[start, end]`` where that rate or the day-count basis may change."""
    rate_table = terms.rate_table
    breaks = set()
    if terms.fixed_rate is not None:
        reference_on = None
    elif terms.rate_rule == DAILY:
        breaks.update(rate_table.change_dates(start, end))
        reference_on = rate_table.rate_on
    elif terms.rate_rule == HALF_YEAR:
        breaks.update(_half_year_starts(start, end))

        def reference_on(day):
            return rate_table.rate_on(half_year_start(day))

    else:  # FIXED_AT_DUE
        reference_day = fixed_at_due_reference_date(terms.due_date)

        def reference_on(day):
            return rate_table.rate_on(reference_day)

    if terms.day_count == ACTUAL_ACTUAL:
        breaks.update(_year_starts(start, end))
    return reference_on, breaks


def _annual_rate(terms, reference):
    """``(rate, capped)``: the annual rate for a reference rate (None with a
    fixed rate), capped at the maximum annual rate."""
    if reference is None:
        rate = terms.fixed_rate
    else:
        rate = max(reference + terms.margin, ZERO)
    if terms.max_annual_rate is not None and rate > terms.max_annual_rate:
        return terms.max_annual_rate, True
    return rate, False


def _group_days(terms, principal, start, end):
    """``[[key, first day, last day]]``: the days from ``start`` to ``end``
    grouped by ``key = (outstanding, reference, rate, capped, basis, year)``.

    Every day where principal, rate or basis may change opens a segment;
    consecutive segments with the same key are one group: rate table
    entries that repeat a rate, or half-years with the same reference, give
    one line, not two.  Under actual/actual the year is part of the key, so
    that each line is visibly within one year even when two consecutive
    years both have 365 days."""
    reference_on, breaks = _reference_rule(terms, start, end)
    breaks.update(principal.change_dates(start, end))
    groups = []
    bounds = [start, *sorted(breaks)]
    for seg_start, next_start in zip(bounds, [*bounds[1:], end + ONE_DAY], strict=True):
        outstanding = principal.on(seg_start)
        if not outstanding:
            continue  # nothing outstanding: no rate needed, no line
        reference = reference_on(seg_start) if reference_on else None
        rate, capped = _annual_rate(terms, reference)
        year = None
        if terms.day_count == ACTUAL_360:
            basis = 360
        elif terms.day_count == ACTUAL_365:
            basis = 365
        else:
            year = seg_start.year
            basis = _days_in_year(year)
        key = (outstanding, reference, rate, capped, basis, year)
        seg_end = next_start - ONE_DAY
        if groups and groups[-1][0] == key and groups[-1][2] + ONE_DAY == seg_start:
            groups[-1][2] = seg_end
        else:
            groups.append([key, seg_start, seg_end])
    return groups


def _interest_lines(groups, digits):
    """``(lines, exact total)``: one :class:`InterestLine` per group, each
    rounded so that the rounded lines add up to the rounded total."""
    lines = []
    zero = round_money(ZERO, digits)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        total = ZERO
        for (outstanding, reference, rate, capped, basis, _year), first, last in groups:
            days = (last - first).days + 1
            exact = outstanding * rate * days / (100 * basis)
            before = round_money(total, digits) if lines else zero
            total += exact
            lines.append(
                InterestLine(
                    start=first,
                    end=last,
                    days=days,
                    principal=outstanding,
                    reference_rate=reference,
                    annual_rate=rate,
                    rate_capped=capped,
                    basis=basis,
                    amount=exact,
                    rounded_amount=round_money(total, digits) - before,
                )
            )
    return lines, total
