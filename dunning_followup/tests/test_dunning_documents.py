# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the customer gets on paper, and how a collector prints it."""

import io
from datetime import date

from freezegun import freeze_time
from PyPDF2 import PdfReader, PdfWriter

from odoo.tests import tagged

from .common import DunningCommon

LETTER = "dunning_followup.action_report_dunning_letter"
STATEMENT = "dunning_followup.action_report_dunning_statement"


def blank_pdf(pages):
    writer = PdfWriter()
    for _page in range(pages):
        writer.add_blank_page(595, 842)
    stream = io.BytesIO()
    writer.write(stream)
    return stream.getvalue()


@tagged("post_install", "-at_install")
class TestDunningDocuments(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "name": "Sender Works Ltd",
                "street": "12 Sender Street",
                "zip": "1000",
                "city": "Brussels",
                "vat": "BE0477472701",
                "company_registry": "RPR 0477.472.701",
                "phone": "+32 2 555 01 01",
                "report_footer": "Paid within 30 days, thank you.",
            }
        )
        cls.env["res.partner.bank"].create(
            {
                "acc_number": "BE71096123456769",
                "partner_id": cls.company.partner_id.id,
            }
        )

    def _formal_action(self):
        self._invoice(self.customer, date(2026, 1, 1), 700.0)
        with freeze_time("2026-01-25"):
            self.policy.level_mode = "jump"
            self._run(date(2026, 1, 25))
        action = self.env["dunning.action"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(action.level_id, self.level_formal)
        return action

    def test_print_letters_returns_the_pdf(self):
        """The wizard's Print letters hands the browser the letters' PDF,
        not a list of actions."""
        self._invoice(self.customer, date(2026, 1, 1), 300.0)
        with freeze_time("2026-01-25"):
            wizard = (
                self.env["dunning.followup"]
                .with_user(self.collector)
                .with_context(active_model="res.partner", active_ids=self.customer.ids)
                .create({"level_id": self.level_formal.id})
            )
            result = wizard.action_print()
        action = self.env["dunning.action"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(action.state, "done", action.failure_reason)
        self.assertEqual(result["type"], "ir.actions.report")
        self.assertEqual(
            result["report_name"], "dunning_followup.report_dunning_letter"
        )
        self.assertEqual(result["context"]["active_ids"], action.ids)
        self.assertTrue(result["close_on_report_download"])

    def test_printed_letter_is_the_stored_copy(self):
        action = self._formal_action()
        action.letter_attachment_id.write(
            {"raw": blank_pdf(3), "mimetype": "application/pdf"}
        )
        content, kind = (
            self.env["ir.actions.report"]
            .with_user(self.collector)
            ._render_qweb_pdf(LETTER, action.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertEqual(len(PdfReader(io.BytesIO(content)).pages), 3)

    def test_letter_copy_downloads_the_file(self):
        action = self._formal_action()
        result = action.with_user(self.collector).action_open_letter()
        self.assertEqual(result["type"], "ir.actions.act_url")
        self.assertEqual(
            result["url"],
            f"/web/content/{action.letter_attachment_id.id}?download=true",
        )

    def _assert_sender(self, html):
        for text in (
            "Sender Works Ltd",
            "12 Sender Street",
            "Brussels",
            "BE0477472701",
            "RPR 0477.472.701",
            "BE71096123456769",
            "Paid within 30 days, thank you.",
            "Acme Customer",
        ):
            self.assertIn(text, html)
        # all of it in the body: wkhtmltopdf without patched Qt drops the
        # header and footer blocks Odoo's layouts use
        self.assertNotIn('class="header', html)
        self.assertNotIn('class="footer', html)

    def test_letter_and_statement_carry_the_sender(self):
        action = self._formal_action()
        Report = self.env["ir.actions.report"]
        html = Report._render_qweb_html(LETTER, action.ids)[0].decode()
        self._assert_sender(html)
        # styled without the server's stylesheets
        self.assertIn(".dn-letter", html)
        html = Report._render_qweb_html(STATEMENT, self.customer.ids)[0].decode()
        self._assert_sender(html)

    def test_letter_pdf_text_has_the_sender(self):
        Report = self.env["ir.actions.report"]
        if not Report.get_wkhtmltopdf_state() == "ok":
            self.skipTest("wkhtmltopdf is not installed: the PDF cannot be checked")
        action = self._formal_action()
        for report, ids in ((LETTER, action.ids), (STATEMENT, self.customer.ids)):
            content, kind = Report.with_context(
                force_report_rendering=True, dunning_lenient_assets=True
            )._render_qweb_pdf(report, ids)
            self.assertEqual(kind, "pdf")
            # the extraction separates words by tabs and new lines
            text = " ".join(
                " ".join(page.extract_text().split())
                for page in PdfReader(io.BytesIO(content)).pages
            )
            for expected in (
                "Sender Works Ltd",
                "12 Sender Street",
                "BE0477472701",
                "BE71096123456769",
                "Acme Customer",
            ):
                self.assertIn(expected, text, report)
