# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Late fees: fixed, percentage, tiered, and the statutory fixed compensation.

Every function returns a :class:`Decimal` rounded half-up to ``digits``
decimals (the currency's: 0 for JPY, 2 for EUR, 3 for KWD) and accepts
int, float, str or Decimal amounts.

Conventions shared by all functions:

* nothing overdue, no fee: an overdue amount of 0 gives 0, whatever the
  fixed part or minimum; a negative overdue amount (a credit) is a caller's
  mistake and raises ``ValueError``;
* a minimum and a maximum clamp the computed fee, then the result is
  rounded, so a cap of 25 gives exactly 25.00;
* amounts are in the currency the caller works in; the models convert a
  fixed amount configured in the company currency into the invoice currency
  with Odoo's rates (``res.currency._convert``).
"""

from dataclasses import dataclass, fields
from decimal import Decimal, localcontext

from .coerce import (
    PRECISION,
    check_digits,
    round_money,
    to_decimal,
    to_non_negative,
    to_optional_decimal,
)

ZERO = Decimal(0)
HUNDRED = Decimal(100)

#: Late Payment of Commercial Debts (Interest) Act 1998, s.5A: the fixed sum
#: per debt, in GBP, by size of the debt: (debt below, sum); the last band
#: is open-ended.
UK_COMPENSATION_BANDS = (
    (Decimal(1000), Decimal(40)),
    (Decimal(10000), Decimal(70)),
    (None, Decimal(100)),
)


def _overdue(value):
    overdue = to_decimal(value, "overdue")
    if overdue < 0:
        raise ValueError(f"overdue must not be negative, not {value}")
    return overdue


def _check_bounds(minimum, maximum, prefix=""):
    if minimum is not None and maximum is not None and maximum < minimum:
        raise ValueError(
            f"{prefix}maximum ({maximum}) must not be less than minimum ({minimum})"
        )


def _clamp(fee, minimum, maximum):
    if minimum is not None and fee < minimum:
        fee = minimum
    if maximum is not None and fee > maximum:
        fee = maximum
    return fee


def fixed_fee(amount, digits=2):
    """A flat fee (e.g. 5.00 per reminder letter), rounded to the currency."""
    return round_money(to_non_negative(amount, "amount"), check_digits(digits))


def percentage_fee(overdue, percent, digits=2, minimum=None, maximum=None):
    """``percent`` % of the overdue amount, clamped to [minimum, maximum].

    >>> percentage_fee(1234.56, 1.5, 2, minimum=25)
    Decimal('25.00')
    """
    overdue = _overdue(overdue)
    percent = to_non_negative(percent, "percent")
    digits = check_digits(digits)
    minimum = to_non_negative(minimum, "minimum", True)
    maximum = to_non_negative(maximum, "maximum", True)
    _check_bounds(minimum, maximum)
    if not overdue:
        return round_money(ZERO, digits)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        fee = overdue * percent / HUNDRED
    return round_money(_clamp(fee, minimum, maximum), digits)


def per_invoice_compensation(invoice_count, amount_per_invoice, digits=2):
    """The fixed compensation due for each late invoice (EUR 40 under the
    EU directive), times the number of invoices paid late."""
    if (
        isinstance(invoice_count, bool)
        or not isinstance(invoice_count, int)
        or invoice_count < 0
    ):
        raise ValueError(
            f"invoice_count must be a whole number (0 or more), not {invoice_count!r}"
        )
    amount = to_non_negative(amount_per_invoice, "amount_per_invoice")
    return round_money(amount * invoice_count, check_digits(digits))


def uk_fixed_compensation(debt, digits=2):
    """The UK fixed sum for one debt (Late Payment Act 1998, s.5A), in GBP:
    40 for a debt below 1,000; 70 from 1,000 to below 10,000; 100 from 10,000.

    ``debt`` is the amount of the debt in GBP (convert it first when the
    invoice is in another currency).
    """
    debt = to_decimal(debt, "debt")
    if debt < 0:
        raise ValueError(f"debt must not be negative, not {debt}")
    digits = check_digits(digits)
    if not debt:
        return round_money(ZERO, digits)
    for below, amount in UK_COMPENSATION_BANDS:
        if below is None or debt < below:
            return round_money(amount, digits)
    raise AssertionError("the last band is open-ended")  # pragma: no cover


@dataclass(frozen=True)
class Tier:
    """A band of overdue amounts and the fee charged in it.

    The band covers ``lower <= overdue < upper`` (lower inclusive, upper
    exclusive, ``upper=None`` for no limit), so that 1,000.00 falls in the
    band starting at 1,000 and never in two bands.  The fee of the band is
    ``fixed + percent % of the whole overdue amount``, clamped to
    [``minimum``, ``maximum``]: the percentage is not marginal (it is not a
    tax scale where each band only taxes its own slice), so the fee can jump
    at a boundary; that is what a fee schedule printed on an invoice means.

    Values are converted to Decimal on creation; :func:`validate_tiers`
    checks them, with messages that name the field.
    """

    lower: Decimal
    upper: Decimal | None = None
    fixed: Decimal = ZERO
    percent: Decimal = ZERO
    minimum: Decimal | None = None
    maximum: Decimal | None = None

    def __post_init__(self):
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name in ("upper", "minimum", "maximum"):
                value = to_optional_decimal(value, field.name)
            else:
                value = to_decimal(value, field.name)
            object.__setattr__(self, field.name, value)

    def contains(self, overdue):
        """Whether ``overdue`` falls in this band (lower in, upper out)."""
        return self.lower <= overdue and (self.upper is None or overdue < self.upper)


def validate_tiers(tiers):
    """Check a fee schedule and return its tiers sorted by ``lower``.

    The tiers must start at 0 and follow each other without gap or overlap
    (each ``lower`` equals the previous ``upper``); only the last may be
    open-ended.  An amount at or above a bounded last tier's ``upper`` then
    falls in no band and bears no fee.  Tiers are numbered from 1 in sorted
    order in the messages.

    :raises ValueError: naming the tier and the field at fault
    """
    ordered = sorted(tiers, key=lambda tier: tier.lower)
    if not ordered:
        raise ValueError("tiers: at least one tier is needed")
    for number, tier in enumerate(ordered, start=1):
        prefix = f"tier {number}: "
        for name in ("lower", "upper", "fixed", "percent", "minimum", "maximum"):
            value = getattr(tier, name)
            if value is not None and value < 0:
                raise ValueError(f"{prefix}{name} must not be negative, not {value}")
        if tier.upper is not None and tier.upper <= tier.lower:
            raise ValueError(
                f"{prefix}upper ({tier.upper}) must be greater than "
                f"lower ({tier.lower})"
            )
        _check_bounds(tier.minimum, tier.maximum, prefix)
        if number == 1:
            if tier.lower != 0:
                raise ValueError(
                    f"{prefix}lower must be 0 for the first tier (the tiers "
                    f"start at 0), not {tier.lower}"
                )
            continue
        previous = ordered[number - 2]
        if previous.upper is None:
            raise ValueError(
                f"tier {number - 1}: upper is empty (open-ended) but tier "
                f"{number} follows; only the last tier may be open-ended"
            )
        if tier.lower < previous.upper:
            raise ValueError(
                f"{prefix}lower ({tier.lower}) overlaps tier {number - 1}, "
                f"which ends at upper {previous.upper}"
            )
        if tier.lower > previous.upper:
            raise ValueError(
                f"{prefix}lower ({tier.lower}) leaves a gap after tier "
                f"{number - 1} (upper {previous.upper}); tiers must be contiguous"
            )
    return tuple(ordered)


def find_tier(overdue, tiers):
    """The tier whose band contains ``overdue``, or None (tiers are validated)."""
    overdue = _overdue(overdue)
    for tier in validate_tiers(tiers):
        if tier.contains(overdue):
            return tier
    return None


def tier_fee(overdue, tiers, digits=2):
    """The fee of the band containing ``overdue`` (see :class:`Tier`).

    Zero when nothing is overdue or when the amount is beyond a bounded last
    tier.
    """
    digits = check_digits(digits)
    tier = find_tier(overdue, tiers)
    overdue = _overdue(overdue)
    if tier is None or not overdue:
        return round_money(ZERO, digits)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        fee = tier.fixed + overdue * tier.percent / HUNDRED
    return round_money(_clamp(fee, tier.minimum, tier.maximum), digits)
