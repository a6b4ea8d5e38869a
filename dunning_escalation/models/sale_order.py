# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.misc import format_amount


class SaleOrder(models.Model):
    _inherit = "sale.order"

    dunning_credit_hold = fields.Boolean(
        string="Customer on credit hold", compute="_compute_dunning_credit_hold"
    )
    dunning_hold_message = fields.Text(
        string="Credit hold", compute="_compute_dunning_credit_hold"
    )
    dunning_hold_override_reason = fields.Char(
        string="Hold override reason", readonly=True, copy=False
    )

    @api.depends("partner_id", "company_id", "state")
    def _compute_dunning_credit_hold(self):
        holds = self._dunning_get_holds()
        for order in self:
            hold = holds.get(order.id)
            order.dunning_credit_hold = bool(hold)
            order.dunning_hold_message = (
                order._dunning_hold_text(hold) if hold else False
            )

    def _dunning_get_holds(self):
        """``{order id: hold row}`` for the orders whose customer is on hold in
        the order's company (or in any company, when the company says so).

        One query on the unique (customer, company) index of the state rows,
        whatever the number of invoices of the customers.
        """
        orders = self.filtered(lambda o: o.partner_id and o.company_id)
        if not orders:
            return {}
        partners = {o.partner_id.commercial_partner_id.id for o in orders}
        self.env["dunning.partner.state"].flush_model(
            ["credit_hold", "credit_hold_reason", "overdue_amount", "partner_id"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT partner_id, company_id, credit_hold_reason, overdue_amount
                  FROM dunning_partner_state
                 WHERE partner_id = ANY(%s) AND credit_hold IS TRUE
                """,
                list(partners),
            )
        )
        rows = {}
        for partner_id, company_id, reason, overdue in self.env.cr.fetchall():
            rows.setdefault(partner_id, []).append(
                {"company_id": company_id, "reason": reason, "overdue": overdue}
            )
        holds = {}
        for order in orders:
            for row in rows.get(order.partner_id.commercial_partner_id.id, []):
                if (
                    row["company_id"] == order.company_id.id
                    or order.company_id.dunning_hold_all_companies
                ):
                    holds[order.id] = row
                    break
        return holds

    def _dunning_hold_text(self, hold):
        """What the salesperson reads of a hold (``hold``: a row of
        :meth:`_dunning_get_holds`): who, where, why, how much is overdue
        and who can help."""
        company = self.env["res.company"].browse(hold["company_id"])
        reason = (hold["reason"] or "").strip()
        if reason and not reason.endswith((".", "!", "?")):
            reason += "."
        return self.env._(
            "%(customer)s is on credit hold in %(company)s: %(reason)s "
            "Overdue: %(amount)s. %(who)s",
            customer=self.partner_id.commercial_partner_id.name,
            company=company.name,
            reason=reason,
            amount=format_amount(self.env, hold["overdue"] or 0.0, company.currency_id),
            who=self._dunning_who_can_help(company),
        )

    @api.model
    def _dunning_who_can_help(self, company):
        """Who a salesperson turns to, by name: the people who can lift the
        hold or confirm the order anyway (not the names of groups)."""
        Users = self.env["res.users"].sudo()

        def names(xmlid):
            users = Users.search(
                [
                    ("groups_id", "in", self.env.ref(xmlid).ids),
                    ("share", "=", False),
                    ("company_ids", "in", company.ids),
                    ("id", "!=", SUPERUSER_ID),
                ],
                limit=3,
            )
            return ", ".join(users.mapped("name"))

        lifters = names("dunning_followup.group_dunning_manager")
        overriders = names("dunning_escalation.group_credit_hold_override")
        if lifters and overriders:
            return self.env._(
                "Ask %(lifters)s to lift the hold, or %(overriders)s to confirm "
                "the order with a reason.",
                lifters=lifters,
                overriders=overriders,
            )
        if lifters or overriders:
            return self.env._(
                "Ask %(people)s to lift the hold or to confirm the order.",
                people=lifters or overriders,
            )
        return self.env._("Ask your accounting department to lift the hold.")

    def _dunning_refusal(self, hold):
        """The full refusal, with the overdue invoices by name: those with an
        open installment past its own due date (a first installment can be
        late while the invoice's last due date is still ahead)."""
        Line = self.env["account.move.line"].sudo()
        groups = Line._read_group(
            [
                (
                    "move_id.commercial_partner_id",
                    "=",
                    self.partner_id.commercial_partner_id.id,
                ),
                *Line._dunning_open_installment_domain([hold["company_id"]]),
                ("date_maturity", "<", fields.Date.context_today(self)),
            ],
            ["move_id"],
            ["date_maturity:min"],
            order="date_maturity:min",
            limit=6,
        )
        invoices = self.env["account.move"].union(*(move for move, _due in groups))
        names = ", ".join(invoices[:5].mapped("name"))
        if len(invoices) > 5:
            names += ", ..."
        text = self.env._("Order %(order)s cannot be confirmed.", order=self.name)
        text += "\n" + self._dunning_hold_text(hold)
        if names:
            text += "\n" + self.env._("Overdue invoices: %(names)s", names=names)
        return text

    def _dunning_exceeds_credit_limit(self):
        """Orders that would take their customer past its credit limit:
        open receivables + orders to invoice + this order.  One query for
        all the orders, and none when no customer has a limit."""
        orders = self.filtered(
            lambda o: o.company_id.dunning_hold_credit_limit
            and o.partner_id.commercial_partner_id.with_company(
                o.company_id
            ).credit_limit
        )
        exceeding = self.browse()
        for company, company_orders in orders.grouped("company_id").items():
            figures = self.env["res.partner"]._dunning_credit_figures(
                company_orders.partner_id.commercial_partner_id.ids, company.id
            )
            for order in company_orders:
                partner = order.partner_id.commercial_partner_id.with_company(company)
                due, to_invoice = figures.get(partner.id, (0.0, 0.0))
                amount = order.amount_total
                if order.currency_id != company.currency_id:
                    amount = order.currency_id._convert(
                        amount,
                        company.currency_id,
                        company,
                        order.date_order or fields.Date.context_today(order),
                    )
                total = due + to_invoice + amount
                if company.currency_id.compare_amounts(total, partner.credit_limit) > 0:
                    exceeding |= order
        return exceeding

    def action_confirm(self):
        waiting = self._dunning_check_credit_hold()
        if waiting and not self - waiting:
            return True
        return super(SaleOrder, self - waiting).action_confirm()

    def _dunning_check_credit_hold(self):
        """Refuse orders of customers on credit hold.

        Passes: zero-amount orders, orders the customer paid online (a
        payment must never fail because of a hold), and orders confirmed by
        a user of the override group through the override wizard (logged).
        A customer confirming on the portal is not shown an error: the order
        waits, with a note for the salesperson.

        :return: the orders that wait (portal), not to be confirmed now
        :raise UserError: for a user confirming an order on hold
        """
        waiting = self.browse()
        if self.env.context.get("dunning_paid_online"):
            return waiting
        candidates = self.filtered(
            lambda o: o.state in ("draft", "sent")
            and not o.currency_id.is_zero(o.amount_total)
        )
        if not candidates:
            return waiting
        holds = candidates._dunning_get_holds()
        blocked = candidates.filtered(lambda o: o.id in holds)
        over_limit = (candidates - blocked)._dunning_exceeds_credit_limit()
        if not blocked and not over_limit:
            return waiting
        # Paid online (by whatever path reaches here): the money is in, the
        # order goes ahead.  Only read for orders already found on hold, so
        # the common case pays nothing for it.
        paid = (blocked | over_limit).filtered(lambda o: o._dunning_paid_online())
        blocked -= paid
        over_limit -= paid
        if not blocked and not over_limit:
            return waiting
        reason = self.env.context.get("dunning_hold_override_reason")
        if reason and self.env.user.has_group(
            "dunning_escalation.group_credit_hold_override"
        ):
            (blocked | over_limit)._dunning_log_override(reason)
            return waiting
        if not self.env.user._is_internal():
            # The customer signed on the portal: an error page would not help
            # them.  The order stays a signed quotation, and its salesperson
            # is told to sort it out.
            for order in (blocked | over_limit).sudo():
                note = self.env._(
                    "The customer accepted this order online; it waits for "
                    "confirmation because the customer is on credit hold."
                )
                order.message_post(body=note, subtype_xmlid="mail.mt_note")
                if order.user_id:
                    order.activity_schedule(
                        "mail.mail_activity_data_todo",
                        user_id=order.user_id.id,
                        summary=self.env._("Signed order on credit hold"),
                        note=note,
                    )
            return blocked | over_limit
        order = blocked[:1]
        if order:
            raise UserError(order._dunning_refusal(holds[order.id]))
        order = over_limit[:1]
        raise UserError(
            self.env._(
                "Order %(order)s would take %(customer)s past its credit limit of "
                "%(limit)s. %(who)s",
                who=self._dunning_who_can_help(order.company_id),
                order=order.name,
                customer=order.partner_id.commercial_partner_id.name,
                limit=format_amount(
                    self.env,
                    order.partner_id.commercial_partner_id.with_company(
                        order.company_id
                    ).credit_limit,
                    order.company_id.currency_id,
                ),
            )
        )

    def _dunning_paid_online(self):
        """Whether the customer already paid what this order asks online
        (authorized or done transactions), e.g. a transaction confirmed
        after the hold started."""
        self.ensure_one()
        return (
            self.currency_id.compare_amounts(self.amount_paid, 0.0) > 0
            and self._is_confirmation_amount_reached()
        )

    def _dunning_log_override(self, reason):
        for order in self:
            order.dunning_hold_override_reason = reason
            body = Markup("<p>%s</p><p>%s</p>") % (
                self.env._(
                    "Confirmed despite the credit hold by %(user)s.",
                    user=self.env.user.name,
                ),
                reason,
            )
            order.message_post(body=body, subtype_xmlid="mail.mt_note")
            order.partner_id.commercial_partner_id.sudo().message_post(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "Order %(order)s confirmed despite the credit hold by %(user)s: "
                    "%(reason)s",
                    order=order.name,
                    user=self.env.user.name,
                    reason=reason,
                ),
                subtype_xmlid="mail.mt_note",
                author_id=self.env.user.partner_id.id,
            )

    def action_dunning_override(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Confirm despite the credit hold"),
            "res_model": "sale.order.hold.override",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_ids": self.ids},
        }

    @api.depends("partner_id", "company_id")
    def _compute_require_payment(self):
        res = super()._compute_require_payment()
        for order in self._dunning_prepayment_orders():
            order.require_payment = True
        return res

    @api.depends("require_payment", "partner_id")
    def _compute_prepayment_percent(self):
        res = super()._compute_prepayment_percent()
        for order in self._dunning_prepayment_orders():
            order.prepayment_percent = 1.0
        return res

    def _dunning_prepayment_orders(self):
        """New quotations of held customers, where the company asks them to
        pay in full online first (cash on order)."""
        orders = self.filtered(
            lambda o: o.state in ("draft", "sent")
            and o.company_id.dunning_hold_prepayment
        )
        if not orders:
            return orders
        holds = orders._dunning_get_holds()
        return orders.filtered(lambda o: o.id in holds)
