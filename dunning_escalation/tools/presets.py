# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Statutory late-payment rules per jurisdiction, as plain data.

A preset fills an interest policy in one click: which reference rate, which
rule picks the rate for a period, how many points are added, and which fixed
compensation is due per late invoice.  Business-to-business and consumer
debts differ: ``margin_consumer=None`` means the rule defines no statutory
interest for consumers (the EU directive only covers commercial
transactions), and ``compensation_consumer=False`` that the fixed
compensation is never due from a consumer.

These are defaults for the statutory case.  Contracts may agree other terms
within the law, and the law changes: the ``legal_basis`` says where to check.
"""

from dataclasses import dataclass
from decimal import Decimal

from .interest import ACTUAL_365, FIXED_AT_DUE, HALF_YEAR

PER_INVOICE = "per_invoice"
UK_BANDS = "uk_bands"
COMPENSATION_KINDS = (PER_INVOICE, UK_BANDS)


@dataclass(frozen=True)
class Preset:
    """The statutory late-payment terms of one jurisdiction.

    :ivar code: short key (``eu``, ``de``, ``fr``, ``uk``)
    :ivar name: human-readable name
    :ivar legal_basis: the texts the values come from
    :ivar reference_rate_code: code of the rate table in
        ``data/reference_rates.csv`` (``ecb_mro``, ``de_base``, ``boe_base``)
    :ivar rate_rule: one of :data:`.interest.RATE_RULES`
    :ivar margin_business: points over the reference rate between businesses
    :ivar margin_consumer: points for a consumer debtor, or None when the
        rule defines no statutory interest for consumers
    :ivar day_count: the usual day count; the texts do not fix one, and
        actual/365 is what courts and official calculators use in practice
    :ivar compensation_kind: ``per_invoice`` (a flat amount per late invoice)
        or ``uk_bands`` (an amount depending on the size of the debt, see
        :func:`.fees.uk_fixed_compensation`)
    :ivar compensation_amount: the flat amount for ``per_invoice``; None for
        ``uk_bands``
    :ivar compensation_currency: ISO code of the compensation amounts
    :ivar compensation_consumer: whether a consumer owes the compensation
    :ivar notes: what the data does not say by itself
    """

    code: str
    name: str
    legal_basis: str
    reference_rate_code: str
    rate_rule: str
    margin_business: Decimal
    margin_consumer: Decimal | None
    day_count: str
    compensation_kind: str
    compensation_amount: Decimal | None
    compensation_currency: str
    compensation_consumer: bool
    notes: str = ""

    def margin(self, consumer=False):
        """Points over the reference rate, or None: no statutory interest."""
        return self.margin_consumer if consumer else self.margin_business


EU = Preset(
    code="eu",
    name="European Union (Directive 2011/7/EU)",
    legal_basis="Directive 2011/7/EU on combating late payment in commercial "
    "transactions: art. 2 (statutory interest, reference rate), 3-4 "
    "(interest) and 6 (compensation)",
    reference_rate_code="ecb_mro",
    rate_rule=HALF_YEAR,
    margin_business=Decimal(8),
    margin_consumer=None,
    day_count=ACTUAL_365,
    compensation_kind=PER_INVOICE,
    compensation_amount=Decimal(40),
    compensation_currency="EUR",
    compensation_consumer=False,
    notes="The directive covers commercial transactions only: it defines no "
    "interest and no compensation for consumers; national law applies to "
    "them.  Member states outside the euro area use their central bank's rate.",
)

DE = Preset(
    code="de",
    name="Germany (BGB §288)",
    legal_basis="BGB §247 (Basiszinssatz, changes on 1 January and 1 July), "
    "§288(1) (+5 points), §288(2) (+9 points when no consumer is involved), "
    "§288(5) (EUR 40 Pauschale, not from consumers)",
    reference_rate_code="de_base",
    rate_rule=HALF_YEAR,
    margin_business=Decimal(9),
    margin_consumer=Decimal(5),
    day_count=ACTUAL_365,
    compensation_kind=PER_INVOICE,
    compensation_amount=Decimal(40),
    compensation_currency="EUR",
    compensation_consumer=False,
    notes="The base rate may be negative and then lowers the rate (e.g. "
    "-0.88 + 5 = 4.12 % for consumers in 2021).  The EUR 40 Pauschale is "
    "credited against damages claimed for the costs of legal pursuit.",
)

FR = Preset(
    code="fr",
    name="France (Code de commerce L441-10)",
    legal_basis="Code de commerce L441-10 (ECB rate + 10 points, rate on "
    "1 January / 1 July for each half-year) and D441-5 (EUR 40 indemnité "
    "forfaitaire pour frais de recouvrement per invoice)",
    reference_rate_code="ecb_mro",
    rate_rule=HALF_YEAR,
    margin_business=Decimal(10),
    margin_consumer=None,
    day_count=ACTUAL_365,
    compensation_kind=PER_INVOICE,
    compensation_amount=Decimal(40),
    compensation_currency="EUR",
    compensation_consumer=False,
    notes="Business-to-business only.  The parties may agree another rate, "
    "but not below three times the taux d'intérêt légal; consumers owe the "
    "taux d'intérêt légal under the Code civil, which this preset does not "
    "cover.",
)

UK = Preset(
    code="uk",
    name="United Kingdom (Late Payment of Commercial Debts Act 1998)",
    legal_basis="Late Payment of Commercial Debts (Interest) Act 1998 and the "
    "Late Payment of Commercial Debts (Rate of Interest) (No. 3) Order 2002 "
    "(Bank of England rate + 8 points, fixed at the last 30 June / 31 "
    "December before the due date); s.5A (fixed sum GBP 40 / 70 / 100)",
    reference_rate_code="boe_base",
    rate_rule=FIXED_AT_DUE,
    margin_business=Decimal(8),
    margin_consumer=None,
    day_count=ACTUAL_365,
    compensation_kind=UK_BANDS,
    compensation_amount=None,
    compensation_currency="GBP",
    compensation_consumer=False,
    notes="Commercial debts only.  The fixed sum depends on the size of each "
    "debt: see fees.uk_fixed_compensation.",
)

PRESETS = {preset.code: preset for preset in (EU, DE, FR, UK)}


def get_preset(code):
    """The preset for ``code``.

    :raises ValueError: for an unknown code, listing the known ones
    """
    try:
        return PRESETS[code]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown preset code {code!r}; known codes: {', '.join(PRESETS)}"
        ) from None
