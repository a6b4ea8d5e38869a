# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
from collections import defaultdict

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_amount

from ..tools.answers import AnswerError, parse_answers


class DunningExportImport(models.TransientModel):
    """Read the agency's answer file into the batch, all or nothing."""

    _name = "dunning.export.import"
    _description = "Import an agency's answer"

    batch_id = fields.Many2one("dunning.export.batch", required=True)
    file = fields.Binary(required=True)
    filename = fields.Char()
    register_payments = fields.Boolean(
        default=True,
        help="Book what the agency recovered: a payment of the invoice, the "
        "commission as an expense.",
    )

    def action_import(self):
        self.ensure_one()
        batch = self.batch_id
        batch._check_state("exported", "accepted")
        lines = batch.line_ids
        by_name = {line.move_id.name: line for line in lines}
        try:
            answers = parse_answers(base64.b64decode(self.file), set(by_name))
        except AnswerError as exc:
            raise UserError(
                self.env._(
                    "The answer file %(file)s is refused, nothing was imported:\n"
                    "%(problems)s",
                    file=self.filename or "",
                    problems="\n".join(exc.problems),
                )
            ) from exc
        groups = defaultdict(list)
        for invoice, status, amount in answers:
            groups[status].append((by_name[invoice], amount))
        answered = self.env["dunning.export.line"]
        for status in ("accepted", "rejected", "returned"):
            answered |= self._apply_simple(status, groups[status])
        if groups["recovered"]:
            answered |= self._apply_recovered(groups["recovered"])
        if batch.state == "exported":
            batch.state = "accepted"
        counts = {status: len(items) for status, items in groups.items() if items}
        batch.message_post(
            body=self.env._(
                "Answer %(file)s imported: %(counts)s.",
                file=self.filename or "",
                counts=", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
            )
        )
        return {"type": "ir.actions.act_window_close"}

    def _apply_simple(self, status, items):
        lines = self.env["dunning.export.line"].browse([line.id for line, _a in items])
        if not lines:
            return lines
        if status == "accepted":
            lines.write({"state": "accepted"})
        else:
            why = (
                self.env._(
                    "Rejected by %(agency)s", agency=self.batch_id.agency_id.name
                )
                if status == "rejected"
                else self.env._(
                    "Returned by %(agency)s", agency=self.batch_id.agency_id.name
                )
            )
            lines._give_back(why, state=status)
        return lines

    def _apply_recovered(self, items):
        """Mark the recovered lines; book the recovery less the commission."""
        batch = self.batch_id
        agency = batch.agency_id
        lines = self.env["dunning.export.line"]
        for line, amount in items:
            commission = line.currency_id.round(
                float(amount) * agency.commission_percent / 100
            )
            line.write(
                {
                    "state": "recovered",
                    "amount_recovered": float(amount),
                    "commission": commission,
                }
            )
            lines |= line
            if self.register_payments:
                line.recovery_move_id = self._book_recovery(
                    line, float(amount), commission
                )
            line.move_id.message_post(
                body=self.env._(
                    "%(agency)s recovered %(amount)s (commission %(commission)s).",
                    agency=agency.name,
                    amount=format_amount(self.env, float(amount), line.currency_id),
                    commission=format_amount(self.env, commission, line.currency_id),
                )
            )
        return lines

    def _book_recovery(self, line, amount, commission):
        agency = self.batch_id.agency_id
        if not (agency.journal_id.default_account_id and agency.expense_account_id):
            raise UserError(
                self.env._(
                    "Agency %(agency)s needs a journal with a default account and a "
                    "fee / commission account to book recoveries.",
                    agency=agency.name,
                )
            )
        move = line.move_id
        company = move.company_id
        date = fields.Date.context_today(self)
        residual = move.amount_residual
        if move.currency_id.compare_amounts(amount, residual) > 0:
            raise UserError(
                self.env._(
                    "%(agency)s recovered %(amount)s on %(move)s, which has only "
                    "%(residual)s open.",
                    agency=agency.name,
                    move=move.display_name,
                    amount=format_amount(self.env, amount, move.currency_id),
                    residual=format_amount(self.env, residual, move.currency_id),
                )
            )

        def convert(value):
            return move.currency_id._convert(value, company.currency_id, company, date)

        balance = convert(amount)
        fee = convert(commission)
        label = self.env._(
            "Recovered by %(agency)s: %(move)s", agency=agency.name, move=move.name
        )
        return self.env["account.move"]._dunning_settle(
            agency.journal_id,
            date,
            label,
            {move: (amount, balance)},
            [
                (
                    agency.journal_id.default_account_id,
                    balance - fee,
                    agency.partner_id,
                    label,
                ),
                (agency.expense_account_id, fee, agency.partner_id, label),
            ],
        )
