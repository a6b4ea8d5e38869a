# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""When a reference-rate table is out of date.

The tables hold a row from each day a rate changed (``date_from``).  Whether
the latest row is still the rate in force cannot be told for rates that
change at irregular meetings (ECB, Bank of England) and are read day by day:
the row holds until the next one.  It can for the rates read, or published,
once a half-year:

- the German base rate (``de_base``) is published for 1 January and 1 July,
  unchanged or not, and the shipped table has a row for each;
- a policy whose rule is "the rate on 1 January / 1 July, for the
  half-year" (France, the EU directive's default) needs the value of the
  current half-year: a row dated on or after its first day, even when the
  value did not change.

Either way, a table whose latest row is older than the last 1 January or
1 July misses the value of the current half-year, and interest would be
charged at the previous one.
"""

from datetime import date

from .interest import HALF_YEAR

#: rates published for each half-year, whatever their rule
PUBLISHED_EACH_HALF_YEAR = frozenset({"de_base"})


def half_year_start(day):
    """The last 1 January or 1 July on or before ``day``."""
    return date(day.year, 1 if day.month < 7 else 7, 1)


def missing_since(code, rule, latest, today):
    """The first day of the half-year whose value the table of rate ``code``
    misses, read by ``rule``; ``None`` when the table is up to date or its
    rhythm cannot be known (irregular changes read day by day).

    :param latest: ``date_from`` of the table's latest row, or ``None``
    """
    if code not in PUBLISHED_EACH_HALF_YEAR and rule != HALF_YEAR:
        return None
    start = half_year_start(today)
    if latest is None or latest < start:
        return start
    return None
