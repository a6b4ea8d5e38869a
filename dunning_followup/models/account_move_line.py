# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AccountMoveLine(models.Model):
    """Receivable lines are what is late: one per installment of the payment
    term, each with its own ``date_maturity``.  The level is reached per line."""

    _inherit = "account.move.line"

    dunning_level_id = fields.Many2one(
        "dunning.level",
        string="Follow-up level",
        index="btree_not_null",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="Highest follow-up level applied to this installment.",
    )
    dunning_date = fields.Date(
        string="Last follow-up",
        readonly=True,
        copy=False,
    )
