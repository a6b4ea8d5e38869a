# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class DunningActionLine(models.Model):
    """One receivable line (installment) reaching one level.

    This is the idempotency key of the whole engine: the database refuses a
    second row for the same (receivable line, level), so no rerun, crash or
    concurrent run can apply a level twice to the same installment.
    """

    _name = "dunning.action.line"
    _description = "Follow-up action item"
    _order = "action_id, date_maturity, id"

    action_id = fields.Many2one(
        "dunning.action", required=True, ondelete="cascade", index=True
    )
    move_line_id = fields.Many2one(
        "account.move.line",
        string="Installment",
        required=True,
        ondelete="cascade",
        index=True,
    )
    level_id = fields.Many2one("dunning.level", required=True, ondelete="restrict")
    move_id = fields.Many2one(
        "account.move", string="Invoice", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="action_id.company_id", store=True)
    partner_id = fields.Many2one(related="action_id.partner_id")
    currency_id = fields.Many2one(
        "res.currency", string="Invoice currency", readonly=True
    )
    date_maturity = fields.Date(string="Due date", readonly=True)
    days_late = fields.Integer(readonly=True)
    amount_residual = fields.Monetary(
        string="Amount due", currency_field="company_currency_id", readonly=True
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id")

    _sql_constraints = [
        (
            "move_line_level_unique",
            "UNIQUE (move_line_id, level_id)",
            "A follow-up level is applied only once to an installment.",
        )
    ]
