# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import api, fields, models
from odoo.tools.misc import format_amount, format_date

from ..tools.installments import allocate_payments

SCHEDULE_REPORT = "dunning_escalation.action_report_installment_plan"
EMAIL_FIELDS = ("subject", "body_html", "email_from", "reply_to")
# plans checked per cron call; the cron is called again while some remain
CHECK_BATCH = 2000


class DunningInstallmentPlan(models.Model):
    """How a running plan follows itself up: the ladder exclusion of its
    invoices, payments set against the installments, reminders, lateness,
    and breaking after the grace days (a broken promise to pay)."""

    _inherit = "dunning.installment.plan"

    # ------------------------------------------------------------------
    # the ladder
    # ------------------------------------------------------------------

    def _exclude_moves(self):
        self.move_ids.write(
            {
                "dunning_excluded": True,
                "dunning_exclusion_reason": "plan",
                "dunning_excluded_until": False,
            }
        )

    def _release_moves(self):
        """The plan's invoices back to the ladder: at once, with the fees and
        interest of their real due dates."""
        self.move_ids.filtered(lambda m: m.dunning_exclusion_reason == "plan").write(
            {
                "dunning_excluded": False,
                "dunning_exclusion_reason": False,
                "dunning_excluded_until": False,
            }
        )

    # ------------------------------------------------------------------
    # payments
    # ------------------------------------------------------------------

    def _apply_payments(self, today=None):
        """Set what has been paid on the invoices since the plan was agreed
        against the installments, oldest first, and mark the installments
        paid, late or open; a plan paid in full is done.

        Whatever invoice a payment is reconciled with, it counts for the
        plan as a whole.  Reads the plans' invoices and lines in batch and
        writes only the installments that changed (Odoo flushes those in
        one statement), so checking many plans costs a number of queries
        that does not grow with them.
        """
        today = today or fields.Date.context_today(self)
        running = self.filtered(lambda p: p.state == "active")
        for plan in running:
            lines = plan.line_ids.sorted(lambda line: (line.date, line.id))
            paid = plan.amount_total - plan._get_open_amount()
            allocated, _excess = allocate_payments(
                lines.mapped("amount"), paid, plan.currency_id.decimal_places
            )
            for line, share in zip(lines, allocated, strict=True):
                share = float(share)
                state = line._installment_state(share, today)
                changed = line.currency_id.compare_amounts(line.amount_paid, share)
                if changed or line.state != state:
                    line.write({"amount_paid": share, "state": state})
        done = running.filtered(
            lambda p: all(line.state == "paid" for line in p.line_ids)
        )
        if done:
            done.write({"state": "done"})
            done._release_moves()
            for plan in done:
                plan.message_post(
                    body=self.env._("Paid in full: the plan is done."),
                    subtype_xmlid="mail.mt_note",
                )
        return done

    @api.model
    def _refresh_for_moves(self, moves):
        """After a payment was reconciled with, or taken off, ``moves``."""
        plans = self.sudo().search(
            [("state", "=", "active"), ("move_ids", "in", moves.ids)]
        )
        plans._apply_payments()

    # ------------------------------------------------------------------
    # the daily check
    # ------------------------------------------------------------------

    @api.model
    def _cron_check_plans(self, batch_size=CHECK_BATCH):
        """Daily: payments, reminders, late installments, broken plans.

        Each plan is checked once a day (``last_check_date``); a call checks
        one batch and reports what remains, so a long list resumes where it
        stopped.
        """
        today = fields.Date.context_today(self)
        domain = [
            ("state", "=", "active"),
            "|",
            ("last_check_date", "=", False),
            ("last_check_date", "<", today),
        ]
        plans = self.search(domain, limit=batch_size, order="id")
        plans._check_plans(today)
        plans.write({"last_check_date": today})
        remaining = self.search_count(domain) if len(plans) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(plans), remaining=remaining)

    def _check_plans(self, today):
        self._apply_payments(today)
        running = self.filtered(lambda p: p.state == "active")
        to_break = running.filtered(
            lambda p: any(
                line.state == "late" and (today - line.date).days > p.grace_days
                for line in p.line_ids
            )
        )
        to_break._break(today)
        due_soon = (running - to_break).line_ids.filtered(
            lambda line: line.state == "open"
            and not line.reminder_sent
            and 0 <= (line.date - today).days <= line.plan_id.reminder_days
        )
        due_soon.plan_id._send_reminders(due_soon)

    def _break(self, today):
        """The customer missed an installment past the grace days: the
        invoices go back to the ladder, the collector and the customer are
        told, and the policy's hold on a broken promise applies."""
        self.write({"state": "broken"})
        self._release_moves()
        template = self.env.ref(
            "dunning_escalation.mail_template_installment_broken",
            raise_if_not_found=False,
        )
        State = self.env["dunning.partner.state"].sudo()
        for plan in self:
            late = plan.line_ids.filtered(lambda line: line.state == "late")[:1]
            what = self.env._(
                "Installment of %(amount)s due on %(date)s not paid.",
                amount=format_amount(self.env, late.amount_residual, plan.currency_id),
                date=format_date(self.env, late.date),
            )
            plan.message_post(
                body=self.env._("Plan broken. %(what)s", what=what),
                subtype_xmlid="mail.mt_note",
            )
            plan.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=(plan.user_id or plan._default_collector()).id,
                summary=self.env._("Broken payment plan"),
                note=what,
                date_deadline=today,
            )
            State._hold_on_broken_promise(
                plan.partner_id.commercial_partner_id,
                plan.company_id,
                self.env._("Broken payment plan: %(what)s", what=what),
            )
        if template:
            self._post_template(template)

    def _default_collector(self):
        partner = self.partner_id.commercial_partner_id.with_company(self.company_id)
        return partner.dunning_responsible_id or partner.user_id or self.env.user

    # ------------------------------------------------------------------
    # messages to the customer
    # ------------------------------------------------------------------

    def _send_schedule(self):
        """The agreed schedule to the customer, the PDF attached."""
        template = self.env.ref(
            "dunning_escalation.mail_template_installment_schedule",
            raise_if_not_found=False,
        )
        attachments = {plan.id: plan._get_schedule_pdf() for plan in self}
        if template:
            self._post_template(template, attachments)
            return
        for plan in self:
            plan.message_post(
                body=self.env._("Schedule agreed."),
                attachment_ids=attachments[plan.id].ids,
                subtype_xmlid="mail.mt_note",
            )

    def _send_reminders(self, lines):
        """One reminder per plan for its installments ``lines``, due within
        its reminder days; each installment is reminded once."""
        lines.write({"reminder_sent": True})
        template = self.env.ref(
            "dunning_escalation.mail_template_installment_reminder",
            raise_if_not_found=False,
        )
        if template:
            self._post_template(template)

    def _get_schedule_pdf(self):
        self.ensure_one()
        content, _type = (
            self.env["ir.actions.report"]
            .sudo()
            .with_company(self.company_id)
            .with_context(dunning_lenient_assets=True)
            ._render_qweb_pdf(SCHEDULE_REPORT, res_ids=self.ids)
        )
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": self.env._(
                        "Payment plan %(partner)s.pdf", partner=self.partner_id.name
                    ),
                    "raw": content,
                    "mimetype": "application/pdf",
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        )

    def _post_template(self, template, attachments=None):
        """Render ``template`` for these plans, once per language for all
        of them, and post it on each plan's chatter to the customer's
        invoicing contacts (queued as e-mail).

        :param attachments: ``{plan id: ir.attachment}`` to send along
        """
        attachments = attachments or {}
        recipients = {
            plan.id: plan.partner_id._dunning_get_recipients() for plan in self
        }
        by_lang = defaultdict(list)
        for plan in self:
            lang = recipients[plan.id][:1].lang or plan.partner_id.lang
            by_lang[lang].append(plan.id)
        rendered = {}
        for lang, ids in by_lang.items():
            rendered.update(
                template.with_context(lang=lang)._generate_template(ids, EMAIL_FIELDS)
            )
        author = self.env.user.partner_id
        for plan in self.with_context(mail_post_autofollow=False):
            values = rendered[plan.id]
            plan.message_post(
                author_id=author.id,
                body=values.get("body_html") or "",
                subject=values.get("subject") or "",
                email_from=values.get("email_from") or None,
                reply_to=values.get("reply_to") or None,
                partner_ids=recipients[plan.id].ids,
                attachment_ids=attachments[plan.id].ids
                if plan.id in attachments
                else [],
                subtype_xmlid="mail.mt_comment",
                message_type="comment",
            )

    def _get_next_installment(self):
        """The first installment not paid yet (for the reminder)."""
        self.ensure_one()
        return self.line_ids.filtered(lambda line: line.state != "paid").sorted(
            lambda line: (line.date, line.id)
        )[:1]

    def _schedule_rows(self):
        """The installments as display-ready values, for mails and reports."""
        self.ensure_one()
        labels = dict(
            self.env["dunning.installment.line"]
            ._fields["state"]
            ._description_selection(self.env)
        )
        return [
            {
                "date": format_date(self.env, line.date),
                "amount": format_amount(self.env, line.amount, self.currency_id),
                "paid": format_amount(self.env, line.amount_paid, self.currency_id),
                "state": labels[line.state],
                "down_payment": line.down_payment,
            }
            for line in self.line_ids.sorted(lambda line: (line.date, line.id))
        ]
