# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict
from datetime import date, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_amount, format_date, formatLang

from ..tools import fees, interest

CHARGE_KINDS = [
    ("fee", "Late payment fee"),
    ("compensation", "Recovery cost compensation"),
    ("interest", "Late payment interest"),
]
#: xmlids of the service product invoiced for each kind of charge
CHARGE_PRODUCTS = {
    "fee": "dunning_escalation.product_late_fee",
    "compensation": "dunning_escalation.product_recovery_compensation",
    "interest": "dunning_escalation.product_late_interest",
}


class DunningCharge(models.Model):
    """The ledger of fees and interest charged for late invoices.

    One row per charge, in the currency of the late invoice.  The database
    refuses a second fee for the same (invoice, level), a second recovery
    compensation for the same invoice and two interest charges ending on the
    same day for the same invoice: reruns, retries and crashes cannot charge
    twice.  A charge is *pending* until it is on a late-fee invoice, *on a
    draft invoice* while that invoice is not posted, and *invoiced* once it
    is: the notices, the statement and this ledger say the same.  When an
    unposted late-fee invoice is cancelled or deleted its charges are pending
    again and go on the customer's next late-fee invoice.  *Waived* charges
    are never invoiced, and never charged again.
    """

    _name = "dunning.charge"
    _description = "Late payment charge"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Description", required=True, readonly=True)
    kind = fields.Selection(CHARGE_KINDS, required=True, readonly=True, index=True)
    action_id = fields.Many2one(
        "dunning.action",
        string="Notice",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    date = fields.Date(related="action_id.date", store=True)
    level_id = fields.Many2one(
        "dunning.level",
        required=True,
        readonly=True,
        ondelete="restrict",
        check_company=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    move_id = fields.Many2one(
        "account.move",
        string="Late invoice",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    amount = fields.Monetary(currency_field="currency_id", readonly=True)
    date_from = fields.Date(string="Interest from", readonly=True)
    date_to = fields.Date(string="Interest to", readonly=True)
    detail = fields.Text(readonly=True, help="How the amount was computed.")
    fee_move_id = fields.Many2one(
        "account.move",
        string="Late-fee invoice",
        readonly=True,
        check_company=True,
        index="btree_not_null",
        ondelete="set null",
        copy=False,
    )
    waived = fields.Boolean(readonly=True, copy=False)
    state = fields.Selection(
        [
            ("pending", "To invoice"),
            ("draft", "On a draft invoice"),
            ("invoiced", "Invoiced"),
            ("waived", "Waived"),
        ],
        compute="_compute_state",
        store=True,
        index=True,
    )

    _sql_constraints = [
        (
            "amount_positive",
            "CHECK (amount > 0)",
            "A late payment charge must be greater than zero.",
        ),
    ]

    def init(self):
        res = super().init()
        cr = self.env.cr
        # The once-only keys; partial unique indexes, one per kind.
        cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS dunning_charge_fee_once
                ON dunning_charge (move_id, level_id) WHERE kind = 'fee';
            CREATE UNIQUE INDEX IF NOT EXISTS dunning_charge_compensation_once
                ON dunning_charge (move_id) WHERE kind = 'compensation';
            CREATE UNIQUE INDEX IF NOT EXISTS dunning_charge_interest_once
                ON dunning_charge (move_id, date_to) WHERE kind = 'interest';
            """
        )
        return res

    # Not on fee_move_id.state: that would make every invoice posted or
    # cancelled look for charges; posting a late-fee invoice or resetting it
    # to draft recomputes its charges (account.move._post, button_draft),
    # cancelling it unlinks them (button_cancel).
    @api.depends("waived", "fee_move_id")
    def _compute_state(self):
        for charge in self:
            if charge.waived:
                charge.state = "waived"
            elif charge.fee_move_id.state == "posted":
                charge.state = "invoiced"
            elif charge.fee_move_id:
                charge.state = "draft"
            else:
                charge.state = "pending"

    def action_waive(self):
        """Never invoice these charges (a goodwill gesture): they stay in the
        ledger, so they are not charged again either."""
        if self.filtered(lambda c: c.state in ("draft", "invoiced")):
            raise UserError(
                self.env._(
                    "Only charges to invoice can be waived; for invoiced ones, "
                    "cancel the draft late-fee invoice or issue a credit note."
                )
            )
        self.write({"waived": True})
        for charge in self:
            charge.partner_id.sudo().message_post(
                body=self.env._(
                    "Late payment charge waived: %(charge)s (%(amount)s).",
                    charge=charge.name,
                    amount=format_amount(self.env, charge.amount, charge.currency_id),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _get_product(self):
        """Extension hook: the service product this charge is invoiced
        with; raises a UserError naming the kind when it is missing."""
        self.ensure_one()
        product = self.env.ref(CHARGE_PRODUCTS[self.kind], raise_if_not_found=False)
        if not product:
            raise UserError(
                self.env._(
                    "The product for %(kind)s charges is missing; update the "
                    "Dunning Escalation module to create it again.",
                    kind=dict(CHARGE_KINDS)[self.kind],
                )
            )
        return product

    # -- what a notice charges -------------------------------------------------
    # The charge rules live with the ledger they fill; the notice
    # (dunning.action._create_charges) asks for them before it is rendered.

    @api.model
    def _create_for_action(self, action):
        """Charge each invoice of the notice ``action`` for the levels its
        installments reached: each level's fee once, the recovery
        compensation once per invoice, and the interest accrued since its
        last interest charge.  Returns the charges created."""
        moves = action._get_chargeable_moves()
        if not moves:
            return self.browse()
        vals_list = self._prepare_action_charges_vals(action, moves)
        # an amount that rounds to nothing is no charge
        charges = self.create([vals for vals in vals_list if vals["amount"] > 0])
        for charge in charges.filtered(lambda c: c.kind == "interest"):
            # remembered on the invoice: the next charge starts the day after
            charge.move_id.sudo().dunning_interest_until = charge.date_to
        return charges

    @api.model
    def _get_charged(self, moves):
        """What the ledger holds for ``moves``: the (invoice, level) pairs
        with a fee, the invoices with a compensation, and the interest
        charged per invoice."""
        existing = self.search_read(
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
        return fee_done, compensation_done, interest_total

    @api.model
    def _prepare_action_charges_vals(self, action, moves):
        """Values of the charges ``action`` owes for ``moves``, amounts that
        round to nothing included (the caller drops them)."""
        policy = action.policy_id
        consumer = policy._is_consumer(action.partner_id)
        fee_done, compensation_done, interest_total = self._get_charged(moves)
        levels_by_move = defaultdict(lambda: self.env["dunning.level"])
        for item in action.line_ids:
            levels_by_move[item.move_id.id] |= item.level_id
        rate_table = None
        if policy.interest_type == "reference" and any(
            action.line_ids.level_id.mapped("charge_interest")
        ):
            # read once for all the invoices of the notice
            rate_table = self.env["dunning.reference.rate"]._get_table(
                policy.interest_rate_code
            )
        overdue_domain = [
            *self.env["account.move.line"]._dunning_open_installment_domain(),
            ("date_maturity", "<", action.date),
        ]
        vals_list = []
        for move in moves:
            levels = levels_by_move[move.id].sorted(lambda lvl: (lvl.days, lvl.id))
            overdue = sum(
                move.line_ids.filtered_domain(overdue_domain).mapped("amount_residual")
            )
            base = {
                "action_id": action.id,
                "partner_id": action.partner_id.id,
                "company_id": action.company_id.id,
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
                vals_list.append(
                    dict(base, **self._prepare_fee_vals(action, move, level, overdue))
                )
            if move.id not in compensation_done and (
                policy.compensation_consumers or not consumer
            ):
                vals = self._prepare_compensation_vals(action, move, levels)
                if vals:
                    vals_list.append(dict(base, **vals))
            level = levels.filtered("charge_interest")[-1:]
            if (
                level
                and policy.interest_type != "none"
                and (policy.interest_consumers or not consumer)
            ):
                vals = self._prepare_interest_vals(
                    action, move, consumer, interest_total[move.id], rate_table
                )
                if vals:
                    vals_list.append(dict(base, level_id=level.id, **vals))
        return vals_list

    @api.model
    def _prepare_fee_vals(self, action, move, level, overdue):
        """The fee of ``level`` on ``move`` with ``overdue`` (company
        currency), in the invoice's currency."""
        digits = action.company_id.currency_id.decimal_places
        fee = level._get_fee(overdue, digits)
        return {
            "kind": "fee",
            "level_id": level.id,
            "amount": self._to_move_currency(action, fee, move),
            "name": self.env._(
                "Late payment fee, %(level)s: %(invoice)s",
                level=level.name,
                invoice=move.name,
            ),
        }

    @api.model
    def _prepare_compensation_vals(self, action, move, levels):
        """The recovery compensation of ``move``, due once the invoice
        reaches the compensation's level, even when it jumps past it (the
        ``levels`` its installments reached); None when none is due."""
        top_days = max(levels.mapped("days"), default=0)
        level = action.policy_id.level_ids.filtered(
            lambda lvl: lvl.compensation_type != "none" and lvl.days <= top_days
        ).sorted(lambda lvl: (lvl.days, lvl.id))[:1]
        if not level:
            return None
        return {
            "kind": "compensation",
            "level_id": level.id,
            "amount": self._get_compensation_amount(action, move, level),
            "name": self.env._(
                "Recovery cost compensation: %(invoice)s", invoice=move.name
            ),
        }

    @api.model
    def _to_move_currency(self, action, amount, move):
        """An amount of the company currency in the invoice's currency."""
        company_currency = action.company_id.currency_id
        amount = float(amount)
        if move.currency_id == company_currency:
            return amount
        return company_currency._convert(
            amount, move.currency_id, action.company_id, action.date
        )

    @api.model
    def _get_compensation_amount(self, action, move, level):
        """The compensation ``level`` sets for ``move``, invoice currency."""
        if level.compensation_type == "per_invoice":
            return self._to_move_currency(action, level.compensation_amount, move)
        # UK: the fixed sum depends on the debt, in GBP
        gbp = self.env.ref("base.GBP")
        company, company_currency = action.company_id, action.company_id.currency_id
        debt = abs(move.amount_total_signed)
        if company_currency != gbp:
            debt = company_currency._convert(debt, gbp, company, action.date)
        amount = float(fees.uk_fixed_compensation(debt, gbp.decimal_places))
        if move.currency_id == gbp:
            return amount
        return gbp._convert(amount, move.currency_id, company, action.date)

    @api.model
    def _prepare_interest_vals(self, action, move, consumer, charged, rate_table=None):
        """The interest accrued on ``move`` since its last interest charge,
        as charge values (without the level), or None."""
        policy = action.policy_id
        date_from = (
            move.dunning_interest_until + timedelta(days=1)
            if move.dunning_interest_until
            else date.min
        )
        if date_from > action.date:
            return None
        params = policy._get_interest_params(move, consumer, rate_table)
        remaining = None
        if policy.interest_max_total:
            remaining = max(
                self._to_move_currency(action, policy.interest_max_total, move)
                - charged,
                0.0,
            )
        total, lines, start = 0.0, [], None
        terms = move.line_ids.filtered(
            lambda line: line.display_type == "payment_term" and line.date_maturity
        )
        for term in terms.sorted("date_maturity"):
            result = self._compute_term_interest(
                action, move, term, date_from, remaining, params
            )
            if not result.amount:
                continue
            total += float(result.amount)
            if remaining is not None:
                remaining = max(remaining - float(result.amount), 0.0)
            start = min(start, result.start) if start else result.start
            lines += self._get_interest_detail(result, move)
        total = move.currency_id.round(total)
        if total <= 0:
            return None
        return {
            "kind": "interest",
            "amount": total,
            "date_from": start,
            "date_to": action.date,
            "detail": "\n".join(lines),
            "name": self.env._(
                "Late payment interest on %(invoice)s, %(start)s to %(end)s",
                invoice=move.name,
                start=format_date(self.env, start),
                end=format_date(self.env, action.date),
            ),
        }

    @api.model
    def _compute_term_interest(self, action, move, term, date_from, remaining, params):
        """:func:`..tools.interest.compute_interest` for one installment;
        a clear error naming the invoice and the policy when the rates
        cannot answer."""
        try:
            return interest.compute_interest(
                principal_changes=term._dunning_get_principal_changes(),
                due_date=term.date_maturity,
                date_from=date_from,
                date_to=action.date,
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
                    policy=action.policy_id.name,
                )
            ) from None

    @api.model
    def _get_interest_detail(self, result, move):
        """How the interest of one installment was computed, a line a period."""
        currency = move.currency_id
        return [
            self.env._(
                "%(principal)s from %(start)s to %(end)s (%(days)s days) at "
                "%(rate)s %%: %(amount)s",
                principal=format_amount(self.env, float(line.principal), currency),
                start=format_date(self.env, line.start),
                end=format_date(self.env, line.end),
                days=line.days,
                rate=formatLang(self.env, float(line.annual_rate), digits=2),
                amount=format_amount(self.env, float(line.rounded_amount), currency),
            )
            for line in result.lines
        ]
