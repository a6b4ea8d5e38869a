# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The arithmetic of the follow-up reports: aging buckets, DSO, effectiveness.

Each rule is written once, here, as a plain Python function, and the reports'
SQL is generated from the same definition (``*_sql`` twins built with
:class:`odoo.tools.SQL`, which is a query builder, not the ORM): the aging
report's ``CASE`` comes from :data:`AGING_BUCKETS`, the DSO and effectiveness
measures from the same formulas as :func:`dso` and :func:`effectiveness`.  The
tests check that each twin answers like its function.
"""

from collections import namedtuple
from datetime import date
from itertools import pairwise

from odoo.tools import SQL

Bucket = namedtuple("Bucket", "name label low high")

#: Aging buckets by days late (negative: days before the due date), in order,
#: contiguous, the first open below and the last open above.
AGING_BUCKETS = (
    Bucket("not_due", "Not due", None, 0),
    Bucket("1_30", "1-30 days", 1, 30),
    Bucket("31_60", "31-60 days", 31, 60),
    Bucket("61_90", "61-90 days", 61, 90),
    Bucket("over_90", "Over 90 days", 91, None),
)

#: A notice is effective when the amount it concerned is paid within these
#: days after the notice's date.
EFFECTIVENESS_DAYS = 14


def check_buckets(buckets=AGING_BUCKETS):
    """Raise ``ValueError`` unless the buckets cover every integer once, in order."""
    if not buckets or buckets[0].low is not None or buckets[-1].high is not None:
        raise ValueError("the first bucket must be open below, the last open above")
    for before, after in pairwise(buckets):
        if before.high is None or after.low != before.high + 1:
            raise ValueError(
                f"buckets {before.name} and {after.name} are not contiguous"
            )
    return True


def aging_bucket(late, buckets=AGING_BUCKETS):
    """Name of the bucket of an installment ``late`` days after its due date."""
    if not isinstance(late, int):
        raise TypeError("late must be a number of days")
    for bucket in buckets[:-1]:
        if late <= bucket.high:
            return bucket.name
    return buckets[-1].name


def aging_bucket_sql(late, buckets=AGING_BUCKETS):
    """SQL twin of :func:`aging_bucket`: the bucket of the integer expression
    ``late`` (an :class:`~odoo.tools.SQL`)."""
    check_buckets(buckets)
    whens = [
        SQL("WHEN %s <= %s THEN %s", late, bucket.high, bucket.name)
        for bucket in buckets[:-1]
    ]
    return SQL("(CASE %s ELSE %s END)", SQL(" ").join(whens), buckets[-1].name)


def dso(receivable, sales, days):
    """Days sales outstanding of a period: what customers owe at its end,
    in days of the period's credit sales (``receivable / sales * days``).

    ``None`` when nothing was sold in the period: the ratio says nothing then.
    """
    if days <= 0:
        raise ValueError("a period has at least one day")
    if not sales or sales <= 0:
        return None
    return receivable / sales * days


def dso_sql(receivable, sales, days):
    """SQL twin of :func:`dso` over three numeric expressions."""
    return SQL(
        "(CASE WHEN %(sales)s > 0 THEN %(receivable)s / %(sales)s * %(days)s END)",
        receivable=receivable,
        sales=sales,
        days=days,
    )


def effectiveness(noticed, paid):
    """Percentage of the amount noticed that was paid within
    :data:`EFFECTIVENESS_DAYS` (``None`` when nothing was noticed)."""
    if not noticed or noticed <= 0:
        return None
    return min(paid, noticed) / noticed * 100.0


def effectiveness_sql(noticed, paid):
    """SQL twin of :func:`effectiveness` over two numeric expressions."""
    return SQL(
        "(CASE WHEN %(noticed)s > 0"
        " THEN LEAST(%(paid)s, %(noticed)s) / %(noticed)s * 100.0 END)",
        noticed=noticed,
        paid=paid,
    )


def month_starts(today, count=12):
    """First days of the ``count`` months up to and including ``today``'s,
    oldest first."""
    if not isinstance(today, date):
        raise TypeError("today must be a date")
    months = []
    year, month = today.year, today.month
    for _index in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]
