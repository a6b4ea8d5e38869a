# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import fields, models


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
    dunning_charge_ids = fields.One2many(
        "dunning.charge", "move_id", string="Late payment charges", readonly=True
    )
    dunning_fee_charge_ids = fields.One2many(
        "dunning.charge", "fee_move_id", string="Charges invoiced", readonly=True
    )
    dunning_interest_until = fields.Date(
        string="Interest charged until",
        readonly=True,
        copy=False,
        help="Late payment interest on this invoice has been charged up to this "
        "day; the next charge starts the day after.",
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


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    dunning_charge_id = fields.Many2one(
        "dunning.charge",
        string="Late payment charge",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
