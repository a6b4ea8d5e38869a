# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class DunningPartnerState(models.Model):
    """A collector's day: the customers to act on today, biggest risk first,
    each with its next action one click away (send, call, promise; other
    addons add theirs: credit hold, payment plan, hand-over)."""

    _inherit = "dunning.partner.state"

    @api.model
    def _get_collector_day_domain(self, today=None):
        """Customers to act on ``today``: a notice waits for review, or the
        next action's date has come and nothing pauses the follow-up (a
        promise, an exclusion, or any status other addons add)."""
        today = today or fields.Date.context_today(self)
        return [
            "|",
            ("status", "=", "action"),
            "&",
            ("status", "in", ("none", "reminder")),
            ("next_action_date", "<=", today),
        ]

    @api.model
    def _collector_day_counts(self, companies):
        """``{company id: (customers, amount overdue)}`` to act on today."""
        groups = self._read_group(
            [*self._get_collector_day_domain(), ("company_id", "in", companies.ids)],
            ["company_id"],
            ["__count", "overdue_amount:sum"],
        )
        return {company.id: (count, amount) for company, count, amount in groups}

    @api.model
    def action_collector_day(self, company=None):
        """The collector's day, as a window action (menu and dashboard), of
        ``company`` or of every allowed company."""
        domain = self._get_collector_day_domain()
        if company:
            domain += [("company_id", "=", company.id)]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Today's follow-ups"),
            "res_model": "dunning.partner.state",
            "view_mode": "kanban,list",
            "views": [
                (self.env.ref(f"dunning_followup.{xmlid}").id, mode)
                for xmlid, mode in (
                    ("dunning_partner_state_view_kanban_day", "kanban"),
                    ("dunning_partner_state_view_list_day", "list"),
                )
            ],
            "search_view_id": [
                self.env.ref("dunning_followup.dunning_partner_state_view_search").id
            ],
            "domain": domain,
            "help": self.env._(
                "<p class='o_view_nocontent_smiling_face'>Nothing to chase today</p>"
                "<p>Customers whose next follow-up is due appear here, the "
                "largest overdue amount first.</p>"
            ),
        }

    def action_collector_call(self):
        """Log a call: the follow-up wizard with the call channel chosen."""
        action = self.action_followup()
        action["context"] = dict(action.get("context") or {}, default_channel="call")
        return action

    def action_collector_promise(self):
        """Record a promise to pay for the customer's overdue invoices."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        items = self.partner_id._dunning_open_items(self.company_id).filtered(
            lambda line: line.date_maturity and line.date_maturity < today
        )
        moves = items.move_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Promise to pay"),
            "res_model": "dunning.promise",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_partner_id": self.partner_id.id,
                "default_company_id": self.company_id.id,
                "default_move_ids": moves.ids,
                "default_amount": sum(items.mapped("amount_residual")),
            },
        }
