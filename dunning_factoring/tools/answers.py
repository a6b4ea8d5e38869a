# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The answer file of a factor or an agency.

CSV whose header holds at least ``invoice``, ``status`` and
``amount_recovered`` (other columns are ignored; comma or semicolon).  The
file is read whole or refused whole: :func:`parse_answers` lists every bad
row in one :class:`AnswerError`, so the user fixes the file once.
"""

import csv
import io
from decimal import Decimal, InvalidOperation

STATUSES = ("accepted", "rejected", "recovered", "returned")
COLUMNS = ("invoice", "status", "amount_recovered")


class AnswerError(ValueError):
    """The answer file is refused; ``problems`` lists what is wrong."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _decode(content):
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AnswerError(["The file is neither UTF-8 nor Windows-1252 text."])


def _amount(text):
    text = (text or "").strip().replace(" ", "")
    if not text:
        return Decimal("0")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    return Decimal(text)


def parse_answers(content, invoices):
    """``[(invoice, status, amount_recovered), ...]`` read from ``content``
    (bytes); ``invoices`` is the set of invoice numbers of the batch."""
    text = _decode(content)
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise AnswerError(
            ["The header lacks the column(s): {}.".format(", ".join(missing))]
        )
    reader.fieldnames = header
    answers, problems, seen = [], [], set()
    for row in reader:
        line = reader.line_num
        invoice = (row.get("invoice") or "").strip()
        status = (row.get("status") or "").strip().lower()
        if not invoice and not status:
            continue  # blank line
        bad = []
        if invoice not in invoices:
            bad.append(f"invoice {invoice!r} is not in the batch")
        elif invoice in seen:
            bad.append(f"invoice {invoice!r} is answered twice")
        if status not in STATUSES:
            bad.append(
                "unknown status {!r} (expected {})".format(status, ", ".join(STATUSES))
            )
        try:
            amount = _amount(row.get("amount_recovered"))
            if amount < 0 or not amount.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            bad.append(
                "amount_recovered {!r} is not a positive number".format(
                    row.get("amount_recovered")
                )
            )
            amount = None
        if status == "recovered" and amount is not None and not amount:
            bad.append("a recovered invoice needs the amount_recovered")
        if bad:
            problems.append("Row {}: {}.".format(line, "; ".join(bad)))
            continue
        seen.add(invoice)
        answers.append((invoice, status, amount))
    if problems:
        raise AnswerError(problems)
    if not answers:
        raise AnswerError(["The file answers no invoice."])
    return answers
