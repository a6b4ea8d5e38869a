# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_batch_size = fields.Integer(
        string="Follow-up batch size",
        default=500,
        help="Customers processed per transaction by the daily follow-up run.",
    )
