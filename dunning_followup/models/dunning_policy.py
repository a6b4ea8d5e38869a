# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class DunningPolicy(models.Model):
    """A ladder of follow-up levels and the rules that pace it.

    Each company has one default policy; a customer may be given another one
    (``res.partner.dunning_policy_id`` is company-dependent, so the same
    customer can be chased differently by two companies).
    """

    _name = "dunning.policy"
    _description = "Follow-up policy"
    _order = "company_id, sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    level_ids = fields.One2many(
        "dunning.level", "policy_id", string="Levels", copy=True
    )
    is_default = fields.Boolean(
        string="Default for the company",
        help="Used for every customer that has no policy of its own.",
    )
    tolerance = fields.Monetary(
        currency_field="currency_id",
        help="Nothing is sent to a customer while the amount the notice would "
        "concern is under this amount (company currency).",
    )
    min_interval_days = fields.Integer(
        string="Minimum days between notices",
        default=5,
        help="A customer who received a notice less than this many days ago "
        "waits for the next run.",
    )
    level_mode = fields.Selection(
        [("step", "One level at a time"), ("jump", "Jump to the level due")],
        string="Climbing",
        required=True,
        default="step",
        help="One level at a time: an invoice climbs at most one level per run, "
        "so every notice of the ladder is sent. Jump: an invoice goes straight "
        "to the level its days late call for.",
    )
    level_count = fields.Integer(compute="_compute_level_count")

    _sql_constraints = [
        (
            "tolerance_positive",
            "CHECK (tolerance >= 0)",
            "The tolerance of a follow-up policy cannot be negative.",
        ),
        (
            "min_interval_positive",
            "CHECK (min_interval_days >= 0)",
            "The minimum days between notices cannot be negative.",
        ),
    ]

    @api.depends("level_ids")
    def _compute_level_count(self):
        for policy in self:
            policy.level_count = len(policy.level_ids)

    @api.constrains("tolerance")
    def _check_tolerance(self):
        for policy in self:
            if policy.tolerance < 0:
                raise ValidationError(
                    self.env._(
                        "Tolerance: the amount under which nothing is sent cannot be "
                        "negative (policy %(policy)s).",
                        policy=policy.display_name,
                    )
                )

    @api.constrains("min_interval_days")
    def _check_min_interval_days(self):
        for policy in self:
            if policy.min_interval_days < 0:
                raise ValidationError(
                    self.env._(
                        "Minimum days between notices cannot be negative "
                        "(policy %(policy)s).",
                        policy=policy.display_name,
                    )
                )

    @api.constrains("is_default", "company_id", "active")
    def _check_one_default(self):
        for company in self.filtered("is_default").company_id:
            defaults = self.search(
                [("company_id", "=", company.id), ("is_default", "=", True)]
            )
            if len(defaults) > 1:
                raise ValidationError(
                    self.env._(
                        "Default for the company: %(company)s already has a default "
                        "follow-up policy (%(policies)s).",
                        company=company.name,
                        policies=", ".join(defaults.mapped("name")),
                    )
                )

    def write(self, vals):
        if vals.get("is_default"):
            # Making a policy the default takes the flag from the previous one
            # in the same company, rather than refusing the edit.
            others = self.search(
                [
                    ("company_id", "in", self.company_id.ids),
                    ("is_default", "=", True),
                    ("id", "not in", self.ids),
                ]
            )
            if others:
                others.write({"is_default": False})
        res = super().write(vals)
        self._mark_customers_changed()
        return res

    @api.model_create_multi
    def create(self, vals_list):
        policies = super().create(vals_list)
        policies._mark_customers_changed()
        return policies

    def unlink(self):
        companies = self.company_id
        res = super().unlink()
        self.env["dunning.partner.state"].sudo()._mark_company_changed(companies.ids)
        return res

    def _mark_customers_changed(self):
        """A policy's numbers or levels changed: every customer of its
        company is visited by the next daily run (whose policy it is, the
        run finds out; policies change seldom)."""
        self.env["dunning.partner.state"].sudo()._mark_company_changed(
            self.company_id.ids
        )

    @api.model
    def _get_company_default(self, company):
        """The default policy of ``company``, created from the shipped one if
        the company has none yet (a company created after installation)."""
        policy = self.sudo().search(
            [("company_id", "=", company.id), ("is_default", "=", True)], limit=1
        )
        if policy:
            return policy.sudo(False)
        template = self.sudo().env.ref(
            "dunning_followup.dunning_policy_default", raise_if_not_found=False
        )
        if not template:
            return self.browse()
        return (
            template.sudo()
            .copy({"company_id": company.id, "is_default": True, "name": template.name})
            .sudo(False)
        )

    def action_open_levels(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Levels"),
            "res_model": "dunning.level",
            "view_mode": "list,form",
            "domain": [("policy_id", "=", self.id)],
            "context": {"default_policy_id": self.id},
        }

    @api.model
    def _load_demo_invoices(self, moves_and_payments):
        """Demo data: post the demo invoices and register the partial payments
        (``[(move_id, amount_paid), ...]``); XML alone cannot register payments."""
        moves = self.env["account.move"].browse(
            [move_id for move_id, _paid in moves_and_payments]
        )
        drafts = moves.filtered(lambda m: m.state == "draft")
        if not drafts:
            return
        drafts.action_post()
        for move_id, paid in moves_and_payments:
            move = self.env["account.move"].browse(move_id)
            if paid and move.payment_state == "not_paid":
                self.env["account.payment.register"].with_context(
                    active_model="account.move", active_ids=move.ids
                ).create(
                    {"amount": paid, "payment_date": move.invoice_date_due}
                ).action_create_payments()
