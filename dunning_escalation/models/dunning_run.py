# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class DunningRun(models.Model):
    _inherit = "dunning.run"

    def _finish(self):
        """The run log says when a reference rate the company's policies use
        misses the value of the current half-year."""
        res = super()._finish()
        if not res:  # closed by another transaction: its row is not ours
            return res
        Rate = self.env["dunning.reference.rate"].sudo()
        for run in self:
            policies = (
                self.env["dunning.policy"]
                .sudo()
                .search([("company_id", "=", run.company_id.id)])
            )
            warnings = Rate._stale_warnings(policies, run.date)
            if warnings:
                run.log = run._append_log("\n".join(warnings))
        return res
