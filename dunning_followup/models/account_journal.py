# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.tools.misc import format_amount


class AccountJournal(models.Model):
    """The sales journals' cards of the Accounting dashboard count the
    customers to follow up today (the collector's day)."""

    _inherit = "account.journal"

    def _fill_sale_purchase_dashboard_data(self, dashboard_data):
        res = super()._fill_sale_purchase_dashboard_data(dashboard_data)
        sale_journals = self.filtered(lambda journal: journal.type == "sale")
        if not sale_journals or not self.env.user.has_group(
            "dunning_followup.group_dunning_user"
        ):
            return res
        counts = self.env["dunning.partner.state"]._collector_day_counts(
            sale_journals.company_id
        )
        for journal in sale_journals:
            count, amount = counts.get(journal.company_id.id, (0, 0.0))
            dashboard_data[journal.id].update(
                {
                    "dunning_today_count": count,
                    "dunning_today_amount": format_amount(
                        self.env, amount, journal.company_id.currency_id
                    ),
                }
            )
        return res

    def action_dunning_collector_day(self):
        """The collector's day of the journal's company."""
        self.ensure_one()
        return self.env["dunning.partner.state"].action_collector_day(
            company=self.company_id
        )
