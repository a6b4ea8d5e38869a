# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, models, tools
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools.pdf import merge_pdf

from ..tools.pdf import merge_html_documents, split_pdf

_logger = logging.getLogger(__name__)

LETTER_REPORT_NAME = "dunning_followup.report_dunning_letter"


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _build_wkhtmltopdf_args(self, *args, **kwargs):
        """Letters are rendered by the cron, which may run in a worker with no
        HTTP server to serve the stylesheet (``report.url``).  wkhtmltopdf then
        stops on the network error and leaves an empty PDF; a plain letter is
        better than none, so for our documents it carries on without the
        assets it cannot load."""
        command_args = super()._build_wkhtmltopdf_args(*args, **kwargs)
        if self.env.context.get("dunning_lenient_assets"):
            command_args += [
                "--load-error-handling",
                "ignore",
                "--load-media-error-handling",
                "ignore",
            ]
        return command_args

    def _render_qweb_pdf(self, report_ref, res_ids=None, data=None):
        """A letter already sent prints as its stored copy: what the customer
        got, not a new rendering of today's figures."""
        report = self._get_report(report_ref)
        if report.report_name == LETTER_REPORT_NAME and res_ids:
            copies = self._dunning_letter_copies(
                [res_ids] if isinstance(res_ids, int) else res_ids
            )
            if copies:
                return merge_pdf(copies), "pdf"
        return super()._render_qweb_pdf(report_ref, res_ids=res_ids, data=data)

    def _dunning_letter_copies(self, action_ids):
        """The stored PDF letters of these follow-up actions, in their order;
        empty unless every one of them has one."""
        actions = self.env["dunning.action"].browse(action_ids).exists()
        if len(actions) != len(set(action_ids)):
            return []
        actions.check_access("read")
        copies = [action.sudo().letter_attachment_id for action in actions]
        if not all(copy.mimetype == "application/pdf" for copy in copies):
            return []
        return [copy.raw for copy in copies]

    @api.model
    def _dunning_render_batch(self, report_ref, res_ids):
        """``{res_id: pdf bytes}`` for a report over many records, rendered by
        ONE wkhtmltopdf process and split per record at invisible markers.

        Odoo's own batch path hands wkhtmltopdf one HTML file per record,
        which wkhtmltopdf builds without patched Qt (Debian's, for one)
        refuse, and splits by the PDF outline, which only those builds
        write; we merge the records into one document instead, each from a
        new page behind a tiny white marker text, and cut the PDF where each
        marker is (:func:`..tools.pdf.split_pdf`).  An empty dict means
        "render them one by one".
        """
        res_ids = list(dict.fromkeys(res_ids))
        if tools.config["test_enable"] and not self.env.context.get(
            "force_report_rendering"
        ):
            # like Odoo's reports in test mode: no wkhtmltopdf unless asked
            return {}
        Report = self.sudo().with_context(dunning_lenient_assets=True, debug=False)
        try:
            report = Report._get_report(report_ref)
            html = Report._render_qweb_html(report_ref, res_ids)[0]
            bodies, html_ids, header, footer, paper_args = report._prepare_html(
                html, report_model=report.model
            )
            if len(bodies) != len(res_ids) or list(html_ids) != res_ids:
                return {}
            pdf = Report._run_wkhtmltopdf(
                [merge_html_documents(bodies)],
                report_ref=report_ref,
                header=header,
                footer=footer,
                specific_paperformat_args=paper_args,
            )
            parts = split_pdf(pdf, len(res_ids))
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception as exc:  # fall back to one by one
            _logger.info("batch rendering of %s failed: %s", report_ref, exc)
            return {}
        if not parts:
            return {}
        return dict(zip(res_ids, parts, strict=True))
