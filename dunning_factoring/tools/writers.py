# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Export writers: one small function per file format, chosen by name.

A writer receives the *header* of the batch (a mapping: ``batch``, ``date``,
``sender``, ``transmitter``, ``agency``) and its *records* (mappings whose
keys are in :data:`FIELDS`), and returns the whole file as bytes.  Amounts
are :class:`~decimal.Decimal` already rounded to their currency, dates are
:class:`datetime.date`.

Every file carries the item count and the control sum (the sum of the
amounts, whatever their currency: a hash total the receiver checks, not a
balance).  Nothing is streamed: a writer either returns a complete file or
raises :class:`ExportError`, so a failed export never leaves half a file.
"""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

#: every field a record may carry, in the default column order
FIELDS = (
    "debtor_ref",
    "debtor_name",
    "debtor_vat",
    "debtor_street",
    "debtor_zip",
    "debtor_city",
    "debtor_country",
    "invoice_number",
    "invoice_date",
    "due_date",
    "currency",
    "amount",
    "days_late",
    "fees",
    "interest",
)
#: what no receiver can do without
REQUIRED = ("debtor_name", "invoice_number", "due_date", "amount", "currency")
CENTS = Decimal("0.01")
XSD_PATH = Path(__file__).resolve().parent.parent / "data" / "dunning_assignment.xsd"
XML_NAMESPACE = "urn:dunning-odoo:factoring:assignment:1"
#: fixed-width layout: (field, width, kind); kind "a" text left-aligned and
#: padded with spaces (cut when longer), "n" amount in cents or integer,
#: right-aligned, zero-padded (refused when longer), "d" date YYYYMMDD
FIXED_LAYOUT = (
    ("debtor_ref", 12, "a"),
    ("debtor_name", 35, "a"),
    ("invoice_number", 20, "a"),
    ("invoice_date", 8, "d"),
    ("due_date", 8, "d"),
    ("currency", 3, "a"),
    ("amount", 13, "n"),
    ("days_late", 5, "n"),
)


class ExportError(ValueError):
    """The file cannot be produced; the message names the problem."""


def control_sum(records):
    """Sum of the amounts of ``records`` (the control sum of a file)."""
    return sum((Decimal(r["amount"]) for r in records), Decimal("0.00"))


def check(records, columns):
    """Refuse a format that lacks a required field, an empty batch, and a
    record with no value for a required field (all of them, named)."""
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ExportError(
            "The export format lacks required field(s): {}.".format(", ".join(missing))
        )
    unknown = [name for name in columns if name not in FIELDS]
    if unknown:
        raise ExportError(
            "Unknown field(s) in the format: {}.".format(", ".join(unknown))
        )
    if not records:
        raise ExportError("Nothing to export: the batch has no line.")
    problems = []
    for index, record in enumerate(records, start=1):
        empty = [n for n in REQUIRED if record.get(n) in (None, "", False)]
        if empty:
            label = record.get("invoice_number") or f"record {index}"
            problems.append("{}: {}".format(label, ", ".join(empty)))
    if problems:
        raise ExportError("Required value(s) missing: {}.".format("; ".join(problems)))


def _text(value, decimal_separator="."):
    if value in (None, False):
        return ""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", decimal_separator)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_csv(header, records, options=None):
    """CSV with a header row, one row per record and a trailer row
    ``TOTAL``, item count, control sum (under the amount column).
    Options: ``delimiter``, ``encoding``, ``decimal_separator``, ``columns``."""
    options = options or {}
    columns = tuple(options.get("columns") or FIELDS)
    check(records, columns)
    separator = options.get("decimal_separator") or "."
    delimiter = options.get("delimiter") or ";"
    if delimiter == separator:
        raise ExportError("CSV: the delimiter and the decimal separator must differ.")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_text(record.get(c), separator) for c in columns])
    trailer = [""] * len(columns)
    trailer[0] = "TOTAL"
    trailer[1] = str(len(records))
    trailer[columns.index("amount")] = _text(control_sum(records), separator)
    writer.writerow(trailer)
    encoding = options.get("encoding") or "utf-8"
    try:
        return buffer.getvalue().encode(encoding)
    except UnicodeEncodeError as exc:
        bad = buffer.getvalue()[exc.start : exc.end]
        raise ExportError(
            f"CSV: the encoding {encoding} cannot write {bad!r}; choose UTF-8."
        ) from exc


def write_xlsx(header, records, options=None):
    """One sheet: a title line, the header, one row per record, then the item
    count and the control sum.  The workbook's dates are fixed to the batch
    date so that the same batch always gives the same bytes."""
    import xlsxwriter  # an Odoo requirement, imported where used

    options = options or {}
    columns = tuple(options.get("columns") or FIELDS)
    check(records, columns)
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    stamp = datetime.combine(header["date"], datetime.min.time())
    workbook.set_properties({"title": str(header.get("batch") or ""), "created": stamp})
    sheet = workbook.add_worksheet("Invoices")
    money = workbook.add_format({"num_format": "#,##0.00"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, [str(header.get(k) or "") for k in ("sender", "batch")])
    sheet.write_row(1, 0, columns)
    row = 2
    for record in records:
        for col, name in enumerate(columns):
            value = record.get(name)
            if isinstance(value, Decimal):
                sheet.write_number(row, col, float(value), money)
            elif isinstance(value, date):
                sheet.write_datetime(
                    row, col, datetime.combine(value, datetime.min.time()), day
                )
            elif isinstance(value, int):
                sheet.write_number(row, col, value)
            else:
                sheet.write_string(row, col, _text(value))
        row += 1
    sheet.write_row(row, 0, ["Item count", len(records)])
    sheet.write(row + 1, 0, "Control sum")
    sheet.write_number(row + 1, 1, float(control_sum(records)), money)
    workbook.close()
    return output.getvalue()


def write_xml(header, records, options=None):
    """The invoice-assignment XML, validated against the XSD shipped with the
    addon before it is returned."""
    from lxml import etree

    options = options or {}
    check(records, FIELDS)
    ns = "{%s}" % XML_NAMESPACE

    def sub(parent, tag, value):
        if value not in (None, "", False):
            etree.SubElement(parent, ns + tag).text = _text(value)

    root = etree.Element(ns + "Assignment", nsmap={None: XML_NAMESPACE})
    head = etree.SubElement(root, ns + "Header")
    sub(head, "BatchId", header.get("batch"))
    sub(head, "CreationDate", header.get("date"))
    sub(head, "Sender", header.get("sender"))
    sub(head, "Transmitter", header.get("transmitter"))
    sub(head, "ItemCount", len(records))
    sub(head, "ControlSum", control_sum(records))
    invoices = etree.SubElement(root, ns + "Invoices")
    for record in records:
        inv = etree.SubElement(invoices, ns + "Invoice")
        debtor = etree.SubElement(inv, ns + "Debtor")
        for tag, key in (
            ("Reference", "debtor_ref"),
            ("Name", "debtor_name"),
            ("VAT", "debtor_vat"),
            ("Street", "debtor_street"),
            ("Zip", "debtor_zip"),
            ("City", "debtor_city"),
            ("Country", "debtor_country"),
        ):
            sub(debtor, tag, record.get(key))
        sub(inv, "Number", record["invoice_number"])
        sub(inv, "InvoiceDate", record.get("invoice_date"))
        sub(inv, "DueDate", record["due_date"])
        amount = etree.SubElement(inv, ns + "Amount", Currency=record["currency"])
        amount.text = _text(record["amount"])
        sub(inv, "DaysLate", record.get("days_late"))
        sub(inv, "Fees", record.get("fees"))
        sub(inv, "Interest", record.get("interest"))
    schema = etree.XMLSchema(etree.parse(str(XSD_PATH)))
    if not schema.validate(root):
        raise ExportError(
            f"XML: not valid against the schema: {schema.error_log.last_error}"
        )
    return etree.tostring(
        root, pretty_print=True, xml_declaration=True, encoding="UTF-8"
    )


def _fixed_field(record, name, width, kind):
    value = record.get(name)
    if kind == "a":
        return _text(value)[:width].ljust(width)
    if kind == "d":
        return value.strftime("%Y%m%d") if value else " " * width
    if isinstance(value, Decimal):
        value = int((value * 100).to_integral_value())
    text = str(abs(int(value or 0))).rjust(width, "0")
    if (value or 0) < 0:
        text = "-" + text[1:]
    if len(text) > width:
        label = record.get("invoice_number") or ""
        raise ExportError(
            f"Fixed width: {name} of {label} does not fit in {width} digits."
        )
    return text


def write_fixed(header, records, options=None):
    """Fixed-width records: ``H`` header (batch, date, transmitter), ``D`` one
    per record following ``options["layout"]`` (default
    :data:`FIXED_LAYOUT`), ``T`` trailer (item count, control sum in cents)."""
    options = options or {}
    layout = tuple(options.get("layout") or FIXED_LAYOUT)
    check(records, [name for name, _w, _k in layout])
    encoding = options.get("encoding") or "latin-1"
    lines = [
        "H"
        + _text(header.get("batch"))[:20].ljust(20)
        + header["date"].strftime("%Y%m%d")
        + _text(header.get("transmitter"))[:20].ljust(20)
    ]
    for record in records:
        lines.append("D" + "".join(_fixed_field(record, *spec) for spec in layout))
    total = {"count": len(records), "sum": control_sum(records)}
    lines.append(
        "T" + _fixed_field(total, "count", 8, "n") + _fixed_field(total, "sum", 15, "n")
    )
    text = "\r\n".join(lines) + "\r\n"
    try:
        return text.encode(encoding, errors="replace")
    except LookupError as exc:
        raise ExportError(f"Fixed width: unknown encoding {encoding}.") from exc


#: format name -> writer; the agency's ``export_format`` is a key
WRITERS = {
    "csv": write_csv,
    "xlsx": write_xlsx,
    "xml": write_xml,
    "fixed": write_fixed,
}
#: format name -> file extension and mimetype of what it writes
FILE_TYPES = {
    "csv": ("csv", "text/csv"),
    "xlsx": (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "xml": ("xml", "application/xml"),
    "fixed": ("txt", "text/plain"),
}


def write(export_format, header, records, options=None):
    """The file of ``records`` in ``export_format`` (a key of :data:`WRITERS`)."""
    if export_format not in WRITERS:
        raise ExportError(f"Unknown export format {export_format!r}.")
    return WRITERS[export_format](header, records, options)
