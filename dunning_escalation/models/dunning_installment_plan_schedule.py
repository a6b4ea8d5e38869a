# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare
from odoo.tools.misc import format_amount, format_date

from ..tools.installments import split_schedule


class DunningInstallmentPlan(models.Model):
    """The schedule of a plan: computed from its terms by
    :func:`..tools.installments.split_schedule`, checked before it is sent."""

    _inherit = "dunning.installment.plan"

    def _get_term_lines(self):
        """The payment term as ``[(percent, days after the first date)]``."""
        self.ensure_one()
        term = self.payment_term_id
        if any(line.value != "percent" for line in term.line_ids):
            raise ValidationError(
                self.env._(
                    "Payment terms: %(term)s has fixed amounts; a payment plan "
                    "splits by percentages only.",
                    term=term.display_name,
                )
            )
        total = sum(term.line_ids.mapped("value_amount"))
        if float_compare(total, 100, precision_digits=4) or not term.line_ids:
            raise ValidationError(
                self.env._(
                    "Payment terms: the percentages of %(term)s sum to %(total)s %%, "
                    "not 100 %%.",
                    term=term.display_name,
                    total=round(total, 4),
                )
            )
        return [
            (
                str(line.value_amount),
                (line._get_due_date(self.first_date) - self.first_date).days,
            )
            for line in term.line_ids
        ]

    def _check_schedule(self):
        """A schedule the customer may be sent: complete, dated from the
        first date on, summing to the total."""
        self.ensure_one()
        if not self.line_ids:
            raise ValidationError(
                self.env._("Installments: compute the schedule before confirming.")
            )
        early = self.line_ids.filtered(lambda line: line.date < self.first_date)
        if early:
            raise ValidationError(
                self.env._(
                    "Installments: the installment of %(date)s is before the "
                    "first date %(first)s.",
                    date=format_date(self.env, early[0].date),
                    first=format_date(self.env, self.first_date),
                )
            )
        scheduled = sum(self.line_ids.mapped("amount"))
        if self.currency_id.compare_amounts(scheduled, self.amount_total):
            raise ValidationError(
                self.env._(
                    "Installments: they sum to %(scheduled)s, not to the total "
                    "%(total)s.",
                    scheduled=format_amount(self.env, scheduled, self.currency_id),
                    total=format_amount(self.env, self.amount_total, self.currency_id),
                )
            )
        now_open = self._get_open_amount()
        if self.currency_id.compare_amounts(now_open, self.amount_total):
            raise ValidationError(
                self.env._(
                    "Total: the invoices are open for %(open)s now, not %(total)s; "
                    "compute the schedule again.",
                    open=format_amount(self.env, now_open, self.currency_id),
                    total=format_amount(self.env, self.amount_total, self.currency_id),
                )
            )

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------

    def _prepare_line_vals(self):
        """The installments of the plan's terms, as line values."""
        self.ensure_one()
        try:
            schedule = split_schedule(
                self.amount_total,
                self.currency_id.decimal_places,
                self.first_date,
                count=self.installment_count,
                frequency=self.frequency,
                down_payment=self.down_payment,
                interval_days=self.interval_days,
                term_lines=self._get_term_lines() if self.payment_term_id else None,
            )
        except ValueError as exc:
            raise ValidationError(
                self.env._("Schedule: %(error)s", error=str(exc))
            ) from exc
        return [
            {
                "date": line.date,
                "amount": float(line.amount),
                "down_payment": line.down_payment,
            }
            for line in schedule
        ]

    def action_compute_schedule(self):
        """Fill the installments from the terms (total, down payment, count
        and frequency, or payment term), replacing those of a draft."""
        for plan in self:
            if plan.state != "draft":
                raise UserError(
                    self.env._(
                        "Installments: %(plan)s is not a draft any more.",
                        plan=plan.display_name,
                    )
                )
            plan.amount_total = plan._get_open_amount()
            vals = plan._prepare_line_vals()
            plan.line_ids = [Command.clear()] + [Command.create(v) for v in vals]
        return True
