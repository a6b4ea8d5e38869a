# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

# customers a batch (one transaction) of a run may take, at most
MAX_BATCH_SIZE = 10000


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_batch_size = fields.Integer(
        string="Follow-up batch size",
        default=500,
        help="Customers processed per transaction by the daily follow-up run.",
    )

    @api.constrains("dunning_batch_size")
    def _check_dunning_batch_size(self):
        """A batch of no customer would close every run at once, nothing
        done; a huge one holds its customers' locks for minutes."""
        for company in self:
            if not 1 <= company.dunning_batch_size <= MAX_BATCH_SIZE:
                raise ValidationError(
                    self.env._(
                        "Follow-up batch size must be between 1 and %(max)s "
                        "customers (%(company)s).",
                        max=MAX_BATCH_SIZE,
                        company=company.name,
                    )
                )
