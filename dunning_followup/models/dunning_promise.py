# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import format_amount, format_date


class DunningPromise(models.Model):
    """A customer's promise to pay.

    While it is open, the invoices it covers are excluded from the ladder
    until the promised date.  Paid by then, it is kept; not paid by then, it
    is broken: the invoices go back to the follow-up at the next run and the
    collector is told.
    """

    _name = "dunning.promise"
    _description = "Promise to pay"
    _inherit = ["mail.thread"]
    _order = "date, id"
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
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        required=True,
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), ('company_id', '=', company_id),"
        " ('move_type', 'in', ('out_invoice', 'out_receipt')), ('state', '=', 'posted'),"
        " ('payment_state', 'not in', ('paid', 'in_payment', 'reversed'))]",
    )
    amount = fields.Monetary(currency_field="currency_id", required=True, tracking=True)
    date = fields.Date(string="Promised date", required=True, tracking=True)
    state = fields.Selection(
        [
            ("open", "Open"),
            ("kept", "Kept"),
            ("broken", "Broken"),
            ("cancelled", "Cancelled"),
        ],
        default="open",
        required=True,
        index=True,
        tracking=True,
        readonly=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Recorded by", default=lambda self: self.env.user
    )
    note = fields.Text()
    residual_start = fields.Monetary(
        string="Open when promised",
        currency_field="currency_id",
        readonly=True,
        help="Open amount of the invoices when the promise was recorded.",
    )
    amount_paid = fields.Monetary(
        currency_field="currency_id", compute="_compute_amount_paid"
    )

    @api.depends("partner_id", "date")
    def _compute_name(self):
        for promise in self:
            promise.name = self.env._(
                "%(partner)s, %(date)s",
                partner=promise.partner_id.name,
                date=format_date(self.env, promise.date),
            )

    @api.depends("move_ids.amount_residual")
    def _compute_amount_paid(self):
        for promise in self:
            promise.amount_paid = promise._get_paid_amount()

    def _get_paid_amount(self):
        """Paid on the covered invoices since the promise was made
        (company currency)."""
        self.ensure_one()
        return self.residual_start - sum(self.move_ids.mapped("amount_residual_signed"))

    @api.constrains("amount")
    def _check_amount(self):
        for promise in self:
            if promise.amount <= 0:
                raise ValidationError(
                    self.env._("Amount: a promise to pay needs a positive amount.")
                )

    @api.constrains("move_ids", "partner_id")
    def _check_moves(self):
        for promise in self:
            wrong = promise.move_ids.filtered(
                lambda m, p=promise: m.commercial_partner_id
                != p.partner_id.commercial_partner_id
            )
            if wrong:
                raise ValidationError(
                    self.env._(
                        "Invoices: %(moves)s do not belong to %(partner)s.",
                        moves=", ".join(wrong.mapped("name")),
                        partner=promise.partner_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        promises = super().create(vals_list)
        for promise in promises:
            promise.residual_start = sum(
                promise.move_ids.mapped("amount_residual_signed")
            )
        promises._exclude_moves()
        for promise in promises:
            promise.partner_id.sudo().message_post(
                author_id=self.env.user.partner_id.id,
                body=self.env._(
                    "Promise to pay %(amount)s by %(date)s recorded.",
                    amount=format_amount(self.env, promise.amount, promise.currency_id),
                    date=format_date(self.env, promise.date),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return promises

    def write(self, vals):
        res = super().write(vals)
        # a promise's date, invoices or state decide what is excluded
        self.env["dunning.partner.state"].sudo()._mark_changed(
            (p.partner_id.commercial_partner_id.id, p.company_id.id) for p in self
        )
        return res

    def _exclude_moves(self):
        for promise in self.filtered(lambda p: p.state == "open"):
            promise.move_ids.write(
                {
                    "dunning_excluded": True,
                    "dunning_exclusion_reason": "promise",
                    "dunning_excluded_until": promise.date,
                }
            )

    def _release_moves(self):
        moves = self.move_ids.filtered(
            lambda m: m.dunning_exclusion_reason == "promise"
        )
        moves.write(
            {
                "dunning_excluded": False,
                "dunning_exclusion_reason": False,
                "dunning_excluded_until": False,
            }
        )

    def _is_paid(self):
        self.ensure_one()
        if all(
            m.payment_state in ("paid", "in_payment", "reversed") for m in self.move_ids
        ):
            return True
        return (
            self.currency_id.compare_amounts(self._get_paid_amount(), self.amount) >= 0
        )

    def action_keep(self):
        for promise in self:
            promise.state = "kept"
            promise._release_moves()
            promise.message_post(
                body=self.env._("Promise kept: the invoices are paid.")
            )
        self._refresh_states()

    def action_break(self):
        for promise in self:
            promise.state = "broken"
            promise._release_moves()
            promise.message_post(
                body=self.env._("Promise broken: the follow-up resumes.")
            )
            promise._notify_collector()
        self._refresh_states()

    def action_cancel(self):
        if any(p.state != "open" for p in self):
            raise UserError(self.env._("Only open promises can be cancelled."))
        self.write({"state": "cancelled"})
        self._release_moves()
        self._refresh_states()

    def _notify_collector(self):
        partner = self.partner_id.with_company(self.company_id)
        user = partner.dunning_responsible_id or partner.user_id or self.user_id
        partner.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=user.id,
            summary=self.env._("Broken promise to pay"),
            note=self.env._(
                "%(partner)s promised to pay %(amount)s by %(date)s and did not.",
                partner=partner.name,
                amount=format_amount(self.env, self.amount, self.currency_id),
                date=format_date(self.env, self.date),
            ),
            date_deadline=fields.Date.context_today(self),
        )

    def _refresh_states(self):
        for company in self.company_id:
            promises = self.filtered(lambda p, company=company: p.company_id == company)
            self.env["dunning.partner.state"].sudo()._refresh(
                promises.partner_id.commercial_partner_id.ids, company.id
            )

    @api.model
    def _check_kept(self, moves):
        """After a payment: promises whose invoices are all paid are kept."""
        promises = self.search([("state", "=", "open"), ("move_ids", "in", moves.ids)])
        promises.filtered(lambda p: p._is_paid()).action_keep()

    @api.model
    def _cron_check_promises(self):
        """Daily: keep the paid promises, break the ones past their date."""
        today = fields.Date.context_today(self)
        open_promises = self.search([("state", "=", "open")])
        paid = open_promises.filtered(lambda p: p._is_paid())
        paid.action_keep()
        (open_promises - paid).filtered(lambda p: p.date < today).action_break()
