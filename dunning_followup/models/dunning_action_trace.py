# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup, escape

from odoo import models


class DunningAction(models.Model):
    """What a notice done leaves behind: its trace on the invoices, the
    dates of the last notice (on the items, the invoices and the customer's
    state), and their reset when the notice did not go out after all."""

    _inherit = "dunning.action"

    def _after_done(self):
        """Traces on the invoices and dates of the last notice, in bulk."""
        if not self:
            return
        bodies = {}
        for action in self:
            channels = []
            if action.message_id:
                channels.append(self.env._("e-mail"))
            if action.letter_attachment_id:
                channels.append(self.env._("letter"))
            if action.statement_attachment_id:
                channels.append(self.env._("statement"))
            if action.activity_id:
                channels.append(self.env._("activity"))
            text = Markup("%s") % self.env._(
                "Follow-up %(level)s (%(channels)s) sent to %(partner)s.",
                level=action.level_id.name,
                channels=", ".join(channels) or self.env._("recorded"),
                partner=action.partner_id.name,
            )
            for move in action.line_ids.move_id:
                bodies[move.id] = bodies.get(move.id, Markup()) + Markup(
                    "<p>%s</p>"
                ) % escape(text)
        moves = self.env["account.move"].browse(list(bodies))
        if moves:
            moves.sudo()._message_log_batch(bodies=bodies)
        self.env["dunning.action.line"].flush_model()
        self.env.cr.execute(
            """
            UPDATE account_move_line aml SET dunning_date = act.date
              FROM dunning_action_line dal
              JOIN dunning_action act ON act.id = dal.action_id
             WHERE dal.move_line_id = aml.id AND act.id = ANY(%(ids)s);
            UPDATE account_move move SET dunning_last_date = act.date
              FROM dunning_action_line dal
              JOIN dunning_action act ON act.id = dal.action_id
             WHERE dal.move_id = move.id AND act.id = ANY(%(ids)s);
            UPDATE dunning_partner_state st SET last_notice_date = act.date
              FROM dunning_action act
             WHERE act.partner_id = st.partner_id AND act.company_id = st.company_id
               AND act.id = ANY(%(ids)s)
               AND (st.last_notice_date IS NULL OR st.last_notice_date < act.date);
            """,
            {"ids": self.ids},
        )
        self.env["account.move.line"].invalidate_model(["dunning_date"])
        self.env["account.move"].invalidate_model(["dunning_last_date"])
        self.env["dunning.partner.state"].invalidate_model(["last_notice_date"])

    def _reset_last_notice_dates(self):
        """A notice that did not go out is no last notice: the dates
        :meth:`_after_done` wrote come back to those of the notices done."""
        if not self:
            return
        self.flush_model()
        self.env["dunning.action.line"].flush_model()
        self.env.cr.execute(
            """
            UPDATE account_move_line aml SET dunning_date = (
                   SELECT MAX(act.date) FROM dunning_action_line dal
                     JOIN dunning_action act ON act.id = dal.action_id
                    WHERE dal.move_line_id = aml.id AND act.state = 'done')
              FROM dunning_action_line mine
             WHERE mine.move_line_id = aml.id AND mine.action_id = ANY(%(ids)s);
            UPDATE account_move move SET dunning_last_date = (
                   SELECT MAX(act.date) FROM dunning_action_line dal
                     JOIN dunning_action act ON act.id = dal.action_id
                    WHERE dal.move_id = move.id AND act.state = 'done')
              FROM dunning_action_line mine
             WHERE mine.move_id = move.id AND mine.action_id = ANY(%(ids)s);
            UPDATE dunning_partner_state st SET last_notice_date = (
                   SELECT MAX(act.date) FROM dunning_action act
                    WHERE act.partner_id = st.partner_id
                      AND act.company_id = st.company_id AND act.state = 'done')
              FROM dunning_action mine
             WHERE mine.partner_id = st.partner_id
               AND mine.company_id = st.company_id AND mine.id = ANY(%(ids)s);
            """,
            {"ids": self.ids},
        )
        self.env["account.move.line"].invalidate_model(["dunning_date"])
        self.env["account.move"].invalidate_model(["dunning_last_date"])
        self.env["dunning.partner.state"].invalidate_model(["last_notice_date"])
