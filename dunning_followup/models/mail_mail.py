# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class MailMail(models.Model):
    """A notice follows its e-mail: when the mail of a notice fails (server
    down, connection refused, address refused), the notice is failed with
    the reason, and the retry cron sends it again."""

    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, failure_reason=False, failure_type=None
    ):
        # before super: it may delete the mails
        failed = self.filtered(
            lambda mail: mail.state == "exception" and mail.mail_message_id
        )
        if failed:
            self.env["dunning.action"].sudo()._on_mail_failure(
                failed, failure_reason or failure_type
            )
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
