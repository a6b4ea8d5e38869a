# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.exceptions import UserError


class DunningCreditHold(models.TransientModel):
    """Put customers on credit hold, or lift it, by hand, with a reason."""

    _name = "dunning.credit.hold"
    _description = "Set or lift a credit hold"
    _check_company_auto = True

    partner_ids = fields.Many2many(
        "res.partner", string="Customers", required=True, check_company=True
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.companies.ids)],
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
        'customer"): only a manager lifts this hold, whatever it pays. '
        "Without it, the hold is lifted once nothing is overdue (a customer "
        "with nothing overdue stays held until a manager lifts it).",
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
        # fresh figures: whether anything is overdue decides below
        State._refresh(partners.ids, self.company_id.id)
        states = State.search(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "=", self.company_id.id),
            ]
        )
        if self.mode == "hold":
            for state in states:
                # With nothing overdue, "lift when paid back" would lift the
                # hold at the next refresh: such a hold waits for a manager.
                sticky = self.sticky or state.overdue_amount <= 0
                if state.credit_hold:
                    state._make_manual(self.reason, sticky)
                else:
                    state._set_credit_hold(self.reason, "manual", sticky=sticky)
        else:
            states._release_credit_hold(self.reason)
        return {"type": "ir.actions.act_window_close"}
