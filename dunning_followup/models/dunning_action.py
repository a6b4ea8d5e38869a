# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import functools
import logging

from psycopg2.errors import LockNotAvailable

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import sql
from odoo.tools.misc import format_date

_logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


class DunningAction(models.Model):
    """What the follow-up did (or has to do) for one customer at one level.

    Created by a run (cron or wizard) with the installments it concerns; its
    channels (e-mail, letter, activity) are executed at once when the level
    is automatic, else the action waits in the review queue.  It is the audit
    trail: the message sent, the copy of the letter, the activity scheduled,
    or why it failed.
    """

    _name = "dunning.action"
    _description = "Follow-up action"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        readonly=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    run_id = fields.Many2one(
        "dunning.run",
        index=True,
        readonly=True,
        ondelete="set null",
        check_company=True,
    )
    level_id = fields.Many2one(
        "dunning.level",
        required=True,
        readonly=True,
        ondelete="restrict",
        check_company=True,
    )
    policy_id = fields.Many2one(related="level_id.policy_id", store=True)
    date = fields.Date(required=True, readonly=True, default=fields.Date.context_today)
    line_ids = fields.One2many("dunning.action.line", "action_id", string="Items")
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        compute="_compute_move_ids",
        search="_search_move_ids",
    )
    amount_due = fields.Monetary(
        currency_field="currency_id",
        readonly=True,
        help="Amount of the installments this notice concerns (company currency).",
    )
    send_email = fields.Boolean(string="E-mail")
    send_letter = fields.Boolean(string="Letter")
    activity_type_id = fields.Many2one("mail.activity.type", string="Activity")
    state = fields.Selection(
        [
            ("to_review", "To review"),
            ("done", "Done"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="to_review",
        index=True,
        readonly=True,
    )
    failure_reason = fields.Text(readonly=True)
    attempt_count = fields.Integer(readonly=True)
    note = fields.Text(readonly=True, help="What the run decided and why.")
    message_id = fields.Many2one("mail.message", string="E-mail sent", readonly=True)
    recipient_ids = fields.Many2many("res.partner", string="Recipients", readonly=True)
    letter_attachment_id = fields.Many2one(
        "ir.attachment", string="Letter copy", readonly=True
    )
    attach_statement = fields.Boolean(
        string="Statement attached",
        help="The customer statement (PDF) goes with the e-mail.",
    )
    statement_attachment_id = fields.Many2one(
        "ir.attachment", string="Statement copy", readonly=True
    )
    activity_id = fields.Many2one(
        "mail.activity", string="Scheduled activity", readonly=True, ondelete="set null"
    )
    executed_date = fields.Datetime(readonly=True)
    executed_uid = fields.Many2one("res.users", string="Executed by", readonly=True)

    def init(self):
        res = super().init()
        # the customer's pending and executed notices, per company: what the
        # partner state and the credit hold read for a batch of customers
        sql.create_index(
            self.env.cr,
            "dunning_action_partner_company_state_idx",
            self._table,
            ["partner_id", "company_id", "state"],
        )
        return res

    @api.depends("partner_id", "level_id")
    def _compute_name(self):
        for action in self:
            action.name = self._name_for(action.level_id, action.partner_id)

    @api.model
    def _name_for(self, level, partner):
        """The action's name for ``level`` and ``partner`` (also used by the
        run's bulk insert, which computes it without the ORM)."""
        return f"{level.name or ''} - {partner.name or ''}"

    @api.depends("line_ids.move_id")
    def _compute_move_ids(self):
        for action in self:
            action.move_ids = action.line_ids.move_id

    def _search_move_ids(self, operator, value):
        return [("line_ids.move_id", operator, value)]

    # -- what the notice shows ---------------------------------------------

    def _get_total_due(self):
        """Extension hook: the amount the notice asks for, company currency
        (a float); by default the open items of :meth:`_get_open_items`.
        An override adds what the notice lists beyond them (the escalation
        addon: its late-fee invoices) and must keep the company currency of
        the rows (:meth:`_get_notice_items`)."""
        return sum(self._get_open_items().mapped("amount_residual"))

    def _get_portal_url(self, move):
        """Extension hook: where the notice sends the customer to pay
        ``move`` (a URL path, or "" for none)."""
        return move.get_portal_url() if move else ""

    # -- execution ----------------------------------------------------------

    def action_execute(self):
        """Button: execute the channels of these actions now."""
        actions = self.filtered(lambda a: a.state in ("to_review", "failed"))
        if not actions:
            raise UserError(self.env._("Only actions to review or failed can be done."))
        actions._lock_nowait()
        actions._execute()
        return True

    def action_cancel(self):
        for action in self:
            if action.state == "done":
                raise UserError(
                    self.env._(
                        "Action %(action)s is done and cannot be cancelled.",
                        action=action.name,
                    )
                )
        self.write({"state": "cancelled"})
        self._refresh_partner_states()
        return True

    def action_open_letter(self):
        """Button: the stored copy of the letter, as the customer got it."""
        return self._open_copy(self.letter_attachment_id)

    def action_open_statement(self):
        """Button: the stored copy of the statement sent with the notice."""
        return self._open_copy(self.statement_attachment_id)

    def _open_copy(self, attachment):
        self.ensure_one()
        if not attachment:
            raise UserError(self.env._("This notice has no stored copy."))
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }

    def _lock_nowait(self):
        """Refuse at once, with a clear message, when a run holds these actions."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM dunning_action WHERE id = ANY(%s) FOR NO KEY UPDATE NOWAIT",
                    [self.ids],
                )
        except LockNotAvailable as exc:
            raise UserError(
                self.env._(
                    "A follow-up run is processing these customers right now; "
                    "try again in a moment."
                )
            ) from exc

    def _execute(self, refresh_states=True):
        """Execute every action in three passes:

        1. the :meth:`_before_channels` hook of each action (fees, interest);
        2. the PDF documents of all actions rendered together, one
           wkhtmltopdf call per kind of document instead of one per customer;
        3. the channels of each action.

        Passes 1 and 3 run each action in its own savepoint, so one failure
        (a template error, a refused PDF) marks that action failed with its
        reason without undoing the others.

        A notice is dated the day it is sent (the run's date, else today),
        not the day it was planned: its days late, interest and charges,
        the letter, the e-mail and the statement attached all say that day.

        :param refresh_states: refresh the customers' states (and holds)
            after; a run's batch passes False, as it refreshes them itself
            once, on the run's date
        :return: the actions done
        """
        today = fields.Date.context_today(self)
        sent_on = self.env.context.get("dunning_sending_date") or today
        if not refresh_states:
            # a run's batch: see write()
            self = self.with_context(dunning_batch_run_ids=tuple(self.run_id.ids))
        # the statement attached reads its date from the context
        self = self.with_context(dunning_statement_date=sent_on)
        # one notice per customer: its pending notices go out as one
        self = self._merge_pending()
        self._set_sending_date(sent_on)
        facts = self._batch_facts()
        ready = self.browse()
        for action in self:
            if action._try(functools.partial(action._before_channels, facts)):
                ready |= action
        # pass 1 may have added items (late-fee invoices): what the notices
        # list is read from here on, once for the whole batch
        ready.invalidate_recordset(["open_item_ids"])
        ready._ensure_access_tokens()
        ready._prerender_documents()
        emails = ready._prerender_emails()
        done = self.browse()
        for action in ready:
            if action._try(
                functools.partial(action._execute_channels, emails.get(action.id))
            ):
                done |= action
        done._after_done()
        if refresh_states:
            self._refresh_partner_states()
        return done

    def _set_sending_date(self, sent_on):
        """Date the notices not sent yet ``sent_on``, their items' days late
        with them; the day they were planned stays in the note."""
        late = self.filtered(lambda a: a.state != "done" and a.date != sent_on)
        for action in late:
            planned = self.env._(
                "Planned on %(planned)s, sent on %(sent)s.",
                planned=format_date(self.env, action.date),
                sent=format_date(self.env, sent_on),
            )
            action.write(
                {
                    "date": sent_on,
                    "note": "\n".join(filter(None, [action.note, planned])),
                }
            )
        if late:
            self.env["dunning.action.line"].flush_model()
            self.env.cr.execute(
                "UPDATE dunning_action_line SET days_late = %s - date_maturity"
                " WHERE action_id = ANY(%s) AND date_maturity IS NOT NULL",
                [sent_on, late.ids],
            )
            self.env["dunning.action.line"].invalidate_model(["days_late"])

    def _try(self, method):
        """Run ``method`` in a savepoint; a failure is recorded on the action.

        A concurrency error (serialization failure, deadlock, lock not
        available: two transactions on the same sequence or rows) is not a
        failure of the notice: the transaction's snapshot is stale, so it
        propagates and the whole batch is rolled back and retried, as Odoo's
        request and cron loops do; nothing is committed as failed."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                method()
            return True
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception as exc:  # recorded on the action
            _logger.info("follow-up action %s failed: %s", self.id, exc)
            self.write(
                {
                    "state": "failed",
                    "failure_reason": str(exc) or exc.__class__.__name__,
                    "attempt_count": self.attempt_count + 1,
                }
            )
            return False

    def _batch_facts(self):
        """Extension hook: what the actions of a batch need to know before
        their channels, read once for all of them (a dict, empty here),
        handed to each action's :meth:`_before_channels`."""
        return {}

    def _before_channels(self, facts=None):
        """Extension hook, called before any channel runs and before the
        documents are rendered: what the notice must show has to exist by
        then (the escalation addon invoices fees and interest here).  It must
        be idempotent: a failed notice is retried and calls it again.

        :param facts: :meth:`_batch_facts` of the batch the action goes out
            with (None when called alone)"""
        self.ensure_one()

    def _get_notice_charges(self):
        """Extension hook: extra amounts the notice lists under the open items
        (fees, interest), as dicts with ``label`` and ``amount`` (formatted),
        and ``invoiced``: whether :meth:`_get_total_due` counts them."""
        self.ensure_one()
        return []

    def _needs_letter(self):
        """A letter is printed when the level asks for one, and instead of an
        e-mail for a customer without address."""
        self.ensure_one()
        if self.send_letter:
            return True
        partner = self.partner_id.with_company(self.company_id)
        return self.send_email and not partner._dunning_get_recipients()

    def _get_activity_user(self):
        """Extension hook: who gets the activity of this notice (a
        ``res.users`` record, possibly empty): the collector or the
        salesperson as the level says, the other one else, then the user
        executing the notice (the administrator for the cron); never
        raises."""
        partner = self.partner_id.with_company(self.company_id)
        if self.level_id.activity_user == "salesperson":
            user = partner.user_id or partner.dunning_responsible_id
        else:
            user = partner.dunning_responsible_id or partner.user_id
        if not user and not self.env.user._is_superuser():
            user = self.env.user
        return user or self.env.ref("base.user_admin", raise_if_not_found=False)

    def write(self, vals):
        res = super().write(vals)
        if "state" in vals:
            # a notice sent, failed or cancelled releases or holds its
            # installments: the next daily run looks at the customer again;
            # not for a notice executed by the batch of the run that planned
            # it, whose plan (and visit date) already counts it sent
            planned = self.env.context.get("dunning_batch_run_ids") or ()
            self.filtered(lambda a: a.run_id.id not in planned)._mark_partner_states()
        return res

    def unlink(self):
        keys = {(a.partner_id.id, a.company_id.id) for a in self}
        res = super().unlink()
        self.env["dunning.partner.state"].sudo()._mark_changed(keys)
        return res

    def _mark_partner_states(self):
        self.env["dunning.partner.state"].sudo()._mark_changed(
            (action.partner_id.id, action.company_id.id) for action in self
        )

    def _refresh_partner_states(self):
        for company in self.company_id:
            actions = self.filtered(lambda a, company=company: a.company_id == company)
            self.env["dunning.partner.state"].sudo()._refresh(
                actions.partner_id.ids, company.id
            )

    @api.model
    def _on_mail_failure(self, mails, reason=False):
        """The notices whose e-mail is one of ``mails`` (that failed) are
        failed too, with the reason: the retry cron sends them again and the
        review queue shows them."""
        actions = self.search(
            [
                ("message_id", "in", mails.mail_message_id.ids),
                ("state", "=", "done"),
            ]
        )
        for action in actions:
            mail = mails.filtered(lambda m, a=action: m.mail_message_id == a.message_id)
            action.write(
                {
                    "state": "failed",
                    "failure_reason": self.env._(
                        "The e-mail could not be sent: %(reason)s",
                        reason=mail[:1].failure_reason or reason or "?",
                    ),
                }
            )
        actions._reset_last_notice_dates()
        actions._refresh_partner_states()
        return actions

    @api.model
    def _cron_retry_failed(self):
        """Retry failed actions (a mail server down, a PDF refused) a few times."""
        actions = self.search(
            [("state", "=", "failed"), ("attempt_count", "<", MAX_ATTEMPTS)], limit=200
        )
        actions._execute()
        return actions
