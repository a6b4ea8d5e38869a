# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    dunning_write_off_threshold = fields.Monetary(
        related="company_id.dunning_write_off_threshold", readonly=False
    )
    dunning_write_off_account_id = fields.Many2one(
        related="company_id.dunning_write_off_account_id", readonly=False
    )
    dunning_write_off_journal_id = fields.Many2one(
        related="company_id.dunning_write_off_journal_id", readonly=False
    )
