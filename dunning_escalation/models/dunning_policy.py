# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class DunningPolicy(models.Model):
    _inherit = "dunning.policy"

    hold_on_broken_promise = fields.Boolean(
        string="Hold on broken promise",
        help="A customer who breaks a promise to pay is put on credit hold at "
        "once, until its overdue items are paid.",
    )
