# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Render many letters with one wkhtmltopdf process.

Starting wkhtmltopdf is the larger part of printing one letter; a run that
prints 500 letters should not pay it 500 times.  We merge the records' HTML documents into one
(each record starting on a new page), print it once, and cut the PDF where
each record starts.

Where each record starts is found from a marker, a tiny white text at the
top of each record, read back from the PDF's text: the PDF outline, which
Odoo uses for the same purpose, is only produced by wkhtmltopdf builds with
patched Qt, and the marker works with every build.
"""

import io
import re

from lxml import html as lxml_html
from PyPDF2 import PdfReader, PdfWriter

PAGE_BREAK = "page-break-before: always;"
MARKER_STYLE = "font-size: 1px; color: #ffffff; line-height: 1px;"
MARKER = "DUNNINGDOC{}X"
MARKER_RE = re.compile(r"DUNNINGDOC(\d+)X")


def merge_html_documents(documents):
    """One HTML document with the bodies of ``documents`` one after the
    other, each from a new page and starting with its marker; the head of
    the first document is kept."""
    if not documents:
        raise ValueError("documents: nothing to merge")
    base = lxml_html.document_fromstring(documents[0])
    body = base.body
    first = lxml_html.Element("div")
    first.text = body.text
    body.text = None
    for child in list(body):
        first.append(child)
    parts = [first] + [lxml_html.document_fromstring(d).body for d in documents[1:]]
    for index, part in enumerate(parts):
        wrapper = lxml_html.Element("div")
        if index:
            wrapper.set("style", PAGE_BREAK)
        marker = lxml_html.Element("span", style=MARKER_STYLE)
        marker.text = MARKER.format(index)
        wrapper.append(marker)
        content = lxml_html.Element("div")
        content.text = part.text
        for child in list(part):
            content.append(child)
        wrapper.append(content)
        body.append(wrapper)
    return lxml_html.tostring(base, doctype="<!DOCTYPE html>", encoding="unicode")


def marker_start_pages(pdf):
    """``{document index: first page}`` read from the markers of ``pdf``."""
    reader = PdfReader(io.BytesIO(pdf))
    starts = {}
    for number, page in enumerate(reader.pages):
        text = page.extract_text() or ""
        for match in MARKER_RE.finditer(text.replace(" ", "").replace("\n", "")):
            starts.setdefault(int(match.group(1)), number)
    return reader, starts


def split_pdf(pdf, count):
    """Cut ``pdf`` into ``count`` documents at their markers; an empty list
    when a marker is missing or out of order (the caller then renders the
    records one by one)."""
    reader = PdfReader(io.BytesIO(pdf))
    if len(reader.pages) == count:
        # every document starts on a new page: one page each, no need to
        # read the markers (text extraction is most of the cost of a split)
        pages = list(range(count))
    else:
        reader, starts = marker_start_pages(pdf)
        pages = [starts.get(index) for index in range(count)]
    if None in pages or pages[0] != 0 or pages != sorted(set(pages)):
        return []
    parts = []
    for index, start in enumerate(pages):
        end = pages[index + 1] if index + 1 < count else len(reader.pages)
        writer = PdfWriter()
        for number in range(start, end):
            writer.add_page(reader.pages[number])
        stream = io.BytesIO()
        writer.write(stream)
        parts.append(stream.getvalue())
    return parts
