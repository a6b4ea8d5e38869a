# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict
from decimal import Decimal

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .dunning_agency import HELD_LINE_STATES

#: the fields _refresh_snapshot writes
SNAPSHOT_FIELDS = [
    "partner_id",
    "currency_id",
    "amount_residual",
    "date_maturity",
    "days_late",
    "level_id",
    "fees",
    "interest",
    "prev_excluded",
    "prev_exclusion_reason",
    "prev_excluded_until",
]
LINE_STATES = [
    ("proposed", "Proposed"),
    ("exported", "Exported"),
    ("accepted", "Accepted"),
    ("rejected", "Rejected"),
    ("recovered", "Recovered"),
    ("returned", "Returned"),
]


class DunningExportLine(models.Model):
    """One invoice in an agency batch.

    The figures (open amount, days late, level, fees and interest) are a
    snapshot taken when the line is added and again at export, in one query
    for the whole batch.  The export also keeps the invoice's follow-up
    exclusion as it was, so that a cancellation or a return puts it back
    exactly."""

    _name = "dunning.export.line"
    _description = "Agency batch line"
    _order = "batch_id, id"
    _check_company_auto = True

    batch_id = fields.Many2one(
        "dunning.export.batch", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="batch_id.company_id", store=True, index=True)
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        index=True,
        check_company=True,
        ondelete="restrict",
        domain="[('move_type', 'in', ('out_invoice', 'out_receipt')), "
        "('state', '=', 'posted')]",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Debtor", readonly=True, index=True
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount_residual = fields.Monetary(string="Open amount", readonly=True)
    date_maturity = fields.Date(string="Due date", readonly=True)
    days_late = fields.Integer(readonly=True)
    level_id = fields.Many2one("dunning.level", string="Level reached", readonly=True)
    fees = fields.Monetary(string="Fees charged", readonly=True)
    interest = fields.Monetary(string="Interest charged", readonly=True)
    state = fields.Selection(
        LINE_STATES, required=True, default="proposed", readonly=True, index=True
    )
    amount_recovered = fields.Monetary(readonly=True)
    commission = fields.Monetary(readonly=True)
    recovery_move_id = fields.Many2one("account.move", readonly=True, copy=False)
    # the invoice's exclusion before the export, restored on cancel/return
    prev_excluded = fields.Boolean(readonly=True)
    prev_exclusion_reason = fields.Char(readonly=True)
    prev_excluded_until = fields.Date(readonly=True)
    batch_state = fields.Selection(related="batch_id.state", string="Batch status")
    debtor_line_ids = fields.Many2many(
        "dunning.export.line",
        compute="_compute_debtor_line_ids",
        help="The lines of the same batch and debtor (the notice of assignment "
        "lists them).",
    )

    _sql_constraints = [
        (
            "batch_move_unique",
            "UNIQUE (batch_id, move_id)",
            "An invoice appears only once in a batch.",
        )
    ]

    @api.depends("batch_id.line_ids.partner_id")
    def _compute_debtor_line_ids(self):
        for line in self:
            line.debtor_line_ids = line.batch_id.line_ids.filtered(
                lambda ln, p=line.partner_id: ln.partner_id == p
            )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        draft = lines.filtered(lambda ln: ln.batch_id.state == "draft")
        if draft != lines:
            raise UserError(self.env._("Invoices are added to draft batches only."))
        lines._refresh_snapshot()
        return lines

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        if any(line.batch_id.state != "draft" for line in self):
            raise UserError(self.env._("Invoices are removed from draft batches only."))

    def _refresh_snapshot(self):
        """Debtor, open amount, due date, days late, level reached, fees and
        interest of the invoices, and their exclusion, in one UPDATE."""
        if not self:
            return
        self.env.flush_all()
        charges = SQL("SELECT NULL::int AS move_id, 0 AS fees, 0 AS interest")
        if "dunning.charge" in self.env:
            charges = SQL(
                """
                SELECT move_id,
                       SUM(amount) FILTER (WHERE kind != 'interest') AS fees,
                       SUM(amount) FILTER (WHERE kind = 'interest') AS interest
                  FROM dunning_charge
                 WHERE move_id IN (SELECT move_id FROM dunning_export_line
                                    WHERE id = ANY(%(ids)s))
                   AND waived IS NOT TRUE
                 GROUP BY move_id
                """,
                ids=self.ids,
            )
        self.env.cr.execute(
            SQL(
                """
                UPDATE dunning_export_line line
                   SET partner_id = move.commercial_partner_id,
                       currency_id = move.currency_id,
                       amount_residual = move.amount_residual,
                       date_maturity = move.invoice_date_due,
                       days_late = batch.date - move.invoice_date_due,
                       level_id = top.level_id,
                       fees = COALESCE(charge.fees, 0),
                       interest = COALESCE(charge.interest, 0),
                       prev_excluded = move.dunning_excluded,
                       prev_exclusion_reason = move.dunning_exclusion_reason,
                       prev_excluded_until = move.dunning_excluded_until
                  FROM account_move move
                  JOIN dunning_export_line l2 ON l2.move_id = move.id
                  JOIN dunning_export_batch batch ON batch.id = l2.batch_id
                  LEFT JOIN LATERAL (%(top)s) top ON TRUE
                  LEFT JOIN (%(charges)s) charge ON charge.move_id = move.id
                 WHERE l2.id = line.id AND line.id = ANY(%(ids)s)
                """,
                top=self.env["dunning.action.line"]._highest_level_sql(
                    "move_id", SQL("move.id")
                ),
                charges=charges,
                ids=self.ids,
            )
        )
        self.invalidate_recordset(SNAPSHOT_FIELDS)
        self.modified(["amount_residual"])

    def _held_elsewhere(self):
        """The lines of other, non-cancelled batches that hold these
        lines' invoices."""
        return self.search(
            [
                ("move_id", "in", self.move_id.ids),
                ("batch_id", "not in", self.batch_id.ids),
                ("batch_id.state", "!=", "cancelled"),
                ("state", "in", HELD_LINE_STATES),
            ]
        )

    def _get_records(self):
        """The records the writers expect, read in one query."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT move.name AS invoice_number,
                       move.invoice_date,
                       line.date_maturity AS due_date,
                       cur.name AS currency,
                       cur.decimal_places,
                       line.amount_residual AS amount,
                       line.days_late,
                       line.fees,
                       line.interest,
                       p.ref AS debtor_ref,
                       p.name AS debtor_name,
                       p.vat AS debtor_vat,
                       p.street AS debtor_street,
                       p.zip AS debtor_zip,
                       p.city AS debtor_city,
                       country.code AS debtor_country
                  FROM dunning_export_line line
                  JOIN account_move move ON move.id = line.move_id
                  JOIN res_currency cur ON cur.id = line.currency_id
                  JOIN res_partner p ON p.id = line.partner_id
                  LEFT JOIN res_country country ON country.id = p.country_id
                 WHERE line.id = ANY(%s)
                 ORDER BY line.id
                """,
                self.ids,
            )
        )
        records = self.env.cr.dictfetchall()
        for record in records:
            quantum = Decimal(1).scaleb(-record.pop("decimal_places"))
            for key in ("amount", "fees", "interest"):
                value = record[key]
                record[key] = Decimal(str(value or 0)).quantize(quantum)
            if not record["fees"]:
                record["fees"] = None
            if not record["interest"]:
                record["interest"] = None
        return records

    def _hand_over(self):
        """The invoices leave the internal follow-up (reason ``agency``) and
        their chatter and their debtor's record the hand-over."""
        batch = self.batch_id
        self.write({"state": "exported"})
        moves = self.move_id
        moves._dunning_set_exclusion(True, "agency")
        body = self.env._(
            "Handed over to %(agency)s in batch %(batch)s.",
            agency=batch.agency_id.name,
            batch=batch._get_html_link(),
        )
        moves._message_log_batch({move.id: body for move in moves})
        partners = self.partner_id
        partners._message_log_batch({partner.id: body for partner in partners})

    def _give_back(self, why, state=None):
        """Put the invoices back as they were before the export, and say why
        on their chatter."""
        if not self:
            return
        if state:
            self.write({"state": state})
        groups = defaultdict(lambda: self.env["account.move"])
        for line in self:
            if line.move_id.dunning_exclusion_reason == "agency":
                key = (
                    line.prev_excluded,
                    line.prev_exclusion_reason or False,
                    line.prev_excluded_until or False,
                )
                groups[key] |= line.move_id
        for (excluded, reason, until), moves in groups.items():
            moves._dunning_set_exclusion(excluded, reason, until)
        body = Markup("{}: {}").format(
            why, self.env._("the invoice is back in the follow-up.")
        )
        self.move_id._message_log_batch({move.id: body for move in self.move_id})

    def _send_assignment_notices(self):
        """One notice of assignment per debtor, with the new payment
        instructions, posted on the debtor (which sends the e-mail)."""
        template = self.batch_id.agency_id.notice_template_id
        if not template:
            return
        first = {}
        for line in self:
            first.setdefault(line.partner_id, line)
        lines = self.browse([line.id for line in first.values()])
        rendered = template._generate_template(lines.ids, ("subject", "body_html"))
        for partner, line in first.items():
            recipients = partner._dunning_get_recipients()
            if not recipients:
                continue
            partner.sudo().with_context(mail_post_autofollow=False).message_post(
                author_id=self.env.user.partner_id.id,
                body=rendered[line.id].get("body_html") or "",
                subject=rendered[line.id].get("subject") or "",
                partner_ids=recipients.ids,
                subtype_xmlid="mail.mt_comment",
                message_type="comment",
            )
