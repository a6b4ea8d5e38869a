# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Read reference-rate histories from a CSV file.

The file has one row per change: ``code,date_from,rate`` (rate in percent
per year, ``.`` as decimal separator, may be negative).  The rows of one
code make one :class:`.interest.RateTable`.  The addon ships the history
of the ECB main refinancing rate (``ecb_mro``), the German base rate
(``de_base``) and the Bank of England Bank Rate (``boe_base``) in
``data/reference_rates.csv``; admins add later changes in the database, and
can reload a newer file with :func:`load_rates`.
"""

import csv
from pathlib import Path

from .interest import RateTable

COLUMNS = ("code", "date_from", "rate")

#: The history shipped with the addon.
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "reference_rates.csv"


def parse_rates(lines, source="<rates>"):
    """Build ``{code: RateTable}`` from CSV text lines (a file or a list).

    :param source: name used in error messages (the file name)
    :raises ValueError: naming the source, the line and the problem
        (missing column, bad date or number, two rates for one date)
    """
    reader = csv.DictReader(lines)
    missing = [name for name in COLUMNS if name not in (reader.fieldnames or ())]
    if missing:
        raise ValueError(f"{source}: missing column(s) {', '.join(missing)}")
    entries = {}
    for row in reader:
        line = reader.line_num
        code = (row["code"] or "").strip()
        if not code:
            raise ValueError(f"{source}, line {line}: code is empty")
        entries.setdefault(code, []).append((line, row["date_from"], row["rate"]))
    tables = {}
    for code, rows in entries.items():
        try:
            tables[code] = RateTable((day, rate) for _line, day, rate in rows)
        except ValueError as error:
            # RateTable does not know line numbers: find the first bad row
            # again so the message points at it.
            seen = RateTable()
            for line, day, rate in rows:
                try:
                    seen = RateTable([*seen, (day, rate)])
                except ValueError as row_error:
                    raise ValueError(
                        f"{source}, line {line} ({code}): {row_error}"
                    ) from None
            raise ValueError(
                f"{source} ({code}): {error}"
            ) from None  # pragma: no cover
    return tables


def load_rates(path=DEFAULT_PATH):
    """Read the CSV file at ``path`` into ``{code: RateTable}``."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8") as handle:
        return parse_rates(handle, source=path.name)
