# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.safe_eval import safe_eval

from .account_move import OWN_REASONS

AGENCY_TYPES = [("factor", "Factoring company"), ("collection", "Collection agency")]
EXPORT_FORMATS = [
    ("csv", "CSV"),
    ("xlsx", "Excel (XLSX)"),
    ("xml", "XML (invoice assignment)"),
    ("fixed", "Fixed width"),
]
#: batch line states that keep an invoice with the agency
HELD_LINE_STATES = ("proposed", "exported", "accepted", "recovered")


class DunningAgency(models.Model):
    """A factoring company (buys receivables for cash now) or a collection
    agency (chases them for a commission), the file it reads and which
    invoices it takes."""

    _name = "dunning.agency"
    _description = "Factoring company or collection agency"
    _inherit = ["mail.thread"]
    _order = "company_id, name"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Agency contact",
        required=True,
        check_company=True,
        help="The factor or the agency: receives the files and, for a factor, "
        "owes the advance.",
    )
    agency_type = fields.Selection(
        AGENCY_TYPES, string="Type", required=True, default="collection", tracking=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    export_format = fields.Selection(
        EXPORT_FORMATS, required=True, default="csv", tracking=True
    )
    csv_delimiter = fields.Selection(
        [(";", "Semicolon"), (",", "Comma"), ("\t", "Tab"), ("|", "Pipe")],
        string="CSV delimiter",
        default=";",
    )
    csv_encoding = fields.Selection(
        [
            ("utf-8", "UTF-8"),
            ("utf-8-sig", "UTF-8 with BOM"),
            ("latin-1", "Latin-1"),
            ("cp1252", "Windows-1252"),
        ],
        string="Encoding",
        default="utf-8",
    )
    csv_decimal_separator = fields.Selection(
        [(".", "Point"), (",", "Comma")], string="Decimal separator", default="."
    )
    contract_number = fields.Char(
        string="Contract / transmitter number",
        help="Your number at the agency, written in the header of every file.",
    )
    advance_percent = fields.Float(
        string="Advance (%)",
        digits=(5, 2),
        help="Share of the assigned amount the factor pays at once.",
    )
    fee_percent = fields.Float(
        string="Factoring fee (%)", digits=(5, 2), help="What the factor keeps."
    )
    commission_percent = fields.Float(
        string="Commission (%)",
        digits=(5, 2),
        help="Share of what the agency recovers that it keeps.",
    )
    max_days_late = fields.Integer(
        string="Maximum days late",
        default=30,
        help="Factoring: the factor buys invoices not yet due or at most this "
        "many days late.",
    )
    notify_debtors = fields.Boolean(
        string="Notify debtors",
        help="Send each debtor a notice of assignment with the new payment "
        "instructions when the batch is exported.",
    )
    notice_template_id = fields.Many2one(
        "mail.template",
        string="Notice of assignment",
        domain=[("model", "=", "dunning.export.line")],
        default=lambda self: self.env.ref(
            "dunning_factoring.mail_template_assignment_notice",
            raise_if_not_found=False,
        ),
    )
    bank_account_id = fields.Many2one(
        "res.partner.bank",
        string="Bank account for debtors",
        domain="[('partner_id', '=', partner_id)]",
        help="Where debtors pay after the assignment.",
    )
    eligibility_domain = fields.Char(
        default="[('move_type', '=', 'out_invoice')]",
        help="Further conditions on the invoices proposed, on top of the rules "
        "of the agency type.",
    )
    journal_id = fields.Many2one(
        "account.journal",
        check_company=True,
        domain="[('type', 'in', ('bank', 'general'))]",
        help="Journal of the recoveries and of the sale of receivables; its "
        "default account receives the money.",
    )
    factoring_entry = fields.Boolean(
        string="Book the sale of receivables",
        help="Factoring: on export, move the receivables to the factor's "
        "account and book the advance and the fee.",
    )
    factor_account_id = fields.Many2one(
        "account.account",
        string="Account at the factor",
        check_company=True,
        help="What the factor still owes (assigned amount less advance and fee).",
    )
    expense_account_id = fields.Many2one(
        "account.account",
        string="Fee / commission account",
        check_company=True,
    )
    batch_ids = fields.One2many("dunning.export.batch", "agency_id", string="Batches")
    batch_count = fields.Integer(compute="_compute_batch_count")

    @api.depends("batch_ids")
    def _compute_batch_count(self):
        groups = self.env["dunning.export.batch"]._read_group(
            [("agency_id", "in", self.ids)], ["agency_id"], ["__count"]
        )
        counts = {agency.id: count for agency, count in groups}
        for agency in self:
            agency.batch_count = counts.get(agency.id, 0)

    @api.constrains("advance_percent", "fee_percent", "commission_percent")
    def _check_percents(self):
        labels = {
            "advance_percent": self.env._("Advance (%)"),
            "fee_percent": self.env._("Factoring fee (%)"),
            "commission_percent": self.env._("Commission (%)"),
        }
        for agency in self:
            for field, label in labels.items():
                if not 0 <= agency[field] <= 100:
                    raise ValidationError(
                        self.env._(
                            "%(field)s must be between 0 and 100 (agency %(agency)s).",
                            field=label,
                            agency=agency.name,
                        )
                    )
            if agency.advance_percent + agency.fee_percent > 100:
                raise ValidationError(
                    self.env._(
                        "Advance (%%) and factoring fee (%%) together cannot exceed "
                        "100 (agency %(agency)s).",
                        agency=agency.name,
                    )
                )

    @api.constrains("max_days_late")
    def _check_max_days_late(self):
        for agency in self:
            if agency.max_days_late < 0:
                raise ValidationError(
                    self.env._(
                        "Maximum days late cannot be negative (agency %(agency)s).",
                        agency=agency.name,
                    )
                )

    @api.constrains("eligibility_domain")
    def _check_eligibility_domain(self):
        for agency in self:
            try:
                agency._get_custom_domain()
                self.env["account.move"].search_count(
                    agency._get_custom_domain(), limit=1
                )
            except Exception as exc:
                raise ValidationError(
                    self.env._(
                        "Eligibility domain of agency %(agency)s is not valid: %(error)s",
                        agency=agency.name,
                        error=exc,
                    )
                ) from exc

    def _get_custom_domain(self):
        self.ensure_one()
        domain = safe_eval(self.eligibility_domain or "[]")
        if not isinstance(domain, list):
            raise ValueError(self.env._("a domain is a list"))
        return domain

    def _get_final_levels(self):
        """The last level (most days) of every policy of the company."""
        self.ensure_one()
        levels = (
            self.env["dunning.level"]
            .sudo()
            .search(
                [("policy_id.company_id", "=", self.company_id.id)],
                order="days desc, id desc",
            )
        )
        final = {}
        for level in levels:
            final.setdefault(level.policy_id, level)
        return self.env["dunning.level"].browse([lvl.id for lvl in final.values()])

    def _get_eligible_domain(self, on_date):
        """Invoices this agency may take on ``on_date``.

        Both types: posted customer invoices of the company with something
        open, not excluded from the follow-up (a dispute, a promise, a plan or
        any other reason; the reasons of this addon are governed by the batch
        lines instead) and not held in another batch.  A collection agency
        takes what reached the final level of its policy; a factor what is
        not due yet or at most ``max_days_late`` late."""
        self.ensure_one()
        domain = [
            *self.env["account.move"]._dunning_open_invoice_domain(self.company_id.id),
            ("amount_residual", ">", 0),
            "|",
            "|",
            ("dunning_excluded", "=", False),
            ("dunning_exclusion_reason", "in", OWN_REASONS),
            ("dunning_excluded_until", "<", on_date),
            (
                "dunning_export_line_ids",
                "not any",
                [
                    ("state", "in", HELD_LINE_STATES),
                    ("batch_id.state", "!=", "cancelled"),
                ],
            ),
        ]
        if self.agency_type == "collection":
            domain.append(("dunning_level_id", "in", self._get_final_levels().ids))
        else:
            limit = on_date - timedelta(days=self.max_days_late)
            domain.append(("invoice_date_due", ">=", limit))
        return domain + self._get_custom_domain()

    def action_open_batches(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Batches"),
            "res_model": "dunning.export.batch",
            "view_mode": "list,form",
            "domain": [("agency_id", "=", self.id)],
            "context": {"default_agency_id": self.id},
        }
