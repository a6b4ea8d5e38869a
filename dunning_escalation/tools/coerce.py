# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Turning what callers hand us into exact values, and rounding money.

The fee and interest functions are called from Odoo fields (floats for
monetary fields, ``datetime.date`` for date fields), from CSV files (strings)
and from tests (literals).  Every amount is converted to :class:`Decimal`
here, once, so that the arithmetic downstream is exact and the only rounding
is the one done on purpose, half-up, to the currency's number of decimals.

Floats are converted through their shortest ``repr`` (``0.1`` becomes
``Decimal("0.1")``, not ``0.1000000000000000055...``): a monetary float read
from the database is meant as the decimal number it prints as.
"""

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

# Intermediate results (rate x days / basis) are not exact decimals; 40
# significant digits keep the error far below any currency's smallest unit
# for amounts up to 10^30, before the one rounding we do on purpose.
PRECISION = 40


def to_decimal(value, name):
    """Return ``value`` (int, float, str or Decimal) as a finite Decimal.

    :param name: the parameter name, used in the error message
    :raises ValueError: for anything that is not a finite number
    """
    if isinstance(value, bool):
        # bool is an int subclass: True would silently become 1.
        raise ValueError(f"{name} must be a number, not {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, not {value!r}")
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{name} must be a number, not {value!r}") from None
    else:
        raise ValueError(f"{name} must be a number, not {value!r}")
    if not result.is_finite():
        raise ValueError(f"{name} must be a finite number, not {value!r}")
    return result


def to_optional_decimal(value, name):
    """Like :func:`to_decimal`, but ``None`` (no value, e.g. no cap) stays None."""
    return None if value is None else to_decimal(value, name)


def to_non_negative(value, name, optional=False):
    """A Decimal that must not be below zero (fees, caps, rates of a fee)."""
    if optional and value is None:
        return None
    result = to_decimal(value, name)
    if result < 0:
        raise ValueError(f"{name} must not be negative, not {value}")
    return result


def to_date(value, name):
    """Return ``value`` (a date or an ISO ``YYYY-MM-DD`` string) as a date.

    Datetimes are refused: subtracting one from a date raises late and far
    from the mistake, and a time of day has no meaning for interest days.
    """
    if isinstance(value, datetime):
        raise ValueError(f"{name} must be a date, not a datetime ({value!r})")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"{name} must be a date (YYYY-MM-DD), not {value!r}"
            ) from None
    raise ValueError(f"{name} must be a date, not {value!r}")


def check_digits(digits):
    """Validate the number of decimals of a currency (0 for JPY, 3 for KWD)."""
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 0:
        raise ValueError(
            f"digits must be a whole number of decimals (0 or more), not {digits!r}"
        )
    return digits


def round_money(amount, digits):
    """Round ``amount`` half-up to ``digits`` decimals.

    Half-up (0.125 -> 0.13), not Python's default half-even: invoices,
    statutory calculators and Odoo's own ``float_round`` round halves away
    from zero, and a debtor checking our figure by hand will do the same.
    """
    check_digits(digits)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return to_decimal(amount, "amount").quantize(
            Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP
        )
