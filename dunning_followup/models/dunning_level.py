# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.levels import Level


class DunningLevel(models.Model):
    """One rung of a policy's ladder: when it is reached and what it does.

    Other addons add fields here (fees, credit hold, hand-over); the engine
    only needs ``days`` to place the level and the channel flags to act.
    """

    _name = "dunning.level"
    _description = "Follow-up level"
    _order = "policy_id, days, sequence, id"

    name = fields.Char(required=True, translate=True)
    policy_id = fields.Many2one(
        "dunning.policy", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="policy_id.currency_id")
    sequence = fields.Integer(default=10)
    days = fields.Integer(
        required=True,
        help="Days after the due date at which an open item reaches this level; "
        "negative for a reminder before the due date.",
    )
    send_email = fields.Boolean(string="Send an e-mail", default=True)
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail template",
        domain=[("model", "=", "dunning.action")],
    )
    send_letter = fields.Boolean(
        string="Print a letter",
        help="Render the notice as a PDF letter; a copy is kept on the action.",
    )
    attach_statement = fields.Boolean(
        string="Attach the statement",
        help="Send the customer statement (open items and aging, PDF) with the "
        "e-mail.",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Activity",
        help="Schedule this activity (for example a phone call) on the customer.",
    )
    activity_user = fields.Selection(
        [("collector", "Collector of the customer"), ("salesperson", "Salesperson")],
        string="Activity for",
        default="collector",
    )
    activity_note = fields.Html(translate=True)
    auto_execute = fields.Boolean(
        string="Execute automatically",
        default=True,
        help="Done by the daily run without review; otherwise the notice waits "
        "in the queue for a collector.",
    )
    min_amount = fields.Monetary(
        string="Minimum amount",
        currency_field="currency_id",
        help="This level is skipped for a customer while the amount it concerns is "
        "under this amount.",
    )
    letter_intro = fields.Html(
        string="Letter text", translate=True, help="Opening text of the letter."
    )

    _sql_constraints = [
        (
            "min_amount_positive",
            "CHECK (min_amount >= 0)",
            "The minimum amount of a follow-up level cannot be negative.",
        ),
    ]

    @api.constrains("policy_id", "days")
    def _check_days(self):
        for level in self:
            twins = level.policy_id.level_ids.filtered(
                lambda other, level=level: other != level and other.days == level.days
            )
            if twins:
                raise ValidationError(
                    self.env._(
                        "Days: levels %(level)s and %(other)s of policy %(policy)s "
                        "both have %(days)s days; each level needs its own day.",
                        level=level.name,
                        other=twins[0].name,
                        policy=level.policy_id.name,
                        days=level.days,
                    )
                )

    @api.constrains("mail_template_id", "send_email")
    def _check_mail_template(self):
        for level in self:
            template = level.mail_template_id
            if template and template.model != "dunning.action":
                raise ValidationError(
                    self.env._(
                        "E-mail template: %(template)s is a template for %(model)s; "
                        "level %(level)s needs a template for Follow-up actions.",
                        template=template.name,
                        model=template.model,
                        level=level.name,
                    )
                )
            if level.send_email and not template:
                raise ValidationError(
                    self.env._(
                        "E-mail template: level %(level)s sends an e-mail and needs "
                        "a template.",
                        level=level.name,
                    )
                )

    @api.constrains("min_amount")
    def _check_min_amount(self):
        for level in self:
            if level.min_amount < 0:
                raise ValidationError(
                    self.env._(
                        "Minimum amount of level %(level)s cannot be negative.",
                        level=level.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        levels = super().create(vals_list)
        levels.policy_id._mark_customers_changed()
        return levels

    def write(self, vals):
        policies = self.policy_id
        res = super().write(vals)
        (policies | self.policy_id)._mark_customers_changed()
        return res

    def unlink(self):
        policies = self.policy_id
        res = super().unlink()
        policies._mark_customers_changed()
        return res

    def _as_ladder(self):
        """These levels as plain :class:`~..tools.levels.Level` values."""
        return [Level(sequence=lvl.sequence, days=lvl.days, id=lvl.id) for lvl in self]
