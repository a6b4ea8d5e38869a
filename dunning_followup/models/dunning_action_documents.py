# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models

LETTER_REPORT = "dunning_followup.action_report_dunning_letter"
STATEMENT_REPORT = "dunning_followup.action_report_dunning_statement"


class DunningAction(models.Model):
    """The PDF documents of a notice (its letter, the statement sent with
    it): rendered in batches by the report model, stored on the notice."""

    _inherit = "dunning.action"

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
        """``{res_id: pdf bytes}`` for ``report_ref`` over ``res_ids`` in one
        wkhtmltopdf call (:meth:`ir.actions.report._dunning_render_batch`);
        an empty dict means "render them one by one"."""
        return self.env["ir.actions.report"]._dunning_render_batch(report_ref, res_ids)

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
