# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import format_amount, format_date

PLAN_STATES = [
    ("draft", "Draft"),
    ("active", "Running"),
    ("done", "Paid"),
    ("broken", "Broken"),
    ("cancelled", "Cancelled"),
]
FREQUENCIES = [
    ("weekly", "Every week"),
    ("biweekly", "Every two weeks"),
    ("monthly", "Every month"),
    ("custom", "Every few days"),
]
CUSTOMER_MOVES = ("out_invoice", "out_receipt")
SETTLED = ("paid", "in_payment", "reversed")


class DunningInstallmentPlan(models.Model):
    """A schedule agreed with a customer who cannot pay at once.

    While the plan runs, its invoices are out of the follow-up ladder
    (exclusion reason ``plan``) and the plan follows itself up: payments on
    the invoices fill the installments oldest first, the customer is
    reminded before each one, and an installment unpaid past the grace days
    breaks the plan, which is then treated as a broken promise to pay.  The
    schedule arithmetic and the allocation of payments are the pure
    functions of :mod:`..tools.installments`; the schedule is computed and
    checked in ``dunning_installment_plan_schedule.py``; payments, reminders
    and breaking are in ``dunning_installment_plan_followup.py``.
    """

    _name = "dunning.installment.plan"
    _description = "Payment plan"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain=[("is_company", "=", True)],
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_currency_id", store=True, readonly=True
    )
    move_ids = fields.Many2many(
        "account.move",
        "dunning_installment_plan_move_rel",
        "plan_id",
        "move_id",
        string="Invoices",
        required=True,
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id),"
        " ('move_type', 'in', ('out_invoice', 'out_receipt')),"
        " ('state', '=', 'posted'),"
        " ('payment_state', 'not in', ('paid', 'in_payment', 'reversed'))]",
    )
    amount_total = fields.Monetary(
        string="Total",
        readonly=True,
        help="Open amount of the invoices when the plan was made (set again "
        "when a draft's schedule is computed).",
    )
    down_payment = fields.Monetary(help="Due on the first date.")
    installment_count = fields.Integer(string="Installments", default=3)
    frequency = fields.Selection(FREQUENCIES, default="monthly", required=True)
    interval_days = fields.Integer(
        string="Days between installments",
        default=30,
        help="For a custom frequency: the number of days between two installments.",
    )
    payment_term_id = fields.Many2one(
        "account.payment.term",
        string="Payment terms",
        check_company=True,
        help="Its percentages and delays, counted from the first date, split "
        "what is left after the down payment (then the number and the "
        "frequency of installments are not used).",
    )
    first_date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="The down payment, or else the first installment, is due this day.",
    )
    grace_days = fields.Integer(
        default=3,
        help="An installment still unpaid this many days after its date "
        "breaks the plan.",
    )
    reminder_days = fields.Integer(
        default=3,
        help="The customer is reminded this many days before each installment.",
    )
    state = fields.Selection(
        PLAN_STATES,
        default="draft",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
        copy=False,
    )
    line_ids = fields.One2many(
        "dunning.installment.line", "plan_id", string="Schedule", copy=False
    )
    user_id = fields.Many2one(
        "res.users",
        string="Collector",
        default=lambda self: self.env.user,
        tracking=True,
    )
    amount_paid = fields.Monetary(compute="_compute_progress", store=True)
    next_date = fields.Date(
        string="Next installment", compute="_compute_progress", store=True
    )
    at_risk = fields.Boolean(
        compute="_compute_progress",
        store=True,
        index=True,
        help="An installment is late.",
    )
    last_check_date = fields.Date(readonly=True, copy=False)
    note = fields.Text()

    @api.depends("partner_id", "first_date")
    def _compute_name(self):
        for plan in self:
            plan.name = self.env._(
                "Payment plan %(partner)s from %(date)s",
                partner=plan.partner_id.name or "",
                date=format_date(self.env, plan.first_date),
            )

    @api.depends("move_ids", "company_id")
    def _compute_currency_id(self):
        for plan in self:
            currencies = plan.move_ids.currency_id
            plan.currency_id = (
                currencies if len(currencies) == 1 else plan.company_id.currency_id
            )

    @api.onchange("move_ids")
    def _onchange_move_ids(self):
        self.amount_total = self._get_open_amount()

    @api.model_create_multi
    def create(self, vals_list):
        plans = super().create(vals_list)
        for plan in plans:
            plan.amount_total = plan._get_open_amount()
        return plans

    def write(self, vals):
        res = super().write(vals)
        if "move_ids" in vals:
            # frozen once agreed: what the customer owed when the plan was made
            for plan in self.filtered(lambda p: p.state == "draft"):
                plan.amount_total = plan._get_open_amount()
        return res

    @api.depends("line_ids.amount_paid", "line_ids.state", "line_ids.date")
    def _compute_progress(self):
        for plan in self:
            unpaid = plan.line_ids.filtered(lambda line: line.state != "paid")
            plan.amount_paid = sum(plan.line_ids.mapped("amount_paid"))
            plan.next_date = min(unpaid.mapped("date"), default=False)
            plan.at_risk = any(line.state == "late" for line in unpaid)

    def _get_open_amount(self):
        """What is still open on the invoices, in the plan's currency."""
        self.ensure_one()
        if self.currency_id == self.company_id.currency_id:
            return sum(self.move_ids.mapped("amount_residual_signed"))
        return sum(self.move_ids.mapped("amount_residual"))

    # ------------------------------------------------------------------
    # checks
    # ------------------------------------------------------------------

    @api.constrains("move_ids", "partner_id", "company_id", "state")
    def _check_moves(self):
        for plan in self.filtered(lambda p: p.state in ("draft", "active")):
            for move in plan.move_ids:
                problem = plan._move_problem(move)
                if problem:
                    raise ValidationError(
                        self.env._("Invoices: %(problem)s", problem=problem)
                    )
            others = self.search(
                [
                    ("id", "!=", plan.id),
                    ("state", "=", "active"),
                    ("move_ids", "in", plan.move_ids.ids),
                ],
                limit=1,
            )
            if others:
                shared = others.move_ids & plan.move_ids
                raise ValidationError(
                    self.env._(
                        "Invoices: %(moves)s already under the running plan "
                        "%(plan)s.",
                        moves=", ".join(shared.mapped("name")),
                        plan=others.display_name,
                    )
                )

    def _move_problem(self, move):
        """Why ``move`` cannot be in this plan, or ``None``."""
        name = move.display_name
        if move.move_type not in CUSTOMER_MOVES:
            return self.env._("%(move)s is not a customer invoice.", move=name)
        if move.state == "draft":
            return self.env._("%(move)s is a draft; post it first.", move=name)
        if move.state == "cancel":
            return self.env._("%(move)s is cancelled.", move=name)
        if move.payment_state in SETTLED:
            return self.env._("%(move)s is already paid.", move=name)
        if move.commercial_partner_id != self.partner_id.commercial_partner_id:
            return self.env._(
                "%(move)s belongs to %(other)s, not to %(partner)s.",
                move=name,
                other=move.commercial_partner_id.name,
                partner=self.partner_id.name,
            )
        if move.company_id != self.company_id:
            return self.env._(
                "%(move)s belongs to the company %(company)s.",
                move=name,
                company=move.company_id.name,
            )
        return None

    @api.constrains(
        "installment_count", "down_payment", "amount_total", "interval_days"
    )
    def _check_terms(self):
        for plan in self:
            if plan.installment_count < 1 and not plan.payment_term_id:
                raise ValidationError(
                    self.env._("Installments: a plan needs at least 1 installment.")
                )
            if plan.currency_id.compare_amounts(plan.down_payment, 0) < 0:
                raise ValidationError(
                    self.env._("Down payment: it cannot be negative.")
                )
            # the total is set after the plan's first save: checked then
            if (
                plan.down_payment
                and plan.amount_total
                and (
                    plan.currency_id.compare_amounts(
                        plan.down_payment, plan.amount_total
                    )
                    >= 0
                )
            ):
                raise ValidationError(
                    self.env._(
                        "Down payment: %(down)s is not below the total %(total)s; "
                        "leave something for the installments.",
                        down=format_amount(
                            self.env, plan.down_payment, plan.currency_id
                        ),
                        total=format_amount(
                            self.env, plan.amount_total, plan.currency_id
                        ),
                    )
                )
            if plan.frequency == "custom" and plan.interval_days < 1:
                raise ValidationError(
                    self.env._("Days between installments: at least 1 day.")
                )

    @api.constrains("grace_days", "reminder_days")
    def _check_days(self):
        for plan in self:
            if plan.grace_days < 0 or plan.reminder_days < 0:
                raise ValidationError(
                    self.env._("Grace days and reminder days cannot be negative.")
                )

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------

    def action_confirm(self):
        """Agree the plan: the invoices leave the ladder and the customer is
        sent the schedule."""
        for plan in self:
            if plan.state != "draft":
                raise UserError(
                    self.env._(
                        "%(plan)s is not a draft: only drafts can be confirmed.",
                        plan=plan.display_name,
                    )
                )
            if not plan.line_ids:
                plan.action_compute_schedule()
            plan._check_moves()
            plan._check_schedule()
        today = fields.Date.context_today(self)
        self.write({"state": "active", "last_check_date": today})
        self._exclude_moves()
        # the schedule itself tells of what falls due in the reminder window
        self.line_ids.filtered(
            lambda line: (line.date - today).days <= line.plan_id.reminder_days
        ).write({"reminder_sent": True})
        self._apply_payments(today)
        self._send_schedule()
        return True

    def action_cancel(self):
        """Drop the plan: its invoices go back to the follow-up."""
        closed = self.filtered(lambda p: p.state not in ("draft", "active"))
        if closed:
            raise UserError(
                self.env._(
                    "%(plan)s is %(state)s: only draft and running plans can be "
                    "cancelled.",
                    plan=closed[0].display_name,
                    state=dict(PLAN_STATES)[closed[0].state],
                )
            )
        running = self.filtered(lambda p: p.state == "active")
        self.write({"state": "cancelled"})
        running._release_moves()
        return True

    def action_draft(self):
        """A cancelled plan back to draft, to be agreed again."""
        if any(plan.state != "cancelled" for plan in self):
            raise UserError(self.env._("Only cancelled plans go back to draft."))
        self.line_ids.write(
            {"amount_paid": 0.0, "state": "open", "reminder_sent": False}
        )
        self.write({"state": "draft"})
        return True

    @api.ondelete(at_uninstall=False)
    def _unlink_except_agreed(self):
        if any(plan.state not in ("draft", "cancelled") for plan in self):
            raise UserError(
                self.env._("Only draft or cancelled payment plans can be deleted.")
            )

    def action_open_moves(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Invoices"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", self.move_ids.ids)],
        }

    @api.model
    def _action_list(self, domain):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Payment plans"),
            "res_model": self._name,
            "view_mode": "list,form",
            "domain": domain,
        }

    @api.model
    def _action_new(self, partner, company, moves=None):
        """The form of a new plan for ``partner`` in ``company``: on
        ``moves``, or else on every open invoice not under a running plan."""
        if moves is None:
            moves = self.env["account.move"].search(
                [
                    ("commercial_partner_id", "=", partner.commercial_partner_id.id),
                    ("company_id", "=", company.id),
                    ("move_type", "in", CUSTOMER_MOVES),
                    ("state", "=", "posted"),
                    ("payment_state", "not in", SETTLED),
                ]
            )
            moves -= self.search(
                [("state", "=", "active"), ("move_ids", "in", moves.ids)]
            ).move_ids
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Payment plan"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "current",
            "context": {
                "default_partner_id": partner.commercial_partner_id.id,
                "default_company_id": company.id,
                "default_move_ids": [Command.set(moves.ids)],
            },
        }
