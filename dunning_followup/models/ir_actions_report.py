# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


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
