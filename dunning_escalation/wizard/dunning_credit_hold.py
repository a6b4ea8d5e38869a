# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.exceptions import UserError


class DunningCreditHold(models.TransientModel):
    """Put customers on credit hold, or lift it, by hand, with a reason."""

    _name = "dunning.credit.hold"
    _description = "Set or lift a credit hold"

    partner_ids = fields.Many2many("res.partner", string="Customers", required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    mode = fields.Selection(
        [("hold", "Put on hold"), ("release", "Lift the hold")],
        required=True,
        default="hold",
    )
    reason = fields.Char(required=True)
    sticky = fields.Boolean(
        string="No automatic release",
        help='For a customer you no longer want to deliver ("fire the '
        'customer"): only a manager lifts this hold, whatever it pays.',
    )

    def action_apply(self):
        self.ensure_one()
        if not self.env.user.has_group("dunning_followup.group_dunning_manager"):
            raise UserError(
                self.env._("Only Dunning managers set or lift credit holds.")
            )
        if not self.reason.strip():
            raise UserError(self.env._("Reason: say why."))
        State = self.env["dunning.partner.state"].sudo()
        partners = self.partner_ids.commercial_partner_id
        State._ensure(partners.ids, self.company_id.id)
        states = State.search(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "=", self.company_id.id),
            ]
        )
        if self.mode == "hold":
            states.filtered(lambda s: not s.credit_hold)._set_credit_hold(
                self.reason, "manual", sticky=self.sticky
            )
            # an existing automatic hold becomes manual, with this reason
            states.filtered(lambda s: s.credit_hold_origin != "manual").write(
                {
                    "credit_hold_origin": "manual",
                    "credit_hold_reason": self.reason,
                    "credit_hold_user_id": self.env.uid,
                    "credit_hold_sticky": self.sticky,
                }
            )
            states._invalidate_partner_fields()
        else:
            states._release_credit_hold(self.reason)
        return {"type": "ir.actions.act_window_close"}
