# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class DunningLevel(models.Model):
    _inherit = "dunning.level"

    credit_hold = fields.Boolean(
        help="Customers with an open item at this level (or above) are put on "
        "credit hold: their new sales orders are refused.",
    )
