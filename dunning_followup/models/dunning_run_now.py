# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError


class DunningRun(models.Model):
    """ "Run follow-up now": a manager starts today's run of the current
    company without waiting for the night.

    Kept apart from the run engine (dunning_run.py): it only decides how the
    run is processed.  A run that fits in one batch is processed at once, in
    the request: the manager sees its figures when the form opens.  A larger
    one is today's scheduled run, processed by the daily cron batch after
    batch (``ir.cron._trigger``), each batch committed and counted on the
    run, so its form shows the customers done out of the customers to do
    while it progresses; a second click reuses the run in progress.
    """

    _inherit = "dunning.run"

    @api.model
    def action_run_now(self):
        if not self.env.user.has_group("dunning_followup.group_dunning_manager"):
            raise AccessError(
                self.env._("Only Dunning managers start a follow-up run.")
            )
        company = self.env.company
        today = fields.Date.context_today(self)
        run = self.search(
            [
                ("company_id", "=", company.id),
                ("trigger", "=", "cron"),
                ("date", "=", today),
                ("state", "=", "running"),
            ],
            limit=1,
        )
        if not run:
            run = self.create(
                {"company_id": company.id, "trigger": "cron", "date": today}
            )
            run.log = run._append_log(
                self.env._(
                    "Started by %(user)s (Run follow-up now).",
                    user=self.env.user.name,
                )
            )
        run = run.with_company(company)
        if run._remaining_estimate() <= company.dunning_batch_size:
            run.action_process()
        else:
            self.env.ref("dunning_followup.ir_cron_dunning_run")._trigger()
        return {
            "type": "ir.actions.act_window",
            "name": run.name,
            "res_model": "dunning.run",
            "res_id": run.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
