# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    _inherit = "account.move"

    dunning_action_id = fields.Many2one(
        "dunning.action",
        string="Follow-up notice",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The notice this late-fee invoice was made for.",
    )
    dunning_is_late_fee = fields.Boolean(
        string="Late-fee invoice",
        readonly=True,
        copy=False,
        help="Fees and interest charged for late payment; they bear no fee "
        "themselves unless the policy says so.",
    )
    # the ledger is read by invoicing users and up, not by a salesperson or a
    # portal customer reading the invoice
    dunning_charge_ids = fields.One2many(
        "dunning.charge",
        "move_id",
        string="Late payment charges",
        readonly=True,
        groups="account.group_account_invoice",
    )
    dunning_fee_charge_ids = fields.One2many(
        "dunning.charge",
        "fee_move_id",
        string="Charges invoiced",
        readonly=True,
        groups="account.group_account_invoice",
    )
    dunning_exclusion_reason = fields.Selection(
        selection_add=[("plan", "Payment plan"), ("other",)],
        ondelete={"plan": "set null"},
    )
    dunning_plan_ids = fields.Many2many(
        "dunning.installment.plan",
        "dunning_installment_plan_move_rel",
        "move_id",
        "plan_id",
        string="Payment plans",
        readonly=True,
        copy=False,
        groups="dunning_followup.group_dunning_user",
    )
    dunning_plan_count = fields.Integer(
        compute="_compute_dunning_plan_count",
        groups="dunning_followup.group_dunning_user",
    )
    dunning_interest_until = fields.Date(
        string="Interest charged until",
        readonly=True,
        copy=False,
        help="Late payment interest on this invoice has been charged up to this "
        "day; the next charge starts the day after.",
    )

    @api.depends("dunning_plan_ids")
    def _compute_dunning_plan_count(self):
        for move in self:
            move.dunning_plan_count = len(move.dunning_plan_ids)

    def action_dunning_plan(self):
        """A new payment plan for these invoices (of one customer)."""
        partner = self.commercial_partner_id
        if len(partner) != 1:
            raise UserError(
                self.env._(
                    "Invoices: a payment plan covers the invoices of one customer."
                )
            )
        return self.env["dunning.installment.plan"]._action_new(
            partner, self.company_id[:1], self
        )

    def action_open_dunning_plans(self):
        self.ensure_one()
        return self.env["dunning.installment.plan"]._action_list(
            [("move_ids", "in", self.ids)]
        )

    def _dunning_free_charges(self):
        """Charges of these late-fee invoices go back to the customer's charges
        to invoice, traced on the invoice."""
        for move in self.filtered("dunning_fee_charge_ids"):
            charges = move.dunning_fee_charge_ids
            charges.sudo().write({"fee_move_id": False})
            move._message_log(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "%(count)s late payment charge(s) freed: they will be invoiced "
                    "again with the customer's next notice.",
                    count=len(charges),
                )
            )

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._dunning_charges_follow_state()
        return posted

    def button_draft(self):
        res = super().button_draft()
        self._dunning_charges_follow_state()
        return res

    def _dunning_charges_follow_state(self):
        """A charge is invoiced when its late-fee invoice is posted."""
        charges = self.filtered("dunning_is_late_fee").sudo().dunning_fee_charge_ids
        if charges:
            self.env.add_to_compute(charges._fields["state"], charges)

    def button_cancel(self):
        res = super().button_cancel()
        self.filtered(
            lambda m: m.dunning_is_late_fee and m.state == "cancel"
        )._dunning_free_charges()
        return res

    def unlink(self):
        self.filtered("dunning_is_late_fee").dunning_fee_charge_ids.sudo().write(
            {"fee_move_id": False}
        )
        return super().unlink()
