# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    dunning_hold_amount = fields.Monetary(
        related="company_id.dunning_hold_amount", readonly=False
    )
    dunning_hold_days = fields.Integer(
        related="company_id.dunning_hold_days", readonly=False
    )
    dunning_hold_all_companies = fields.Boolean(
        related="company_id.dunning_hold_all_companies", readonly=False
    )
    dunning_hold_prepayment = fields.Boolean(
        related="company_id.dunning_hold_prepayment", readonly=False
    )
    dunning_hold_notify_salesperson = fields.Boolean(
        related="company_id.dunning_hold_notify_salesperson", readonly=False
    )
    dunning_hold_credit_limit = fields.Boolean(
        related="company_id.dunning_hold_credit_limit", readonly=False
    )
