# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pure computations of late fees and statutory interest: no ORM, no database.

Standard library only, so that the models stay thin and every rule is tested
in milliseconds: :mod:`.interest` (interest for a period and a rate table),
:mod:`.fees` (fixed, percentage, tiered and statutory fees), :mod:`.presets`
(EU, DE, FR and UK statutory terms), :mod:`.rates_csv` (the shipped
reference-rate history), :mod:`.installments` (payment plan schedules and
the allocation of payments to them) and :mod:`.coerce` (exact decimals,
half-up rounding).
"""

from . import coerce, fees, installments, interest, presets, rates_csv
