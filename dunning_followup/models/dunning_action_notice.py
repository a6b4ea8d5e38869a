# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import uuid
from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.tools.misc import format_date

from ..tools.levels import days_late


class DunningAction(models.Model):
    """What a notice shows: its open items, as display-ready rows, and its
    total, for the e-mail templates and the reports."""

    _inherit = "dunning.action"

    open_item_ids = fields.Many2many(
        "account.move.line",
        compute="_compute_open_item_ids",
        string="Open items",
        help="Every open receivable installment of the customer in the "
        "notice's company, oldest due first: what the notice lists.",
    )

    @api.depends("partner_id", "company_id")
    def _compute_open_item_ids(self):
        """One query for every action computed together (the ORM computes a
        non-stored field for the whole prefetched batch: the notices of a
        batch, or the records a report or a template is rendered for); each
        notice reads them two or three times (the letter, the e-mail, their
        totals).  :meth:`_execute` recomputes them once its first pass has
        added what the notices list."""
        keys = {(a.partner_id.id, a.company_id.id) for a in self}
        lines = (
            self.env["account.move.line"]
            .sudo()
            .search_fetch(
                self.env["res.partner"]._dunning_open_items_domain(
                    {partner for partner, _company in keys},
                    {company for _partner, company in keys},
                ),
                ["move_id", "company_id"],
                order="date_maturity, id",
            )
        )
        by_customer = defaultdict(list)
        for line in lines:
            key = (line.move_id.commercial_partner_id.id, line.company_id.id)
            by_customer[key].append(line.id)
        for action in self:
            key = (action.partner_id.id, action.company_id.id)
            action.open_item_ids = [Command.set(by_customer.get(key, []))]

    def _get_open_items(self):
        """Every open receivable line of the customer, oldest first: the notice
        lists them all, not only the ones that reached the level today."""
        self.ensure_one()
        return self.sudo().open_item_ids

    def _days_late(self, line):
        return days_late(line.date_maturity, self.date) if line.date_maturity else 0

    def _ensure_access_tokens(self):
        """Give every open invoice of these notices its portal token in one
        statement: the notices link each invoice to the portal, and
        ``get_portal_url`` would otherwise write the token invoice by
        invoice through ``account.move.write`` (which resynchronises the
        invoice's lines, most of the cost of a notice: see
        tests/benchmarks/README.md)."""
        moves = self.sudo().open_item_ids.move_id.filtered(lambda m: not m.access_token)
        if not moves:
            return
        self.env.cr.execute(
            """
            UPDATE account_move move SET access_token = r.token
              FROM unnest(%s::int[], %s::varchar[]) AS r(id, token)
             WHERE move.id = r.id AND move.access_token IS NULL
            """,
            [moves.ids, [str(uuid.uuid4()) for _move in moves]],
        )
        moves.invalidate_recordset(["access_token"])

    def _get_notice_items(self):
        """Open items as display-ready values, for templates and reports, in
        the company's currency (as the notice's total); a row of an invoice
        in another currency also has ``amount_in_invoice_currency``."""
        self.ensure_one()
        lang_env = self.with_context(lang=self.partner_id.lang or self.env.lang).env
        monetary = lang_env["ir.qweb.field.monetary"]
        items = []
        base_url = self.get_base_url()
        currency = self.currency_id
        for line in self._get_open_items():
            move = line.move_id
            # the company's currency, as the total (_get_total_due), the
            # statement and the customer's figures; the invoice's own
            # currency is said next to it when it differs
            amount = line.amount_residual
            own = False
            if line.currency_id and line.currency_id != currency:
                own = monetary.value_to_html(
                    line.amount_residual_currency,
                    {"display_currency": line.currency_id},
                )
            items.append(
                {
                    "line": line,
                    "name": move.name,
                    "invoice_date": format_date(lang_env, move.invoice_date),
                    "date_maturity": format_date(lang_env, line.date_maturity),
                    "days_late": max(self._days_late(line), 0),
                    "amount": monetary.value_to_html(
                        amount, {"display_currency": currency}
                    ),
                    "amount_raw": amount,
                    "currency": currency,
                    "amount_in_invoice_currency": own,
                    "url": base_url + move.get_portal_url(),
                }
            )
        return items

    def _get_notice_total(self):
        """The formatted total of the notice: :meth:`_get_total_due` in the
        company's currency, the currency of every row."""
        self.ensure_one()
        total = self._get_total_due()
        return self.env["ir.qweb.field.monetary"].value_to_html(
            total, {"display_currency": self.currency_id}
        )
