# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_amount

from odoo.addons.dunning_followup.models.account_move_line import (
    DUNNING_MOVE_TYPES,
    DUNNING_PAYMENT_STATES,
)


class DunningWriteOff(models.TransientModel):
    """Write off what is not worth chasing: open invoices an agency returned
    as uncollectable, or whose open amount is under the company's threshold.

    Opened on invoices, on a customer (its open invoices) or on batch lines."""

    _name = "dunning.write.off"
    _description = "Write off uncollectable invoices"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    move_ids = fields.Many2many(
        "account.move", string="Invoices", required=True, check_company=True
    )
    reason = fields.Text(required=True)
    account_id = fields.Many2one(
        "account.account",
        string="Expense account",
        required=True,
        check_company=True,
        compute="_compute_accounts",
        store=True,
        readonly=False,
        precompute=True,
    )
    journal_id = fields.Many2one(
        "account.journal",
        required=True,
        check_company=True,
        compute="_compute_accounts",
        store=True,
        readonly=False,
        precompute=True,
        domain="[('type', '=', 'general')]",
    )
    date = fields.Date(required=True, default=fields.Date.context_today)

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        model = self.env.context.get("active_model")
        ids = self.env.context.get("active_ids") or []
        moves = self.env["account.move"]
        if model == "account.move":
            moves = moves.browse(ids)
        elif model == "res.partner":
            partners = self.env["res.partner"].browse(ids).commercial_partner_id
            moves = moves.search(
                [
                    *moves._dunning_open_invoice_domain(self.env.company.id),
                    ("commercial_partner_id", "in", partners.ids),
                ]
            )
        elif model == "dunning.export.line":
            moves = self.env["dunning.export.line"].browse(ids).move_id
        if moves and "move_ids" in fields_list:
            res["move_ids"] = [(6, 0, moves.ids)]
        return res

    @api.depends("company_id")
    def _compute_accounts(self):
        for wizard in self:
            company = wizard.company_id
            wizard.account_id = company.dunning_write_off_account_id
            wizard.journal_id = company.dunning_write_off_journal_id or self.env[
                "account.journal"
            ].search(
                [("type", "=", "general"), ("company_id", "=", company.id)], limit=1
            )

    def _check_moves(self):
        """Only open invoices of the company, returned by an agency or under
        the threshold; every other one is named."""
        company = self.company_id
        threshold = company.dunning_write_off_threshold
        returned = (
            self.env["dunning.export.line"]
            .search([("move_id", "in", self.move_ids.ids), ("state", "=", "returned")])
            .move_id
        )
        problems = []
        for move in self.move_ids:
            if move.company_id != company or move.move_type not in DUNNING_MOVE_TYPES:
                problems.append(
                    self.env._(
                        "%(move)s is not an invoice of %(company)s",
                        move=move.display_name,
                        company=company.name,
                    )
                )
            elif (
                move.state != "posted"
                or move.payment_state not in DUNNING_PAYMENT_STATES
            ):
                problems.append(
                    self.env._("%(move)s has nothing open", move=move.display_name)
                )
            elif (
                move not in returned
                and company.currency_id.compare_amounts(
                    move.amount_residual_signed, threshold
                )
                > 0
            ):
                problems.append(
                    self.env._(
                        "%(move)s: %(amount)s open is above the threshold of "
                        "%(threshold)s and no agency returned it",
                        move=move.display_name,
                        amount=format_amount(
                            self.env, move.amount_residual_signed, company.currency_id
                        ),
                        threshold=format_amount(
                            self.env, threshold, company.currency_id
                        ),
                    )
                )
        if problems:
            raise UserError(
                self.env._(
                    "Nothing was written off:\n%(problems)s",
                    problems="\n".join(problems),
                )
            )

    def action_write_off(self):
        """One write-off entry per invoice on the expense account, reconciled
        with it; the invoice leaves the ladder and any draft batch, the reason
        goes to the chatter of the invoice and of the customer."""
        self.ensure_one()
        self._check_moves()
        label = self.env._("Write-off: %(reason)s", reason=self.reason)
        for move in self.move_ids:
            amount = move.amount_residual_signed
            entry = self.env["account.move"]._dunning_settle(
                self.journal_id,
                self.date,
                f"{label} ({move.name})",
                {move: (move.amount_residual, move.amount_residual_signed)},
                [
                    (
                        self.account_id,
                        move.amount_residual_signed,
                        move.commercial_partner_id,
                        label,
                    )
                ],
            )
            body = self.env._(
                "Written off (%(amount)s): %(reason)s. Entry %(entry)s.",
                amount=format_amount(self.env, amount, self.company_id.currency_id),
                reason=self.reason,
                entry=entry._get_html_link(),
            )
            move.message_post(body=body)
            move.commercial_partner_id.sudo().message_post(
                body=self.env._(
                    "Invoice %(move)s written off: %(reason)s",
                    move=move._get_html_link(),
                    reason=self.reason,
                )
            )
        self.move_ids._dunning_set_exclusion(True, "written_off")
        self.env["dunning.export.line"].search(
            [("move_id", "in", self.move_ids.ids), ("batch_id.state", "=", "draft")]
        ).unlink()
        return {"type": "ir.actions.act_window_close"}
