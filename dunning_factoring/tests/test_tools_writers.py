# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Export writers, answer parser and dossier, without a database: each
writer's output is compared byte for byte with a file under tests/data."""

import io
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

from lxml import etree

from odoo.tests import BaseCase, tagged

from ..tools import answers, dossier, writers

DATA = Path(__file__).resolve().parent / "data"
HEADER = {
    "batch": "AGB/2026/0001",
    "date": date(2026, 3, 2),
    "sender": "Dunning Test Company",
    "transmitter": "CONTRACT-42",
}
RECORDS = [
    {
        "debtor_ref": "C001",
        "debtor_name": "Acme Customer",
        "debtor_vat": "BE0477472701",
        "debtor_street": "Rue de la Loi 16",
        "debtor_zip": "1000",
        "debtor_city": "Bruxelles",
        "debtor_country": "BE",
        "invoice_number": "INV/2026/00001",
        "invoice_date": date(2026, 1, 1),
        "due_date": date(2026, 1, 31),
        "currency": "EUR",
        "amount": Decimal("1000.00"),
        "days_late": 30,
        "fees": Decimal("40.00"),
        "interest": Decimal("6.58"),
    },
    {
        "debtor_ref": "",
        "debtor_name": 'Zoë Müller; "Trading"',
        "invoice_number": "INV/2026/00002",
        "invoice_date": date(2026, 2, 1),
        "due_date": date(2026, 3, 3),
        "currency": "USD",
        "amount": Decimal("250.50"),
        "days_late": -1,
    },
]


@tagged("post_install", "-at_install")
class TestWriters(BaseCase):
    def _expected(self, name):
        return (DATA / name).read_bytes()

    def test_csv_default_byte_for_byte(self):
        content = writers.write("csv", HEADER, RECORDS)
        self.assertEqual(content, self._expected("export.csv"))
        rows = content.decode().splitlines()
        self.assertEqual(rows[-1].split(";")[:2], ["TOTAL", "2"])
        self.assertIn("1250.50", rows[-1])

    def test_csv_options(self):
        """Tab delimiter, decimal comma, Latin-1, chosen columns."""
        options = {
            "delimiter": "\t",
            "decimal_separator": ",",
            "encoding": "latin-1",
            "columns": [
                "invoice_number",
                "debtor_name",
                "due_date",
                "currency",
                "amount",
            ],
        }
        content = writers.write("csv", HEADER, RECORDS, options)
        self.assertEqual(content, self._expected("export_options.csv"))
        self.assertIn("Zo\xeb M\xfcller".encode("latin-1"), content)

    def test_csv_refuses_unencodable_text_and_same_separators(self):
        records = [dict(RECORDS[0], debtor_name="Łódź Sp. z o.o.")]
        with self.assertRaisesRegex(writers.ExportError, "latin-1"):
            writers.write("csv", HEADER, records, {"encoding": "latin-1"})
        with self.assertRaisesRegex(writers.ExportError, "delimiter"):
            writers.write(
                "csv", HEADER, RECORDS, {"delimiter": ",", "decimal_separator": ","}
            )

    def test_xlsx_byte_for_byte(self):
        content = writers.write("xlsx", HEADER, RECORDS)
        self.assertEqual(content, self._expected("export.xlsx"))
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            strings = archive.read("xl/sharedStrings.xml").decode()
            sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        self.assertIn("Item count", strings)
        self.assertIn("Control sum", strings)
        self.assertIn("<v>1250.5</v>", sheet)  # the control sum

    def test_xml_byte_for_byte_and_valid(self):
        content = writers.write("xml", HEADER, RECORDS)
        self.assertEqual(content, self._expected("export.xml"))
        schema = etree.XMLSchema(etree.parse(str(writers.XSD_PATH)))
        tree = etree.fromstring(content)
        self.assertTrue(schema.validate(tree))
        ns = {"a": writers.XML_NAMESPACE}
        self.assertEqual(tree.findtext("a:Header/a:ItemCount", namespaces=ns), "2")
        self.assertEqual(
            tree.findtext("a:Header/a:ControlSum", namespaces=ns), "1250.50"
        )

    def test_xml_refused_when_not_valid(self):
        """The schema is enforced: a currency that is not an ISO code."""
        records = [dict(RECORDS[0], currency="euro")]
        with self.assertRaisesRegex(writers.ExportError, "schema"):
            writers.write("xml", HEADER, records)

    def test_fixed_width_byte_for_byte(self):
        content = writers.write("fixed", HEADER, RECORDS)
        self.assertEqual(content, self._expected("export.txt"))
        lines = content.decode("latin-1").split("\r\n")[:-1]
        width = 1 + sum(w for _n, w, _k in writers.FIXED_LAYOUT)
        self.assertEqual({len(line) for line in lines[1:-1]}, {width})
        self.assertEqual(lines[-1], "T" + "00000002" + "000000000125050")

    def test_fixed_width_refuses_an_amount_that_does_not_fit(self):
        records = [dict(RECORDS[0], amount=Decimal("999999999999.99"))]
        with self.assertRaisesRegex(writers.ExportError, "amount of INV/2026/00001"):
            writers.write("fixed", HEADER, records)

    def test_control_sum(self):
        self.assertEqual(writers.control_sum(RECORDS), Decimal("1250.50"))

    def test_format_missing_a_required_field_is_refused(self):
        for fmt, options in (
            (
                "csv",
                {"columns": ["invoice_number", "debtor_name", "amount", "currency"]},
            ),
            (
                "fixed",
                {
                    "layout": [
                        ("invoice_number", 20, "a"),
                        ("debtor_name", 30, "a"),
                        ("amount", 12, "n"),
                        ("currency", 3, "a"),
                    ]
                },
            ),
        ):
            with (
                self.subTest(fmt=fmt),
                self.assertRaisesRegex(
                    writers.ExportError, "lacks required field.*due_date"
                ),
            ):
                writers.write(fmt, HEADER, RECORDS, options)

    def test_missing_values_are_named(self):
        records = [dict(RECORDS[0], debtor_name=""), dict(RECORDS[1], due_date=None)]
        for fmt in writers.WRITERS:
            with (
                self.subTest(fmt=fmt),
                self.assertRaisesRegex(
                    writers.ExportError,
                    "INV/2026/00001: debtor_name; INV/2026/00002: due_date",
                ),
            ):
                writers.write(fmt, HEADER, records)

    def test_empty_batch_is_refused(self):
        for fmt in writers.WRITERS:
            with (
                self.subTest(fmt=fmt),
                self.assertRaisesRegex(writers.ExportError, "no line"),
            ):
                writers.write(fmt, HEADER, [])


@tagged("post_install", "-at_install")
class TestAnswers(BaseCase):
    INVOICES = {"INV/1", "INV/2", "INV/3"}

    def test_good_file(self):
        content = (
            b"invoice;status;amount_recovered;agency note\r\n"
            b"INV/1;accepted;;ok\r\nINV/2;Recovered;120,50;\r\n\r\nINV/3;returned;0;\r\n"
        )
        self.assertEqual(
            answers.parse_answers(content, self.INVOICES),
            [
                ("INV/1", "accepted", Decimal("0")),
                ("INV/2", "recovered", Decimal("120.50")),
                ("INV/3", "returned", Decimal("0")),
            ],
        )

    def test_every_bad_row_is_listed(self):
        content = (
            b"invoice,status,amount_recovered\n"
            b"INV/1,accepted,\nINV/9,accepted,\nINV/2,paid,\nINV/3,recovered,abc\n"
            b"INV/1,rejected,\n"
        )
        with self.assertRaises(answers.AnswerError) as caught:
            answers.parse_answers(content, self.INVOICES)
        problems = caught.exception.problems
        self.assertEqual(len(problems), 4, problems)
        self.assertIn("Row 3: invoice 'INV/9' is not in the batch.", problems)
        self.assertIn("unknown status 'paid'", problems[1])
        self.assertIn("'abc' is not a positive number", problems[2])
        self.assertIn("answered twice", problems[3])

    def test_missing_columns(self):
        with self.assertRaisesRegex(answers.AnswerError, "amount_recovered"):
            answers.parse_answers(b"invoice,status\nINV/1,accepted\n", self.INVOICES)


@tagged("post_install", "-at_install")
class TestDossier(BaseCase):
    def test_zip_is_deterministic_and_complete(self):
        entries = [("Acme/statement.pdf", b"%PDF-1"), ("Acme/letter.pdf", b"%PDF-2")]
        first, second = dossier.build_zip(entries), dossier.build_zip(entries)
        self.assertEqual(first, second)
        with zipfile.ZipFile(io.BytesIO(first)) as archive:
            self.assertEqual(archive.namelist(), [p for p, _d in entries])
            self.assertEqual(archive.read("Acme/letter.pdf"), b"%PDF-2")
        with self.assertRaisesRegex(ValueError, "Acme/letter.pdf"):
            dossier.build_zip([*entries, ("Acme/letter.pdf", b"")])
        self.assertEqual(dossier.safe_name("A/B: C."), "A_B_ C")
