# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

LINE_STATES = [("open", "Open"), ("paid", "Paid"), ("late", "Late")]
# what the schedule is made of: frozen once the plan is confirmed
SCHEDULE_FIELDS = {"plan_id", "date", "amount", "down_payment"}


class DunningInstallmentLine(models.Model):
    """One dated amount of a payment plan.

    ``amount_paid`` and ``state`` are not entered: they are what the
    payments on the plan's invoices fill, oldest installment first (see
    :meth:`dunning.installment.plan._apply_payments`).
    """

    _name = "dunning.installment.line"
    _description = "Installment of a payment plan"
    _order = "plan_id, date, id"

    plan_id = fields.Many2one(
        "dunning.installment.plan",
        string="Payment plan",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    partner_id = fields.Many2one(related="plan_id.partner_id")
    date = fields.Date(string="Due date", required=True)
    amount = fields.Monetary(currency_field="currency_id", required=True)
    amount_paid = fields.Monetary(
        currency_field="currency_id", readonly=True, copy=False
    )
    amount_residual = fields.Monetary(
        string="Still due", currency_field="currency_id", compute="_compute_residual"
    )
    down_payment = fields.Boolean(readonly=True)
    state = fields.Selection(
        LINE_STATES, default="open", required=True, readonly=True, copy=False
    )
    reminder_sent = fields.Boolean(
        readonly=True,
        copy=False,
        help="The customer was reminded of this installment before its date.",
    )

    @api.depends("amount", "amount_paid")
    def _compute_residual(self):
        for line in self:
            line.amount_residual = line.amount - line.amount_paid

    @api.constrains("amount")
    def _check_amount(self):
        for line in self:
            if line.currency_id.compare_amounts(line.amount, 0) <= 0:
                raise ValidationError(
                    self.env._(
                        "Amount: the installment of %(date)s must be above zero.",
                        date=fields.Date.to_string(line.date),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._check_plan_draft()
        return lines

    def write(self, vals):
        if SCHEDULE_FIELDS & set(vals):
            self._check_plan_draft()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_confirmed(self):
        # a cancelled plan is deleted with its installments
        self.filtered(
            lambda line: line.plan_id.state != "cancelled"
        )._check_plan_draft()

    def _check_plan_draft(self):
        confirmed = self.plan_id.filtered(lambda p: p.state != "draft")
        if confirmed:
            raise UserError(
                self.env._(
                    "Installments: the schedule of %(plan)s is confirmed; cancel "
                    "the plan and make a new one to change it.",
                    plan=confirmed[0].display_name,
                )
            )

    def _installment_state(self, paid, today):
        """The state an installment has with ``paid`` received, on ``today``."""
        self.ensure_one()
        if self.currency_id.compare_amounts(paid, self.amount) >= 0:
            return "paid"
        return "late" if self.date < today else "open"
