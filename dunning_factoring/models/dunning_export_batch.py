# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_amount

from odoo.addons.dunning_followup.models.account_move_line import (
    DUNNING_PAYMENT_STATES,
)

from ..tools import dossier, writers

STATEMENT_REPORT = "dunning_followup.action_report_dunning_statement"
BATCH_STATES = [
    ("draft", "Draft"),
    ("exported", "Exported"),
    ("accepted", "Accepted"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]


class DunningExportBatch(models.Model):
    """Invoices handed over to one agency in one file.

    Proposed from the agency's eligibility rules, reviewed by hand, exported
    (the file is kept, the invoices leave the internal follow-up), answered
    (the agency's file imported back), then closed, or cancelled, which
    restores every invoice as it was.  Every step is set-based: the number of
    queries does not depend on the number of lines."""

    _name = "dunning.export.batch"
    _description = "Agency batch"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default="/")
    agency_id = fields.Many2one(
        "dunning.agency", required=True, check_company=True, tracking=True
    )
    batch_type = fields.Selection(
        related="agency_id.agency_type", store=True, string="Type"
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    state = fields.Selection(
        BATCH_STATES, required=True, default="draft", readonly=True, tracking=True
    )
    line_ids = fields.One2many("dunning.export.line", "batch_id", string="Invoices")
    item_count = fields.Integer(compute="_compute_totals", store=True)
    control_sum = fields.Monetary(
        compute="_compute_totals",
        store=True,
        help="Sum of the open amounts of the lines, whatever their currency: the "
        "hash total the agency checks.",
    )
    attachment_id = fields.Many2one(
        "ir.attachment", string="Exported file", readonly=True, copy=False
    )
    dossier_attachment_id = fields.Many2one(
        "ir.attachment", string="Collection dossier", readonly=True, copy=False
    )
    entry_id = fields.Many2one(
        "account.move", string="Sale of receivables", readonly=True, copy=False
    )
    exported_date = fields.Datetime(readonly=True, copy=False)

    @api.depends("line_ids.amount_residual")
    def _compute_totals(self):
        groups = self.env["dunning.export.line"]._read_group(
            [("batch_id", "in", self.ids)],
            ["batch_id"],
            ["__count", "amount_residual:sum"],
        )
        totals = {batch.id: (count, total) for batch, count, total in groups}
        for batch in self:
            batch.item_count, batch.control_sum = totals.get(batch.id, (0, 0.0))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(
                    vals.get("company_id") or self.env.company.id
                )
                vals["name"] = (
                    self.env["ir.sequence"]
                    .with_company(company)
                    .next_by_code("dunning.export.batch")
                    or "/"
                )
        return super().create(vals_list)

    def _check_state(self, *states):
        for batch in self:
            if batch.state not in states:
                raise UserError(
                    self.env._(
                        "Batch %(batch)s is %(state)s: this cannot be done now.",
                        batch=batch.name,
                        state=dict(BATCH_STATES)[batch.state],
                    )
                )

    # -- proposal -------------------------------------------------------------

    def action_propose(self):
        """Add the invoices the agency may take to this draft batch."""
        self._check_state("draft")
        for batch in self:
            domain = batch.agency_id._get_eligible_domain(batch.date)
            moves = self.env["account.move"].search(
                domain, order="invoice_date_due, id"
            )
            self.env["dunning.export.line"].create(
                [{"batch_id": batch.id, "move_id": move_id} for move_id in moves.ids]
            )
        return True

    # -- export ---------------------------------------------------------------

    def action_export(self):
        """Write the agency's file, keep it on the batch, and hand the
        invoices over: they leave the internal follow-up."""
        self._check_state("draft")
        for batch in self:
            batch._check_lines()
            batch.line_ids._refresh_snapshot()
            content = batch._write_file()
            extension, mimetype = writers.FILE_TYPES[batch.agency_id.export_format]
            batch.attachment_id = self.env["ir.attachment"].create(
                {
                    "name": f"{dossier.safe_name(batch.name)}.{extension}",
                    "raw": content,
                    "mimetype": mimetype,
                    "res_model": batch._name,
                    "res_id": batch.id,
                }
            )
            batch.line_ids._hand_over()
            batch.write({"state": "exported", "exported_date": fields.Datetime.now()})
            batch._after_export()
            batch.message_post(
                body=self.env._(
                    "Exported %(count)s invoices (control sum %(sum)s) to %(agency)s.",
                    count=batch.item_count,
                    sum=format_amount(self.env, batch.control_sum, batch.currency_id),
                    agency=batch.agency_id.name,
                ),
                attachment_ids=batch.attachment_id.ids,
            )
        return True

    def _after_export(self):
        """What an export does beyond the file: the dossier for a collection
        agency, the sale of receivables for a factor, notices to debtors."""
        self.ensure_one()
        agency = self.agency_id
        if agency.agency_type == "collection":
            self._attach_dossier()
        elif agency.factoring_entry:
            self._book_factoring_entry()
        if agency.notify_debtors:
            self.line_ids._send_assignment_notices()

    def _check_lines(self):
        """Refuse an empty batch, an invoice of another company, one paid or
        cancelled since it was proposed and one already held in another
        batch, naming them."""
        self.ensure_one()
        if not self.line_ids:
            raise UserError(
                self.env._("Batch %(batch)s has no invoice to export.", batch=self.name)
            )
        foreign = self.line_ids.filtered(
            lambda ln: ln.move_id.company_id != self.company_id
        )
        if foreign:
            raise UserError(
                self.env._(
                    "These invoices belong to another company than batch %(batch)s: "
                    "%(moves)s.",
                    batch=self.name,
                    moves=", ".join(foreign.move_id.mapped("display_name")),
                )
            )
        settled = self.line_ids.filtered(
            lambda ln: ln.move_id.state != "posted"
            or ln.move_id.payment_state not in DUNNING_PAYMENT_STATES
        )
        if settled:
            raise UserError(
                self.env._(
                    "These invoices have nothing open any more: %(moves)s. Remove "
                    "them from batch %(batch)s.",
                    moves=", ".join(settled.move_id.mapped("display_name")),
                    batch=self.name,
                )
            )
        held = self.line_ids._held_elsewhere()  # lines of the other batches
        if held:
            raise UserError(
                self.env._(
                    "These invoices are already in another open batch: %(moves)s.",
                    moves=", ".join(
                        f"{line.move_id.display_name} ({line.batch_id.name})"
                        for line in held
                    ),
                )
            )

    def _get_file_header(self):
        return {
            "batch": self.name,
            "date": self.date,
            "sender": self.company_id.name,
            "transmitter": self.agency_id.contract_number or "",
            "agency": self.agency_id.name,
        }

    def _get_file_options(self):
        agency = self.agency_id
        return {
            "delimiter": agency.csv_delimiter,
            "encoding": agency.csv_encoding,
            "decimal_separator": agency.csv_decimal_separator,
        }

    def _write_file(self):
        """The agency's file, complete, or a UserError naming the problem."""
        self.ensure_one()
        try:
            return writers.write(
                self.agency_id.export_format,
                self._get_file_header(),
                self.line_ids._get_records(),
                self._get_file_options(),
            )
        except writers.ExportError as exc:
            raise UserError(
                self.env._(
                    "Batch %(batch)s cannot be exported: %(error)s",
                    batch=self.name,
                    error=exc,
                )
            ) from exc

    def _attach_dossier(self):
        """Zip, per debtor, the statement and a copy of every notice and
        letter sent: the written record the agency needs."""
        self.ensure_one()
        entries = []
        # lenient assets: see dunning_followup's ir.actions.report
        report = (
            self.env["ir.actions.report"]
            .sudo()
            .with_company(self.company_id)
            .with_context(dunning_lenient_assets=True)
        )
        actions = (
            self.env["dunning.action"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.line_ids.partner_id.ids),
                    ("company_id", "=", self.company_id.id),
                    ("state", "=", "done"),
                ],
                order="date, id",
            )
        )
        for partner in self.line_ids.partner_id.sorted("id"):
            folder = dossier.safe_name(f"{partner.name} ({partner.id})")
            content, _type = report._render_qweb_pdf(
                STATEMENT_REPORT, res_ids=partner.ids
            )
            ext = "pdf" if content[:4] == b"%PDF" else "html"
            entries.append((f"{folder}/statement.{ext}", content))
            for action in actions.filtered(lambda a, p=partner: a.partner_id == p):
                stem = f"{folder}/{action.date}-{action.id}-{dossier.safe_name(action.level_id.name)}"
                if action.message_id:
                    body = Markup("<h1>{}</h1>{}").format(
                        action.message_id.subject or "", action.message_id.body
                    )
                    entries.append((f"{stem}-email.html", str(body).encode()))
                for kind, attachment in (
                    ("letter", action.letter_attachment_id),
                    ("statement", action.statement_attachment_id),
                ):
                    if attachment:
                        ext = (attachment.name or "").rsplit(".", 1)[-1] or "pdf"
                        entries.append((f"{stem}-{kind}.{ext}", attachment.raw))
        self.dossier_attachment_id = self.env["ir.attachment"].create(
            {
                "name": f"{dossier.safe_name(self.name)}-dossier.zip",
                "raw": dossier.build_zip(entries),
                "mimetype": "application/zip",
                "res_model": self._name,
                "res_id": self.id,
            }
        )

    def _book_factoring_entry(self):
        """The sale of receivables: the invoices are settled against the
        factor; the advance reaches the journal's account, the fee is an
        expense and the rest is owed by the factor."""
        self.ensure_one()
        agency = self.agency_id
        missing = [
            label
            for label, value in (
                (self.env._("Journal"), agency.journal_id.default_account_id),
                (self.env._("Account at the factor"), agency.factor_account_id),
                (self.env._("Fee / commission account"), agency.expense_account_id),
            )
            if not value
        ]
        if missing:
            raise UserError(
                self.env._(
                    "Agency %(agency)s cannot book the sale of receivables: set "
                    "%(fields)s.",
                    agency=agency.name,
                    fields=", ".join(missing),
                )
            )
        currency = self.currency_id
        credits = {
            line.move_id: (
                line.move_id.amount_residual,
                line.move_id.amount_residual_signed,
            )
            for line in self.line_ids
        }
        total = sum(balance for _amount, balance in credits.values())
        advance = currency.round(total * agency.advance_percent / 100)
        fee = currency.round(total * agency.fee_percent / 100)
        label = self.env._("Sale of receivables %(batch)s", batch=self.name)
        self.entry_id = self.env["account.move"]._dunning_settle(
            agency.journal_id,
            self.date,
            label,
            credits,
            [
                (
                    agency.journal_id.default_account_id,
                    advance,
                    agency.partner_id,
                    label,
                ),
                (agency.expense_account_id, fee, agency.partner_id, label),
                (
                    agency.factor_account_id,
                    total - advance - fee,
                    agency.partner_id,
                    label,
                ),
            ],
        )

    # -- answers, closing, cancelling --------------------------------------------

    def action_open_import(self):
        self.ensure_one()
        self._check_state("exported", "accepted")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import the answer"),
            "res_model": "dunning.export.import",
            "view_mode": "form",
            "target": "new",
            "context": {"default_batch_id": self.id},
        }

    def action_close(self):
        """Close a batch whose lines are all answered."""
        self._check_state("exported", "accepted")
        for batch in self:
            waiting = batch.line_ids.filtered(
                lambda ln: ln.state in ("proposed", "exported")
            )
            if waiting:
                raise UserError(
                    self.env._(
                        "Batch %(batch)s cannot be closed: %(count)s invoices are not "
                        "answered yet (%(moves)s).",
                        batch=batch.name,
                        count=len(waiting),
                        moves=", ".join(waiting[:10].move_id.mapped("display_name")),
                    )
                )
        self.write({"state": "closed"})
        return True

    def action_cancel(self):
        """Cancel the batch; an exported one gives every invoice back exactly
        as it was before the export (exclusion, level)."""
        self._check_state("draft", "exported", "accepted")
        for batch in self:
            recovered = batch.line_ids.filtered(lambda ln: ln.state == "recovered")
            if recovered:
                raise UserError(
                    self.env._(
                        "Batch %(batch)s cannot be cancelled: money was recovered on "
                        "%(moves)s.",
                        batch=batch.name,
                        moves=", ".join(recovered.move_id.mapped("display_name")),
                    )
                )
            if batch.entry_id:
                batch.entry_id._reverse_moves(cancel=True)
            exported = batch.line_ids.filtered(
                lambda ln: ln.state in ("exported", "accepted")
            )
            exported._give_back(
                self.env._(
                    "Batch %(batch)s was cancelled", batch=batch._get_html_link()
                )
            )
            batch.state = "cancelled"
            if exported:
                batch.message_post(
                    body=self.env._(
                        "Batch cancelled: %(count)s invoices are back in the follow-up "
                        "as they were before the export.",
                        count=len(exported),
                    )
                )
        return True
