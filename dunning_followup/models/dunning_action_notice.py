# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import uuid
from collections import defaultdict

from odoo import models
from odoo.tools.misc import format_date

from ..tools.levels import days_late
from .dunning_action import OPEN_ITEMS_CACHE


class DunningAction(models.Model):
    """What a notice shows: its open items, as display-ready rows, and its
    total, for the e-mail templates and the reports."""

    _inherit = "dunning.action"

    def _get_open_items(self):
        """Every open receivable line of the customer, oldest first: the notice
        lists them all, not only the ones that reached the level today."""
        self.ensure_one()
        batch = self.env.cr.cache.get(OPEN_ITEMS_CACHE)
        if batch is not None and (self.partner_id.id, self.company_id.id) in batch:
            # prefetched for a batch of notices (see _prefetch_open_items)
            return batch[self.partner_id.id, self.company_id.id]
        return self.partner_id._dunning_open_items(self.company_id)

    def _days_late(self, line):
        return days_late(line.date_maturity, self.date) if line.date_maturity else 0

    def _prefetch_open_items(self):
        """``{(customer id, company id): open items}`` of these actions, read
        in one query for all (each notice lists them two or three times: the
        letter, the e-mail, their totals), and every open invoice given its
        portal token in one statement: the notices link each invoice to the
        portal, and ``get_portal_url`` would otherwise write the token
        invoice by invoice through ``account.move.write`` (which
        resynchronises the invoice's lines, most of the cost of a notice:
        see tests/benchmarks/README.md)."""
        if not self:
            return {}
        lines = (
            self.env["account.move.line"]
            .sudo()
            .search_fetch(
                self.env["res.partner"]._dunning_open_items_domain(
                    self.partner_id.ids, self.company_id.ids
                ),
                ["move_id", "company_id"],
                order="date_maturity, id",
            )
        )
        by_customer = defaultdict(list)
        for line in lines:
            key = (line.move_id.commercial_partner_id.id, line.company_id.id)
            by_customer[key].append(line.id)
        Line = lines.browse()
        batch = {
            (action.partner_id.id, action.company_id.id): Line.browse(
                by_customer.get((action.partner_id.id, action.company_id.id), [])
            ).with_prefetch(lines._prefetch_ids)
            for action in self
        }
        moves = lines.move_id.filtered(lambda m: not m.access_token)
        if not moves:
            return batch
        self.env.cr.execute(
            """
            UPDATE account_move move SET access_token = r.token
              FROM unnest(%s::int[], %s::varchar[]) AS r(id, token)
             WHERE move.id = r.id AND move.access_token IS NULL
            """,
            [moves.ids, [str(uuid.uuid4()) for _move in moves]],
        )
        moves.invalidate_recordset(["access_token"])
        return batch

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
