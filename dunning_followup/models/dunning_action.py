# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import functools
import logging
import uuid
from collections import defaultdict
from urllib.parse import urlparse

from markupsafe import Markup, escape
from psycopg2.errors import LockNotAvailable

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import sql
from odoo.tools.misc import format_date

from ..tools.levels import days_late
from ..tools.pdf import merge_html_documents, split_pdf

_logger = logging.getLogger(__name__)

LETTER_REPORT = "dunning_followup.action_report_dunning_letter"
STATEMENT_REPORT = "dunning_followup.action_report_dunning_statement"
MAX_ATTEMPTS = 3
# key of the cursor's cache under which a batch of notices keeps the open
# items of its customers while it renders them
OPEN_ITEMS_CACHE = "dunning_open_items"
EMAIL_FIELDS = ("subject", "body_html", "email_from", "reply_to")


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
        # the statement attached reads its date from the context
        self = self.with_context(dunning_statement_date=sent_on)
        # one notice per customer: its pending notices go out as one
        self = self._merge_pending()
        self._set_sending_date(sent_on)
        ready = self.browse()
        for action in self:
            if action._try(action._before_channels):
                ready |= action
        # the open items do not change from here on: read once for all
        cache = self.env.cr.cache
        outer = cache.get(OPEN_ITEMS_CACHE)
        cache[OPEN_ITEMS_CACHE] = {**(outer or {}), **ready._prefetch_open_items()}
        try:
            ready._prerender_documents()
            emails = ready._prerender_emails()
            done = self.browse()
            for action in ready:
                if action._try(
                    functools.partial(action._execute_channels, emails.get(action.id))
                ):
                    done |= action
        finally:
            if outer is None:
                cache.pop(OPEN_ITEMS_CACHE, None)
            else:
                cache[OPEN_ITEMS_CACHE] = outer
        done._after_done()
        if refresh_states:
            self._refresh_partner_states()
        return done

    def _merge_pending(self):
        """Merge the pending notices (to review, failed) of the customers of
        these notices: one notice per customer and company, at the highest
        level, with the follow-up items of all; the others are cancelled
        with a note naming the notice that superseded them.

        The notice kept is the newest of ``self`` (a run's new notice, the
        one the collector sends); its channels are those of the notices of
        ``self`` it absorbs, and of the highest level when it climbs.

        :return: the notices of ``self`` still to send
        """
        mine = self.filtered(lambda a: a.state in ("to_review", "failed"))
        if not mine:
            return self
        others = (
            self.sudo()
            .search(
                [
                    ("partner_id", "in", mine.partner_id.ids),
                    ("company_id", "in", mine.company_id.ids),
                    ("state", "in", ("to_review", "failed")),
                    ("id", "not in", mine.ids),
                ]
            )
            .sudo(False)
        )
        groups = defaultdict(lambda: self.browse())
        for action in mine | others:
            groups[action.partner_id.id, action.company_id.id] |= action
        merged = self.browse()
        for group in groups.values():
            own = group & mine
            if len(group) < 2 or not own:
                continue
            keeper = own.sorted("id")[-1]
            keeper._absorb(group - keeper, own)
            merged |= group - keeper
        return self - merged

    def _absorb(self, others, channels_from):
        """Take over the follow-up items of ``others`` and cancel them."""
        self.ensure_one()
        top = max((self | others).level_id, key=lambda lvl: (lvl.days, lvl.id))
        vals = {
            "send_email": any(channels_from.mapped("send_email")),
            "send_letter": any(channels_from.mapped("send_letter")),
            "attach_statement": any(channels_from.mapped("attach_statement")),
            "activity_type_id": (self | channels_from).activity_type_id[:1].id,
        }
        if top != self.level_id:
            vals.update(
                level_id=top.id,
                send_email=vals["send_email"] or top.send_email,
                send_letter=vals["send_letter"] or top.send_letter,
                attach_statement=vals["attach_statement"] or top.attach_statement,
                activity_type_id=vals["activity_type_id"] or top.activity_type_id.id,
            )
        others.line_ids.sudo().write({"action_id": self.id})
        self.invalidate_recordset(["line_ids"])
        # an installment may have an item per level: count it once
        vals["amount_due"] = sum(
            {item.move_line_id: item.amount_residual for item in self.line_ids}.values()
        )
        self.sudo().write(vals)
        for other in others:
            other.sudo().write(
                {
                    "state": "cancelled",
                    "note": "\n".join(
                        filter(
                            None,
                            [
                                other.note,
                                self.env._(
                                    "Superseded by notice %(notice)s (#%(id)s), "
                                    "which took over its items.",
                                    notice=self.name,
                                    id=self.id,
                                ),
                            ],
                        )
                    ),
                }
            )

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

    def _before_channels(self):
        """Extension hook, called before any channel runs and before the
        documents are rendered: what the notice must show has to exist by
        then (the escalation addon invoices fees and interest here).  It must
        be idempotent: a failed notice is retried and calls it again."""
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

    def _prerender_documents(self):
        """Render the letters and the statements of these actions in one
        wkhtmltopdf call each, split per customer at the invisible marker
        that starts each document (:mod:`..tools.pdf`).  If the batch cannot
        be split, each action renders its own later."""
        letters = self.filtered(
            lambda a: not a.letter_attachment_id and a._needs_letter()
        )
        if len(letters) > 1:
            streams = letters._render_batch(LETTER_REPORT, letters.ids)
            if streams:
                attachments = letters._store_documents(streams, "letter")
                for action, attachment in zip(letters, attachments, strict=True):
                    action.letter_attachment_id = attachment
        statements = self.filtered(
            lambda a: a.attach_statement and not a.statement_attachment_id
        )
        for company in statements.company_id:
            todo = statements.filtered(lambda a, c=company: a.company_id == c)
            if len(todo) < 2:
                continue
            streams = todo.with_company(company)._render_batch(
                STATEMENT_REPORT, todo.partner_id.ids
            )
            if streams:
                streams = {a.id: streams[a.partner_id.id] for a in todo}
                attachments = todo._store_documents(streams, "statement")
                for action, attachment in zip(todo, attachments, strict=True):
                    action.statement_attachment_id = attachment

    def _render_batch(self, report_ref, res_ids):
        """``{res_id: pdf bytes}`` for a report over many records, rendered by
        ONE wkhtmltopdf process and split per record at invisible markers.

        Odoo's own batch path hands wkhtmltopdf one HTML file per record,
        which wkhtmltopdf builds without patched Qt (Debian's, for one)
        refuse, and splits by the PDF outline, which only those builds
        write; we merge the records into one document instead, each from a
        new page behind a tiny white marker text, and cut the PDF where each
        marker is (:func:`..tools.pdf.split_pdf`).  An empty dict means
        "render them one by one".
        """
        res_ids = list(dict.fromkeys(res_ids))
        if tools.config["test_enable"] and not self.env.context.get(
            "force_report_rendering"
        ):
            # like Odoo's reports in test mode: no wkhtmltopdf unless asked
            return {}
        Report = (
            self.env["ir.actions.report"]
            .sudo()
            .with_context(dunning_lenient_assets=True, debug=False)
        )
        try:
            report = Report._get_report(report_ref)
            html = Report._render_qweb_html(report_ref, res_ids)[0]
            bodies, html_ids, header, footer, paper_args = report._prepare_html(
                html, report_model=report.model
            )
            if len(bodies) != len(res_ids) or list(html_ids) != res_ids:
                return {}
            pdf = Report._run_wkhtmltopdf(
                [merge_html_documents(bodies)],
                report_ref=report_ref,
                header=header,
                footer=footer,
                specific_paperformat_args=paper_args,
            )
            parts = split_pdf(pdf, len(res_ids))
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception as exc:  # fall back to one by one
            _logger.info("batch rendering of %s failed: %s", report_ref, exc)
            return {}
        if not parts:
            return {}
        return dict(zip(res_ids, parts, strict=True))

    def _store_documents(self, contents, kind):
        """Attachments (one per action) for ``contents`` ({action id: bytes})."""
        names = {
            "letter": self.env._("Follow-up letter"),
            "statement": self.env._("Statement"),
        }
        vals_list = []
        for action in self:
            content = contents[action.id]
            pdf = content[:4] == b"%PDF"
            vals_list.append(
                {
                    "name": "{} - {}.{}".format(
                        names[kind], action.partner_id.name, "pdf" if pdf else "html"
                    ).replace("/", "-"),
                    "raw": content,
                    "res_model": "dunning.action",
                    "res_id": action.id,
                    "mimetype": "application/pdf" if pdf else "text/html",
                }
            )
        return self.env["ir.attachment"].sudo().create(vals_list)

    def _prerender_emails(self):
        """``{action id: rendered values}``: the e-mails of these actions,
        rendered once per template and language for all of them rather than
        once per action (the template's records are then prefetched
        together).  If a batch cannot be rendered, its actions are left out
        and render their own, so that the faulty one fails alone."""
        groups = defaultdict(list)
        for action in self:
            template = action.level_id.mail_template_id
            if not (action.send_email and template):
                continue
            partner = action.partner_id.with_company(action.company_id)
            recipients = partner._dunning_get_recipients()
            if recipients:
                lang = recipients[0].lang or action.partner_id.lang
                groups[template, lang].append(action.id)
        rendered = {}
        for (template, lang), ids in groups.items():
            try:
                with self.env.cr.savepoint():
                    rendered.update(
                        template.with_context(lang=lang)._generate_template(
                            ids, EMAIL_FIELDS
                        )
                    )
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except Exception as exc:  # each action renders its own
                _logger.info("batch rendering of %s failed: %s", template, exc)
        return rendered

    def _execute_channels(self, rendered=None):
        """Execute the channels of this action; ``rendered`` is its e-mail
        when :meth:`_prerender_emails` made it."""
        self.ensure_one()
        partner = self.partner_id.with_company(self.company_id)
        notes = []
        if self.send_email:
            recipients = partner._dunning_get_recipients()
            if recipients:
                self._send_email(recipients, rendered=rendered)
            else:
                # Never a silent skip: without an address the notice is printed.
                notes.append(
                    self.env._("No e-mail address: a letter is printed instead.")
                )
                self.send_letter = True
        if self.send_letter and not self.message_id:
            self._print_letter()
        if self.activity_type_id and not self.activity_id:
            # a retry (the e-mail failed) does not schedule the call twice
            self._schedule_activity()
        if not (self.send_email or self.send_letter or self.activity_type_id):
            notes.append(self.env._("Level without channel: recorded only."))
        vals = {
            "state": "done",
            "failure_reason": False,
            "executed_date": fields.Datetime.now(),
            "executed_uid": self.env.uid,
            "attempt_count": self.attempt_count + 1,
        }
        if notes:
            vals["note"] = "\n".join(filter(None, [self.note, *notes]))
        self.write(vals)

    def _send_email(self, recipients, rendered=None):
        """Render the level's template (unless ``rendered`` already) and post
        it on the customer's chatter, which queues the e-mail to the
        recipients through ``mail.mail``; the letter and the statement, when
        asked for, go with it."""
        template = self.level_id.mail_template_id
        if not template:
            raise UserError(
                self.env._(
                    "Level %(level)s has no e-mail template.", level=self.level_id.name
                )
            )
        if rendered is None:
            lang = recipients[0].lang or self.partner_id.lang
            rendered = template.with_context(lang=lang)._generate_template(
                self.ids, EMAIL_FIELDS
            )[self.id]
        attachments = self.env["ir.attachment"]
        if self.send_letter:
            attachments |= self._get_letter()
        if self.attach_statement:
            attachments |= self._get_statement()
        # Posting on the customer needs write access to contacts, which a
        # collector does not need otherwise: post as sudo, authored by the user.
        partner = self.partner_id.sudo().with_context(mail_post_autofollow=False)
        message = partner.message_post(
            message_id=self._notice_message_id(),
            author_id=self.env.user.partner_id.id,
            body=rendered.get("body_html") or "",
            subject=rendered.get("subject") or "",
            email_from=rendered.get("email_from") or None,
            reply_to=rendered.get("reply_to") or None,
            partner_ids=recipients.ids,
            attachment_ids=attachments.ids,
            subtype_xmlid="mail.mt_comment",
            message_type="comment",
            model_description=self.env._("Follow-up"),
        )
        self.write(
            {"message_id": message.id, "recipient_ids": [(6, 0, recipients.ids)]}
        )

    def _notice_message_id(self):
        """The Message-Id of this notice's e-mail, the same at every attempt.

        A mail can reach the customer twice when the server is killed
        between the SMTP server's acceptance and the commit of its ``sent``
        state: the mail queue sends it again.  The copy carries the same
        Message-Id (Odoo keeps it on the queued mail), and so does a notice
        sent again after a failure, because the id is made of what makes
        the notice unique (its first installment and its level, a key the
        database allows once) and of the database's uuid, not of the time:
        mail servers and clients that drop duplicate Message-Ids drop it."""
        self.ensure_one()
        line = self.line_ids.sorted("move_line_id")[:1]
        key = (
            f"{line.move_line_id.id}.{line.level_id.id}" if line else f"action{self.id}"
        )
        database = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        host = urlparse(self.get_base_url()).hostname or "localhost"
        return f"<dunning.{key}.{(database or '')[:13]}@{host}>"

    def _render_one(self, report, res_id):
        content, _report_type = (
            self.env["ir.actions.report"]
            .sudo()
            .with_company(self.company_id)
            .with_context(dunning_lenient_assets=True)
            ._render_qweb_pdf(report, res_ids=[res_id])
        )
        return content

    def _get_letter(self):
        """The letter of this action: rendered once, kept on the action."""
        self.ensure_one()
        if not self.letter_attachment_id:
            content = self._render_one(LETTER_REPORT, self.id)
            self.letter_attachment_id = self._store_documents(
                {self.id: content}, "letter"
            )
        return self.letter_attachment_id

    def _get_statement(self):
        """The customer statement sent with this action, kept on it."""
        self.ensure_one()
        if not self.statement_attachment_id:
            content = self._render_one(STATEMENT_REPORT, self.partner_id.id)
            self.statement_attachment_id = self._store_documents(
                {self.id: content}, "statement"
            )
        return self.statement_attachment_id

    def _print_letter(self):
        """The letter channel: the letter, traced on the customer's chatter."""
        attachment = self._get_letter()
        self.partner_id.sudo().message_post(
            author_id=self.env.user.partner_id.id,
            body=self.env._(
                "Follow-up letter %(level)s printed.", level=self.level_id.name
            ),
            attachment_ids=attachment.ids,
            subtype_xmlid="mail.mt_note",
        )
        return attachment

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

    def _schedule_activity(self):
        user = self._get_activity_user()
        note = self.level_id.activity_note or Markup("<p>%s</p>") % self.env._(
            "Follow-up %(level)s: %(amount)s due.",
            level=self.level_id.name,
            amount=self.env["ir.qweb.field.monetary"].value_to_html(
                self.amount_due, {"display_currency": self.currency_id}
            ),
        )
        activity = self.partner_id.sudo().activity_schedule(
            activity_type_id=self.activity_type_id.id,
            user_id=user.id if user else None,
            note=note,
            summary=self.name,
            date_deadline=self.date,
        )
        self.activity_id = activity

    def _after_done(self):
        """Traces on the invoices and dates of the last notice, in bulk."""
        if not self:
            return
        bodies = {}
        for action in self:
            channels = []
            if action.message_id:
                channels.append(self.env._("e-mail"))
            if action.letter_attachment_id:
                channels.append(self.env._("letter"))
            if action.statement_attachment_id:
                channels.append(self.env._("statement"))
            if action.activity_id:
                channels.append(self.env._("activity"))
            text = Markup("%s") % self.env._(
                "Follow-up %(level)s (%(channels)s) sent to %(partner)s.",
                level=action.level_id.name,
                channels=", ".join(channels) or self.env._("recorded"),
                partner=action.partner_id.name,
            )
            for move in action.line_ids.move_id:
                bodies[move.id] = bodies.get(move.id, Markup()) + Markup(
                    "<p>%s</p>"
                ) % escape(text)
        moves = self.env["account.move"].browse(list(bodies))
        if moves:
            moves.sudo()._message_log_batch(bodies=bodies)
        self.env["dunning.action.line"].flush_model()
        self.env.cr.execute(
            """
            UPDATE account_move_line aml SET dunning_date = act.date
              FROM dunning_action_line dal
              JOIN dunning_action act ON act.id = dal.action_id
             WHERE dal.move_line_id = aml.id AND act.id = ANY(%(ids)s);
            UPDATE account_move move SET dunning_last_date = act.date
              FROM dunning_action_line dal
              JOIN dunning_action act ON act.id = dal.action_id
             WHERE dal.move_id = move.id AND act.id = ANY(%(ids)s);
            UPDATE dunning_partner_state st SET last_notice_date = act.date
              FROM dunning_action act
             WHERE act.partner_id = st.partner_id AND act.company_id = st.company_id
               AND act.id = ANY(%(ids)s)
               AND (st.last_notice_date IS NULL OR st.last_notice_date < act.date);
            """,
            {"ids": self.ids},
        )
        self.env["account.move.line"].invalidate_model(["dunning_date"])
        self.env["account.move"].invalidate_model(["dunning_last_date"])
        self.env["dunning.partner.state"].invalidate_model(["last_notice_date"])

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

    def _reset_last_notice_dates(self):
        """A notice that did not go out is no last notice: the dates
        :meth:`_after_done` wrote come back to those of the notices done."""
        if not self:
            return
        self.flush_model()
        self.env["dunning.action.line"].flush_model()
        self.env.cr.execute(
            """
            UPDATE account_move_line aml SET dunning_date = (
                   SELECT MAX(act.date) FROM dunning_action_line dal
                     JOIN dunning_action act ON act.id = dal.action_id
                    WHERE dal.move_line_id = aml.id AND act.state = 'done')
              FROM dunning_action_line mine
             WHERE mine.move_line_id = aml.id AND mine.action_id = ANY(%(ids)s);
            UPDATE account_move move SET dunning_last_date = (
                   SELECT MAX(act.date) FROM dunning_action_line dal
                     JOIN dunning_action act ON act.id = dal.action_id
                    WHERE dal.move_id = move.id AND act.state = 'done')
              FROM dunning_action_line mine
             WHERE mine.move_id = move.id AND mine.action_id = ANY(%(ids)s);
            UPDATE dunning_partner_state st SET last_notice_date = (
                   SELECT MAX(act.date) FROM dunning_action act
                    WHERE act.partner_id = st.partner_id
                      AND act.company_id = st.company_id AND act.state = 'done')
              FROM dunning_action mine
             WHERE mine.partner_id = st.partner_id
               AND mine.company_id = st.company_id AND mine.id = ANY(%(ids)s);
            """,
            {"ids": self.ids},
        )
        self.env["account.move.line"].invalidate_model(["dunning_date"])
        self.env["account.move"].invalidate_model(["dunning_last_date"])
        self.env["dunning.partner.state"].invalidate_model(["last_notice_date"])

    @api.model
    def _cron_retry_failed(self):
        """Retry failed actions (a mail server down, a PDF refused) a few times."""
        actions = self.search(
            [("state", "=", "failed"), ("attempt_count", "<", MAX_ATTEMPTS)], limit=200
        )
        actions._execute()
        return actions

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
