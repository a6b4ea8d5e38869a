# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

#: exclusion reasons this addon owns: an invoice excluded for one of them is
#: governed by its batch line (see dunning.agency._get_eligible_domain)
OWN_REASONS = ("agency", "written_off")
EXCLUSION_FIELDS = [
    "dunning_excluded",
    "dunning_exclusion_reason",
    "dunning_excluded_until",
]


def _clear_exclusion(moves):
    moves.write({"dunning_excluded": False, "dunning_exclusion_reason": False})


class AccountMove(models.Model):
    _inherit = "account.move"

    dunning_exclusion_reason = fields.Selection(
        selection_add=[("agency", "With an agency"), ("written_off", "Written off")],
        ondelete={"agency": _clear_exclusion, "written_off": _clear_exclusion},
    )
    # batch lines are read by follow-up users, not by every invoicing user
    dunning_export_line_ids = fields.One2many(
        "dunning.export.line",
        "move_id",
        string="Agency batch lines",
        readonly=True,
        groups="dunning_followup.group_dunning_user",
    )

    def _dunning_set_exclusion(self, excluded, reason, until=False):
        """Set the follow-up exclusion of these invoices in one UPDATE.

        ``account.move.write`` resynchronises the tax and payment-term lines
        of every invoice written (queries per invoice), for three plain
        columns that no computed field depends on: a batch of thousands of
        invoices would pay that for nothing."""
        if not self:
            return
        self.check_access("write")
        self.flush_recordset(EXCLUSION_FIELDS)
        self.env.cr.execute(
            SQL(
                """
                UPDATE account_move
                   SET dunning_excluded = %(excluded)s,
                       dunning_exclusion_reason = %(reason)s,
                       dunning_excluded_until = %(until)s,
                       write_uid = %(uid)s,
                       write_date = NOW() AT TIME ZONE 'UTC'
                 WHERE id = ANY(%(ids)s)
                """,
                excluded=bool(excluded),
                reason=reason or None,
                until=until or None,
                uid=self.env.uid,
                ids=self.ids,
            )
        )
        self.invalidate_recordset([*EXCLUSION_FIELDS, "write_uid", "write_date"])
        self._dunning_refresh_partners()

    def _dunning_open_receivables(self):
        return self.line_ids.filtered(
            lambda line: line.display_type == "payment_term"
            and not line.reconciled
            and line.account_id.reconcile
        )

    def _dunning_settle(self, journal, date, ref, credits, debits):
        """Post one entry on ``journal`` that credits the receivable of each
        invoice of ``credits`` (``{invoice: (amount in invoice currency,
        amount in company currency)}``) and reconcile it with the invoice;
        the debit side is ``debits``, ``[(account, balance, partner, label)]``
        in company currency.  Used for recoveries, write-offs and the sale
        of receivables to a factor."""
        company = journal.company_id
        lines = []
        for move, (amount_currency, balance) in credits.items():
            receivable = move._dunning_open_receivables()[:1]
            if not receivable:
                raise UserError(
                    self.env._(
                        "Invoice %(move)s has no open receivable to settle.",
                        move=move.display_name,
                    )
                )
            lines.append(
                {
                    "name": ref,
                    "account_id": receivable.account_id.id,
                    "partner_id": move.commercial_partner_id.id,
                    "currency_id": move.currency_id.id,
                    "amount_currency": -amount_currency,
                    "balance": -balance,
                }
            )
        for account, balance, partner, label in debits:
            if company.currency_id.is_zero(balance):
                continue
            lines.append(
                {
                    "name": label,
                    "account_id": account.id,
                    "partner_id": partner.id if partner else False,
                    "currency_id": company.currency_id.id,
                    "amount_currency": balance,
                    "balance": balance,
                }
            )
        entry = self.create(
            {
                "move_type": "entry",
                "journal_id": journal.id,
                "company_id": company.id,
                "date": date,
                "ref": ref,
                "line_ids": [Command.create(vals) for vals in lines],
            }
        )
        entry.action_post()
        # the entry's lines are created in the order given: the credits first
        settled = entry.line_ids.sorted("id")[: len(credits)]
        plan = [
            move._dunning_open_receivables() + line
            for move, line in zip(credits, settled, strict=True)
        ]
        self.env["account.move.line"]._reconcile_plan(plan)
        return entry

    def action_dunning_write_off(self):
        """Open the write-off wizard on these invoices."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Write off"),
            "res_model": "dunning.write.off",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_ids": self.ids},
        }
