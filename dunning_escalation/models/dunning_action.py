# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from markupsafe import Markup

from odoo import Command, fields, models

from .dunning_charge import CHARGE_KINDS


class DunningAction(models.Model):
    _inherit = "dunning.action"

    charge_ids = fields.One2many(
        "dunning.charge", "action_id", string="Charges", readonly=True
    )
    fee_move_ids = fields.One2many(
        "account.move", "dunning_action_id", string="Late-fee invoices", readonly=True
    )

    # -- charging -------------------------------------------------------------

    def _batch_facts(self):
        """Which customers of the batch have charges to invoice
        (``pending_charges``: a set of (customer id, company id)), read once
        for the batch instead of once per notice."""
        facts = super()._batch_facts()
        groups = (
            self.env["dunning.charge"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", self.partner_id.ids),
                    ("company_id", "in", self.company_id.ids),
                    ("state", "=", "pending"),
                ],
                ["partner_id", "company_id"],
            )
        )
        facts["pending_charges"] = {(p.id, c.id) for p, c in groups}
        return facts

    def _absorb(self, others, channels_from):
        """The charges of the notices superseded come along; a draft late-fee
        invoice of theirs is dropped, its charges going on the one invoice
        of the notice kept (posted ones are invoices already: they follow)."""
        drafts = others.fee_move_ids.filtered(lambda m: m.state == "draft")
        drafts.sudo().unlink()
        others.charge_ids.sudo().write({"action_id": self.id})
        others.fee_move_ids.sudo().write({"dunning_action_id": self.id})
        return super()._absorb(others, channels_from)

    def _before_channels(self, facts=None):
        """Charge the fees and interest of the level, then invoice what the
        customer has pending, before the notice that lists them is rendered.
        Idempotent: the ledger's keys make a retry find what is done."""
        res = super()._before_channels(facts)
        charges = self._create_charges() if self._has_charges() else None
        pending = (facts or {}).get("pending_charges")
        if (
            charges
            or pending is None
            or (self.partner_id.id, self.company_id.id) in pending
        ):
            self._invoice_pending_charges()
        return res

    def _get_chargeable_moves(self):
        """Extension hook: the invoices of the notice that bear charges
        (posted customer invoices, late-fee invoices only when the policy
        says so), an ``account.move`` recordset."""
        moves = self.line_ids.move_id.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted"
        )
        if not self.policy_id.charge_fee_invoices:
            moves = moves.filtered(lambda m: not m.dunning_is_late_fee)
        return moves

    def _has_charges(self):
        """Whether a level reached by this notice charges anything."""
        self.ensure_one()
        return any(level._has_charges() for level in self.line_ids.level_id)

    def _create_charges(self):
        """Charge each invoice of the notice for the levels its installments
        reached (the rules: ``dunning.charge._create_for_action``)."""
        self.ensure_one()
        return self.env["dunning.charge"].sudo()._create_for_action(self)

    def _invoice_pending_charges(self):
        """Put the customer's charges to invoice on late-fee invoices linked
        to this notice: one per currency, draft or posted as the policy says."""
        self.ensure_one()
        pending = (
            self.env["dunning.charge"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self.partner_id.id),
                    ("company_id", "=", self.company_id.id),
                    ("state", "=", "pending"),
                ],
                order="id",
            )
        )
        if not pending:
            return self.env["account.move"]
        by_currency = defaultdict(lambda: self.env["dunning.charge"].sudo())
        for charge in pending:
            by_currency[charge.currency_id] |= charge
        Move = (
            self.env["account.move"]
            .sudo()
            .with_company(self.company_id)
            .with_context(default_move_type="out_invoice")
        )
        moves = Move.browse()
        for currency, charges in by_currency.items():
            move = Move.create(self._prepare_fee_move_vals(currency, charges))
            charges.write({"fee_move_id": move.id})
            moves |= move
        if self.policy_id.fee_move_state == "posted":
            moves.action_post()
        for move in moves:
            move._message_log(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "Late payment charges of notice %(notice)s.", notice=self.name
                )
            )
        return moves

    def _prepare_fee_move_vals(self, currency, charges):
        """Extension hook: the values of the late-fee invoice of ``charges``
        (all in ``currency``), for ``account.move.create``; each line must
        keep its ``dunning_charge_id``."""
        lines = []
        for charge in charges:
            product = charge._get_product()
            lines.append(
                Command.create(
                    {
                        "product_id": product.id,
                        "name": charge.name,
                        "quantity": 1,
                        "price_unit": charge.amount,
                        "dunning_charge_id": charge.id,
                    }
                )
            )
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": currency.id,
            "invoice_date": self.date,
            "invoice_origin": self.name,
            "dunning_action_id": self.id,
            "dunning_is_late_fee": True,
            "invoice_line_ids": lines,
        }

    # -- what the notice shows ------------------------------------------------

    def _get_open_items(self):
        """The notice's own late-fee invoices are listed as charges, not as
        open items."""
        items = super()._get_open_items()
        return items.filtered(lambda line: line.move_id.dunning_action_id != self)

    def _get_notice_fee_moves(self):
        """The late-fee invoices the notice lists (not cancelled)."""
        return self.fee_move_ids.filtered(lambda m: m.state != "cancel")

    def _get_notice_charges(self):
        """The lines of the notice's late-fee invoices, and their taxes."""
        charges = super()._get_notice_charges()
        lang_env = self.with_context(lang=self.partner_id.lang or self.env.lang).env
        monetary = lang_env["ir.qweb.field.monetary"]
        kinds = dict(CHARGE_KINDS)
        for move in self._get_notice_fee_moves():
            # one truth with the statement and the ledger: charges are
            # invoiced when their invoice is posted, and only then in the total
            todo = move.state != "posted"
            for line in move.invoice_line_ids:
                charge = line.dunning_charge_id
                label = charge.name if charge else line.name
                if todo:
                    label = lang_env._("%(charge)s (not yet invoiced)", charge=label)
                charges.append(
                    {
                        "label": label,
                        "invoiced": not todo,
                        "kind": kinds.get(charge.kind, "") if charge else "",
                        "amount": monetary.value_to_html(
                            line.price_subtotal, {"display_currency": move.currency_id}
                        ),
                        "amount_raw": line.price_subtotal,
                    }
                )
            if move.amount_tax:
                label = lang_env._("Taxes on the charges")
                if todo:
                    label = lang_env._("%(charge)s (not yet invoiced)", charge=label)
                charges.append(
                    {
                        "label": label,
                        "invoiced": not todo,
                        "kind": "",
                        "amount": monetary.value_to_html(
                            move.amount_tax, {"display_currency": move.currency_id}
                        ),
                        "amount_raw": move.amount_tax,
                    }
                )
        return charges

    def _get_total_due(self):
        """The open items and the notice's late-fee invoices, company
        currency."""
        total = super()._get_total_due()
        return total + sum(
            abs(move.amount_total_signed)
            for move in self._get_notice_fee_moves()
            if move.state == "posted"
        )
