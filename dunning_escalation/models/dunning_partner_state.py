# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

HOLD_ORIGINS = [
    ("level", "Follow-up level"),
    ("amount", "Overdue amount"),
    ("age", "Days late"),
    ("promise", "Broken promise"),
    ("manual", "Manual"),
]
AUTOMATIC = ("level", "amount", "age")


class DunningPartnerState(models.Model):
    """Credit hold of a customer in a company.

    The hold lives on the per-company state row, next to the figures it is
    decided from, so that a sales order confirmation reads one indexed row,
    and every refresh of those figures (after a run, after a payment) can
    put on or lift a hold in the same set-based pass.
    """

    _inherit = "dunning.partner.state"

    credit_hold = fields.Boolean(index=True, readonly=True)
    credit_hold_reason = fields.Char(readonly=True)
    credit_hold_since = fields.Date(readonly=True)
    credit_hold_origin = fields.Selection(HOLD_ORIGINS, readonly=True)
    credit_hold_user_id = fields.Many2one("res.users", string="Held by", readonly=True)
    credit_hold_sticky = fields.Boolean(
        string="No automatic release",
        readonly=True,
        help="Only a manager lifts this hold, whatever the customer pays.",
    )

    @api.model
    def _refresh(self, partner_ids, company_id, today=None):
        res = super()._refresh(partner_ids, company_id, today=today)
        self._evaluate_holds(partner_ids, company_id)
        return res

    @api.model
    def _evaluate_holds(self, partner_ids, company_id):
        """Put on hold the customers who passed a threshold or reached a
        holding level, and lift the automatic holds of those back under
        them; one query to read, writes only for the changes."""
        if not partner_ids:
            return
        company = self.env["res.company"].browse(company_id)
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT st.id, st.credit_hold, st.credit_hold_origin,
                       st.credit_hold_sticky, st.overdue_amount, st.max_days_late,
                       COALESCE(lvl.credit_hold, FALSE), lvl.id
                  FROM dunning_partner_state st
                  LEFT JOIN dunning_level lvl ON lvl.id = st.level_id
                 WHERE st.company_id = %(company)s AND st.partner_id = ANY(%(partners)s)
                """,
                company=company_id,
                partners=list(partner_ids),
            )
        )
        to_hold, to_release = {}, []
        for row in self.env.cr.fetchall():
            state_id, held, origin, sticky, overdue, late, level_holds, level_id = row
            cause = self._hold_cause(company, overdue, late, level_holds, level_id)
            if not held and cause:
                to_hold.setdefault(cause, []).append(state_id)
            elif held and not sticky:
                if (origin in AUTOMATIC and not cause) or (
                    origin == "promise" and overdue <= 0
                ):
                    to_release.append(state_id)
        for (origin, reason), ids in to_hold.items():
            self.browse(ids)._set_credit_hold(reason, origin)
        if to_release:
            self.browse(to_release)._release_credit_hold(
                self.env._("Paid back under the credit hold thresholds.")
            )

    @api.model
    def _hold_cause(self, company, overdue, late, level_holds, level_id):
        """``(origin, reason)`` of an automatic hold, or ``None``."""
        if level_holds:
            level = self.env["dunning.level"].browse(level_id)
            return (
                "level",
                self.env._("Follow-up level %(level)s reached.", level=level.name),
            )
        if company.dunning_hold_amount and overdue >= company.dunning_hold_amount:
            return (
                "amount",
                self.env._(
                    "Overdue amount over %(limit)s.",
                    limit=company.currency_id.format(company.dunning_hold_amount),
                ),
            )
        if company.dunning_hold_days and late >= company.dunning_hold_days:
            return (
                "age",
                self.env._(
                    "An open item is more than %(days)s days late.",
                    days=company.dunning_hold_days,
                ),
            )
        return None

    def _set_credit_hold(self, reason, origin, sticky=False):
        """Put these customers on hold, with a trace on their chatter."""
        self.write(
            {
                "credit_hold": True,
                "credit_hold_reason": reason,
                "credit_hold_origin": origin,
                "credit_hold_since": fields.Date.context_today(self),
                "credit_hold_user_id": self.env.uid if origin == "manual" else False,
                "credit_hold_sticky": sticky,
            }
        )
        self._invalidate_partner_fields()
        for state in self:
            body = Markup("<p>%s</p><p>%s</p>") % (
                self.env._(
                    "Credit hold in %(company)s.", company=state.company_id.name
                ),
                reason,
            )
            state.partner_id.sudo().message_post(
                body=body,
                subtype_xmlid="mail.mt_note",
                author_id=self.env.user.partner_id.id,
            )
            company = state.company_id
            salesperson = state.partner_id.user_id
            if company.dunning_hold_notify_salesperson and salesperson:
                state.partner_id.sudo().activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=salesperson.id,
                    summary=self.env._("Customer on credit hold"),
                    note=reason,
                )

    def _release_credit_hold(self, reason):
        """Lift the hold of these customers, with a trace on their chatter."""
        held = self.filtered("credit_hold")
        held.write(
            {
                "credit_hold": False,
                "credit_hold_reason": False,
                "credit_hold_origin": False,
                "credit_hold_since": False,
                "credit_hold_user_id": False,
                "credit_hold_sticky": False,
            }
        )
        self._invalidate_partner_fields()
        for state in held:
            body = Markup("<p>%s</p><p>%s</p>") % (
                self.env._(
                    "Credit hold lifted in %(company)s.", company=state.company_id.name
                ),
                reason,
            )
            state.partner_id.sudo().message_post(
                body=body,
                subtype_xmlid="mail.mt_note",
                author_id=self.env.user.partner_id.id,
            )
