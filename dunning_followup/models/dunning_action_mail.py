# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from collections import defaultdict
from urllib.parse import urlparse

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

_logger = logging.getLogger(__name__)

EMAIL_FIELDS = ("subject", "body_html", "email_from", "reply_to")


class DunningAction(models.Model):
    """The channels of a notice: its e-mail (rendered in batches, posted on
    the customer's chatter), its printed letter and its activity."""

    _inherit = "dunning.action"

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
