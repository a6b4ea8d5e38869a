# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Many records in one PDF and back, without a database or wkhtmltopdf."""

import io

from PyPDF2 import PdfReader, PdfWriter
from PyPDF2.generic import DecodedStreamObject, DictionaryObject, NameObject

from odoo.tests import BaseCase, tagged

from ..tools.pdf import MARKER, merge_html_documents, split_pdf


def make_pdf(texts):
    """A PDF of one page per text, each text written on its page."""
    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    for text in texts:
        page = writer.add_blank_page(612, 792)
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 12 Tf 72 712 Td ({text}) Tj ET".encode())
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def page_texts(pdf):
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@tagged("post_install", "-at_install")
class TestSplitPdf(BaseCase):
    def test_cut_where_each_marker_is(self):
        pdf = make_pdf(
            [
                f"{MARKER.format(0)} first letter",
                "first letter, page 2",
                f"{MARKER.format(1)} second letter",
                f"{MARKER.format(2)} third letter",
                "third letter, page 2",
            ]
        )
        parts = split_pdf(pdf, 3)
        self.assertEqual([len(page_texts(part)) for part in parts], [2, 1, 2])
        self.assertIn("first letter, page 2", page_texts(parts[0])[1])
        self.assertIn("second letter", page_texts(parts[1])[0])
        self.assertIn("third letter, page 2", page_texts(parts[2])[1])

    def test_one_page_each_needs_no_marker(self):
        parts = split_pdf(make_pdf(["one", "two"]), 2)
        self.assertEqual([page_texts(part) for part in parts], [["one"], ["two"]])

    def test_missing_or_misplaced_marker_means_one_by_one(self):
        # a marker missing
        self.assertEqual(split_pdf(make_pdf([MARKER.format(0), "x", "y"]), 2), [])
        # out of order
        pdf = make_pdf([MARKER.format(1), MARKER.format(0), "x"])
        self.assertEqual(split_pdf(pdf, 2), [])
        # the first document does not start on the first page
        pdf = make_pdf(["cover", MARKER.format(0), MARKER.format(1)])
        self.assertEqual(split_pdf(pdf, 2), [])


@tagged("post_install", "-at_install")
class TestPdfMerge(BaseCase):
    def test_merge_keeps_every_body_with_its_marker(self):
        docs = [
            f"<html><head><title>t</title></head><body><h2>Letter {i}</h2></body></html>"
            for i in range(3)
        ]
        merged = merge_html_documents(docs)
        self.assertEqual(merged.count("<title>"), 1)
        for i in range(3):
            self.assertIn(f"Letter {i}", merged)
            self.assertIn(MARKER.format(i), merged)
        self.assertLess(merged.index(MARKER.format(0)), merged.index("Letter 0"))
        self.assertLess(merged.index("Letter 0"), merged.index(MARKER.format(1)))
        self.assertEqual(merged.count("page-break-before"), 2)
        with self.assertRaises(ValueError):
            merge_html_documents([])
