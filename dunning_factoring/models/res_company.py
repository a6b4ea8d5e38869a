# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_write_off_threshold = fields.Monetary(
        string="Not worth chasing under",
        currency_field="currency_id",
        help="Invoices whose open amount (company currency) is at most this "
        "amount may be written off; above it, only invoices an agency returned.",
    )
    dunning_write_off_account_id = fields.Many2one(
        "account.account",
        string="Write-off account",
        check_company=True,
        help="Expense account of the debts written off.",
    )
    dunning_write_off_journal_id = fields.Many2one(
        "account.journal",
        string="Write-off journal",
        check_company=True,
        domain="[('type', '=', 'general')]",
    )
