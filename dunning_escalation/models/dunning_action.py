# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict
from datetime import date, timedelta

from markupsafe import Markup

from odoo import Command, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date

from ..tools import fees, interest
from .dunning_charge import CHARGE_KINDS

#: cr.cache key: (customer, company) pairs of a batch with charges to invoice
PENDING_CACHE = "dunning_pending_charges"


class DunningAction(models.Model):
    _inherit = "dunning.action"

    charge_ids = fields.One2many(
        "dunning.charge", "action_id", string="Charges", readonly=True
    )
    fee_move_ids = fields.One2many(
        "account.move", "dunning_action_id", string="Late-fee invoices", readonly=True
    )

    # -- charging -------------------------------------------------------------

    def _execute(self):
        """Which customers of the batch have charges to invoice, read once
        for the batch instead of once per notice."""
        cache = self.env.cr.cache
        outer = cache.get(PENDING_CACHE)
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
        cache[PENDING_CACHE] = {(p.id, c.id) for p, c in groups}
        try:
            return super()._execute()
        finally:
            if outer is None:
                cache.pop(PENDING_CACHE, None)
            else:
                cache[PENDING_CACHE] = outer

    def _absorb(self, others, channels_from):
        """The charges of the notices superseded come along; a draft late-fee
        invoice of theirs is dropped, its charges going on the one invoice
        of the notice kept (posted ones are invoices already: they follow)."""
        drafts = others.fee_move_ids.filtered(lambda m: m.state == "draft")
        drafts.sudo().unlink()
        others.charge_ids.sudo().write({"action_id": self.id})
        others.fee_move_ids.sudo().write({"dunning_action_id": self.id})
        return super()._absorb(others, channels_from)

    def _before_channels(self):
        """Charge the fees and interest of the level, then invoice what the
        customer has pending, before the notice that lists them is rendered.
        Idempotent: the ledger's keys make a retry find what is done."""
        res = super()._before_channels()
        charges = self._create_charges() if self._has_charges() else None
        pending = self.env.cr.cache.get(PENDING_CACHE)
        if (
            charges
            or pending is None
            or (self.partner_id.id, self.company_id.id) in pending
        ):
            self._invoice_pending_charges()
        return res

    def _get_chargeable_moves(self):
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
        reached: each level's fee once, the recovery compensation once per
        invoice, and the interest accrued since its last interest charge."""
        self.ensure_one()
        policy = self.policy_id
        consumer = policy._is_consumer(self.partner_id)
        moves = self._get_chargeable_moves()
        if not moves:
            return self.env["dunning.charge"]
        Charge = self.env["dunning.charge"].sudo()
        existing = Charge.search_read(
            [("move_id", "in", moves.ids)], ["move_id", "level_id", "kind", "amount"]
        )
        fee_done = {
            (rec["move_id"][0], rec["level_id"][0])
            for rec in existing
            if rec["kind"] == "fee"
        }
        compensation_done = {
            rec["move_id"][0] for rec in existing if rec["kind"] == "compensation"
        }
        interest_total = defaultdict(float)
        for rec in existing:
            if rec["kind"] == "interest":
                interest_total[rec["move_id"][0]] += rec["amount"]
        company_digits = self.company_id.currency_id.decimal_places
        levels_by_move = defaultdict(lambda: self.env["dunning.level"])
        for item in self.line_ids:
            levels_by_move[item.move_id.id] |= item.level_id
        rate_table = None
        if policy.interest_type == "reference" and any(
            self.line_ids.level_id.mapped("charge_interest")
        ):
            # read once for all the invoices of the notice
            rate_table = self.env["dunning.reference.rate"]._get_table(
                policy.interest_rate_code
            )
        vals_list = []
        for move in moves:
            levels = levels_by_move[move.id].sorted(lambda lvl: (lvl.days, lvl.id))
            overdue = sum(
                move.line_ids.filtered(
                    lambda line: line.display_type == "payment_term"
                    and line.date_maturity
                    and line.date_maturity < self.date
                    and not line.reconciled
                ).mapped("amount_residual")
            )
            base = {
                "action_id": self.id,
                "partner_id": self.partner_id.id,
                "company_id": self.company_id.id,
                "move_id": move.id,
                "currency_id": move.currency_id.id,
            }
            for level in levels:
                if (
                    level.fee_type == "none"
                    or (move.id, level.id) in fee_done
                    or overdue <= 0
                ):
                    continue
                fee = level._compute_fee(overdue, company_digits)
                vals_list.append(
                    dict(
                        base,
                        kind="fee",
                        level_id=level.id,
                        amount=self._to_move_currency(fee, move),
                        name=self.env._(
                            "Late payment fee, %(level)s: %(invoice)s",
                            level=level.name,
                            invoice=move.name,
                        ),
                    )
                )
            # due once the invoice reaches the compensation's level, even when
            # it jumps past it
            top_days = max(levels.mapped("days"), default=0)
            level = policy.level_ids.filtered(
                lambda lvl, top=top_days: lvl.compensation_type != "none"
                and lvl.days <= top
            ).sorted(lambda lvl: (lvl.days, lvl.id))[:1]
            if (
                level
                and move.id not in compensation_done
                and (policy.compensation_consumers or not consumer)
            ):
                vals_list.append(
                    dict(
                        base,
                        kind="compensation",
                        level_id=level.id,
                        amount=self._compute_compensation(move, level),
                        name=self.env._(
                            "Recovery cost compensation: %(invoice)s",
                            invoice=move.name,
                        ),
                    )
                )
            level = levels.filtered("charge_interest")[-1:]
            if (
                level
                and policy.interest_type != "none"
                and (policy.interest_consumers or not consumer)
            ):
                vals = self._compute_interest_charge(
                    move, consumer, interest_total[move.id], rate_table
                )
                if vals:
                    vals_list.append(dict(base, level_id=level.id, **vals))
        # an amount that rounds to nothing is no charge
        charges = Charge.create([vals for vals in vals_list if vals["amount"] > 0])
        for charge in charges.filtered(lambda c: c.kind == "interest"):
            # remembered on the invoice: the next charge starts the day after
            charge.move_id.sudo().dunning_interest_until = charge.date_to
        return charges

    def _to_move_currency(self, amount, move):
        """An amount of the company currency in the invoice's currency."""
        company_currency = self.company_id.currency_id
        amount = float(amount)
        if move.currency_id == company_currency:
            return amount
        return company_currency._convert(
            amount, move.currency_id, self.company_id, self.date
        )

    def _compute_compensation(self, move, level):
        if level.compensation_type == "per_invoice":
            return self._to_move_currency(level.compensation_amount, move)
        # UK: the fixed sum depends on the debt, in GBP
        gbp = self.env.ref("base.GBP")
        company_currency = self.company_id.currency_id
        debt = abs(move.amount_total_signed)
        if company_currency != gbp:
            debt = company_currency._convert(debt, gbp, self.company_id, self.date)
        amount = float(fees.uk_fixed_compensation(debt, gbp.decimal_places))
        if move.currency_id == gbp:
            return amount
        return gbp._convert(amount, move.currency_id, self.company_id, self.date)

    def _get_principal_changes(self, line):
        """``[(date, outstanding)]`` of one installment, invoice currency:
        its amount, lowered on the day of each payment reconciled with it."""
        outstanding = line.amount_currency
        changes = {date.min: outstanding}
        partials = line.matched_credit_ids.sorted(lambda p: (p.max_date, p.id))
        for partial in partials:
            outstanding -= partial.debit_amount_currency
            changes[partial.max_date] = max(outstanding, 0.0)
        return sorted(changes.items())

    def _compute_interest_charge(self, move, consumer, charged, rate_table=None):
        """The interest accrued on ``move`` since its last interest charge,
        as charge values, or None."""
        policy = self.policy_id
        date_from = (
            move.dunning_interest_until + timedelta(days=1)
            if move.dunning_interest_until
            else date.min
        )
        if date_from > self.date:
            return None
        params = {
            "day_count": policy.interest_day_count,
            "grace_days": policy.interest_grace_days,
            "max_annual_rate": policy.interest_max_rate or None,
            "digits": move.currency_id.decimal_places,
        }
        if policy.interest_type == "fixed":
            params["fixed_rate"] = policy.interest_rate
        else:
            params.update(
                rate_table=rate_table,
                rate_rule=policy.interest_rate_rule,
                margin=(
                    policy.interest_margin_consumer
                    if consumer
                    else policy.interest_margin
                ),
            )
        remaining = None
        if policy.interest_max_total:
            remaining = max(
                self._to_move_currency(policy.interest_max_total, move) - charged, 0.0
            )
        total, lines, start = 0.0, [], None
        terms = move.line_ids.filtered(
            lambda line: line.display_type == "payment_term" and line.date_maturity
        )
        for term in terms.sorted("date_maturity"):
            try:
                result = interest.compute_interest(
                    principal_changes=self._get_principal_changes(term),
                    due_date=term.date_maturity,
                    date_from=date_from,
                    date_to=self.date,
                    max_total=remaining,
                    **params,
                )
            except ValueError as error:
                raise UserError(
                    self.env._(
                        "Interest on %(invoice)s cannot be computed: %(error)s. "
                        "Check the reference rates of policy %(policy)s.",
                        invoice=move.name,
                        error=error,
                        policy=policy.name,
                    )
                ) from None
            if not result.amount:
                continue
            total += float(result.amount)
            if remaining is not None:
                remaining = max(remaining - float(result.amount), 0.0)
            start = min(start, result.start) if start else result.start
            lines += [
                self.env._(
                    "%(principal)s from %(start)s to %(end)s (%(days)s days) at "
                    "%(rate)s %%: %(amount)s",
                    principal=line.principal,
                    start=line.start.isoformat(),
                    end=line.end.isoformat(),
                    days=line.days,
                    rate=line.annual_rate,
                    amount=line.rounded_amount,
                )
                for line in result.lines
            ]
        total = move.currency_id.round(total)
        if total <= 0:
            return None
        return {
            "kind": "interest",
            "amount": total,
            "date_from": start,
            "date_to": self.date,
            "detail": "\n".join(lines),
            "name": self.env._(
                "Late payment interest on %(invoice)s, %(start)s to %(end)s",
                invoice=move.name,
                start=format_date(self.env, start),
                end=format_date(self.env, self.date),
            ),
        }

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
        return self.fee_move_ids.filtered(lambda m: m.state != "cancel")

    def _get_notice_charges(self):
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
        total = super()._get_total_due()
        return total + sum(
            abs(move.amount_total_signed)
            for move in self._get_notice_fee_moves()
            if move.state == "posted"
        )
