# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class AccountMoveLine(models.Model):
    """Receivable lines are what is late: one per installment of the payment
    term, each with its own ``date_maturity``.  The level is reached per line."""

    _inherit = "account.move.line"

    dunning_level_id = fields.Many2one(
        "dunning.level",
        string="Follow-up level",
        compute="_compute_dunning_level_id",
        search="_search_dunning_level_id",
        help="Highest follow-up level applied to this installment.",
    )
    dunning_date = fields.Date(
        string="Last follow-up",
        readonly=True,
        copy=False,
    )

    @api.depends("move_id.dunning_action_line_ids.level_id")
    def _compute_dunning_level_id(self):
        # kept on the follow-up items, not here: see dunning.action.line
        levels = self.env["dunning.action.line"]._highest_levels(
            "move_line_id", self._origin.ids
        )
        for line in self:
            line.dunning_level_id = levels.get(line._origin.id, False)

    def _search_dunning_level_id(self, operator, value):
        return self.env["dunning.action.line"]._search_highest_level(
            "move_line_id", operator, value
        )
