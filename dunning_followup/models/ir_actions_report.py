# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.tools.pdf import merge_pdf

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
