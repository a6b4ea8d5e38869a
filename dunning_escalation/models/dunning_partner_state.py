# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import format_amount

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

    status = fields.Selection(
        selection_add=[("plan", "On payment plan")],
        ondelete={"plan": "set default"},
    )
    credit_hold = fields.Boolean(string="Credit hold", index=True, readonly=True)
    credit_hold_reason = fields.Char(readonly=True)
    credit_hold_since = fields.Date(readonly=True)
    credit_hold_origin = fields.Selection(HOLD_ORIGINS, readonly=True)
    credit_hold_user_id = fields.Many2one("res.users", string="Held by", readonly=True)
    credit_hold_sticky = fields.Boolean(
        string="No automatic release",
        readonly=True,
        help="Only a manager lifts this hold, whatever the customer pays. "
        "Without it, a manual hold or one for a broken promise is lifted when "
        "nothing is overdue any more; an automatic one when the customer is "
        "back under every threshold.",
    )

    @api.model
    def _refresh(self, partner_ids, company_id, today=None, **kwargs):
        """The holds follow every refresh of the figures, on the same day."""
        res = super()._refresh(partner_ids, company_id, today=today, **kwargs)
        self._mark_plans(partner_ids, company_id)
        self._evaluate_holds(partner_ids, company_id, today=today)
        return res

    @api.model
    def _get_visit_date_terms(self, company_id, today):
        """A customer reaches the company's "days late" threshold by the
        calendar alone: the daily run visits it that day (its refresh puts
        the hold on)."""
        terms = super()._get_visit_date_terms(company_id, today)
        days = self.env["res.company"].browse(company_id).dunning_hold_days
        if days:
            terms.append(
                SQL(
                    "CASE WHEN src.oldest + %(days)s > %(today)s"
                    " THEN src.oldest + %(days)s END",
                    days=days,
                    today=today,
                )
            )
        return terms

    @api.model
    def _mark_plans(self, partner_ids, company_id):
        """Customers with a running payment plan and nothing else to do are
        "on payment plan" rather than "excluded" or "no action": one update
        for the whole batch."""
        if not partner_ids:
            return
        self.env["dunning.installment.plan"].flush_model(
            ["partner_id", "company_id", "state"]
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE dunning_partner_state st
                   SET status = 'plan'
                 WHERE st.company_id = %(company)s
                   AND st.partner_id = ANY(%(partners)s)
                   AND st.status IN ('none', 'excluded')
                   AND EXISTS (
                       SELECT 1 FROM dunning_installment_plan plan
                        WHERE plan.partner_id = st.partner_id
                          AND plan.company_id = st.company_id
                          AND plan.state = 'active')
                """,
                company=company_id,
                partners=list(set(partner_ids)),
            )
        )
        if self.env.cr.rowcount:
            self.invalidate_model(["status"])
            self._invalidate_partner_fields()

    @api.model
    def _evaluate_holds(self, partner_ids, company_id, today=None):
        """Put on hold the customers who passed a threshold or were sent a
        notice of a holding level, and lift the automatic holds of those
        back under them.

        Runs inside :meth:`_refresh`, i.e. after every batch of a run, after
        every executed or cancelled notice and after every payment
        reconciliation, so a hold follows the ledger at once.  One query
        reads the figures of the whole batch; only changes are written.

        A level holds when a notice at that level *or a later one of the same
        policy* was actually sent (action done) for an item that is still
        open: a notice waiting for review does not hold yet, a jump straight
        to the final notice does, and paying the items it concerned lifts it.
        """
        if not partner_ids:
            return
        today = today or fields.Date.context_today(self)
        company = self.env["res.company"].browse(company_id)
        to_hold, to_update, to_release = {}, {}, []
        for row in self._get_hold_figures(partner_ids, company_id):
            state_id, held, origin, sticky, overdue, late, level_id = row
            cause = self._hold_cause(company, overdue or 0.0, late or 0, level_id)
            if not held:
                if cause:
                    to_hold.setdefault(cause, []).append(state_id)
            elif origin in AUTOMATIC:
                if not cause:
                    to_release.append(state_id)
                elif cause[0] != origin:
                    # still held, for another reason: say the current one
                    to_update.setdefault(cause, []).append(state_id)
            elif not sticky and (overdue or 0.0) <= 0:
                # a broken promise or a manual hold lasts until nothing is
                # overdue any more; "no automatic release" never ends alone
                to_release.append(state_id)
        for (origin, reason), ids in to_hold.items():
            self.browse(ids)._set_credit_hold(reason, origin, today=today)
        for (origin, reason), ids in to_update.items():
            self.browse(ids).write(
                {"credit_hold_origin": origin, "credit_hold_reason": reason}
            )
        if to_update:
            self._invalidate_partner_fields()
        if to_release:
            self.browse(to_release)._release_credit_hold(
                self.env._("Paid back under the credit hold thresholds.")
            )

    @api.model
    def _get_hold_figures(self, partner_ids, company_id):
        """``[(state id, held, origin, sticky, overdue, days late, holding
        level id)]`` of these customers, in one query: the holding level is
        the highest level of a notice actually sent (action done) that holds
        or follows a holding level of its policy, for an installment that
        is still open."""
        self.env["dunning.action"].flush_model(["state", "level_id", "partner_id"])
        self.env["dunning.level"].flush_model(["credit_hold", "days", "policy_id"])
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH act AS MATERIALIZED (
                    -- the batch's executed notices first, customer by
                    -- customer through the customer's index (LATERAL,
                    -- fenced by OFFSET 0): the rest of the query then
                    -- follows indexes from a bounded set, whatever the
                    -- planner believes of tables that grow during a run.
                    -- The state is tested outside the fence: inside, stale
                    -- statistics ("done" is rare) make the planner read
                    -- every executed notice of the company per customer
                    SELECT act.id, act.partner_id, act.level_id
                      FROM unnest(%(partners)s::int[]) AS batch(partner_id)
                      JOIN LATERAL (
                            SELECT id, partner_id, level_id, state
                              FROM dunning_action
                             WHERE partner_id = batch.partner_id
                               AND company_id = %(company)s
                            OFFSET 0) act ON TRUE
                     WHERE act.state = 'done'
                ), holding AS (
                    SELECT DISTINCT ON (act.partner_id)
                           act.partner_id, lvl.id AS level_id
                      FROM act
                      JOIN dunning_level lvl ON lvl.id = act.level_id
                      JOIN dunning_action_line dal ON dal.action_id = act.id
                      JOIN account_move_line aml ON aml.id = dal.move_line_id
                      JOIN account_move move ON move.id = aml.move_id
                     WHERE %(open)s
                       AND EXISTS (
                           SELECT 1 FROM dunning_level hold
                            WHERE hold.policy_id = lvl.policy_id
                              AND hold.credit_hold IS TRUE
                              AND hold.days <= lvl.days)
                     ORDER BY act.partner_id, lvl.days DESC
                )
                SELECT st.id, st.credit_hold, st.credit_hold_origin,
                       st.credit_hold_sticky, st.overdue_amount, st.max_days_late,
                       holding.level_id
                  FROM dunning_partner_state st
                  LEFT JOIN holding ON holding.partner_id = st.partner_id
                 WHERE st.company_id = %(company)s AND st.partner_id = ANY(%(partners)s)
                """,
                company=company_id,
                partners=list(set(partner_ids)),
                open=self.env["account.move.line"]._dunning_open_installment_sql(
                    [company_id]
                ),
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _hold_cause(self, company, overdue, late, level_id):
        """``(origin, reason)`` of an automatic hold, or ``None``.

        Extension hook: return another cause (a scoring, an insurer's
        limit) before or after these.
        """
        if level_id:
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
                    limit=format_amount(
                        self.env, company.dunning_hold_amount, company.currency_id
                    ),
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

    @api.model
    def _hold_on_broken_promise(self, partner, company, reason):
        """A promise to pay, or a payment plan, was broken: when the
        customer's policy says so, put the customer on hold (origin
        ``promise``) unless it is held already."""
        policy = partner.with_company(company)._dunning_get_policy()
        if not policy.hold_on_broken_promise:
            return
        self._ensure([partner.id], company.id)
        state = self.search(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)]
        )
        if not state.credit_hold:
            state._set_credit_hold(reason, "promise")

    def _set_credit_hold(self, reason, origin, sticky=False, today=None):
        """Put these customers on hold, with a trace on their chatter and,
        when the company wants it, an activity for their salesperson."""
        self.write(
            {
                "credit_hold": True,
                "credit_hold_reason": reason,
                "credit_hold_origin": origin,
                "credit_hold_since": today or fields.Date.context_today(self),
                "credit_hold_user_id": self.env.uid if origin == "manual" else False,
                "credit_hold_sticky": sticky,
            }
        )
        self._invalidate_partner_fields()
        self._post_hold_note(self.env._("Credit hold in %(company)s."), reason)
        for state in self:
            company = state.company_id
            salesperson = state.partner_id.user_id
            if company.dunning_hold_notify_salesperson and salesperson:
                state.partner_id.sudo().activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=salesperson.id,
                    summary=self.env._("Customer on credit hold"),
                    note=reason,
                )

    def _make_manual(self, reason, sticky):
        """A manager takes over an existing hold: it becomes manual, with
        this reason, and no longer lifts itself like an automatic one."""
        self.write(
            {
                "credit_hold_origin": "manual",
                "credit_hold_reason": reason,
                "credit_hold_user_id": self.env.uid,
                "credit_hold_sticky": sticky,
            }
        )
        self._invalidate_partner_fields()
        self._post_hold_note(
            self.env._("Credit hold in %(company)s confirmed by hand."), reason
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
        held._post_hold_note(self.env._("Credit hold lifted in %(company)s."), reason)

    def _post_hold_note(self, headline, reason):
        """A note on each customer's chatter: ``headline`` (a translated text
        naming ``%(company)s``), then the reason."""
        for state in self:
            state.partner_id.sudo().message_post(
                body=Markup("<p>%s</p><p>%s</p>")
                % (headline % {"company": state.company_id.name}, reason),
                subtype_xmlid="mail.mt_note",
                author_id=self.env.user.partner_id.id,
            )
