# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

CHARGE_KINDS = [
    ("fee", "Late payment fee"),
    ("compensation", "Recovery cost compensation"),
    ("interest", "Late payment interest"),
]
#: xmlids of the service product invoiced for each kind of charge
CHARGE_PRODUCTS = {
    "fee": "dunning_escalation.product_late_fee",
    "compensation": "dunning_escalation.product_recovery_compensation",
    "interest": "dunning_escalation.product_late_interest",
}


class DunningCharge(models.Model):
    """The ledger of fees and interest charged for late invoices.

    One row per charge, in the currency of the late invoice.  The database
    refuses a second fee for the same (invoice, level), a second recovery
    compensation for the same invoice and two interest charges ending on the
    same day for the same invoice: reruns, retries and crashes cannot charge
    twice.  A charge is *pending* until it is on a late-fee invoice, *on a
    draft invoice* while that invoice is not posted, and *invoiced* once it
    is: the notices, the statement and this ledger say the same.  When an
    unposted late-fee invoice is cancelled or deleted its charges are pending
    again and go on the customer's next late-fee invoice.  *Waived* charges
    are never invoiced, and never charged again.
    """

    _name = "dunning.charge"
    _description = "Late payment charge"
    _order = "date desc, id desc"

    name = fields.Char(string="Description", required=True, readonly=True)
    kind = fields.Selection(CHARGE_KINDS, required=True, readonly=True, index=True)
    action_id = fields.Many2one(
        "dunning.action",
        string="Notice",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    date = fields.Date(related="action_id.date", store=True)
    level_id = fields.Many2one(
        "dunning.level", required=True, readonly=True, ondelete="restrict"
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    move_id = fields.Many2one(
        "account.move",
        string="Late invoice",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    amount = fields.Monetary(currency_field="currency_id", readonly=True)
    date_from = fields.Date(string="Interest from", readonly=True)
    date_to = fields.Date(string="Interest to", readonly=True)
    detail = fields.Text(readonly=True, help="How the amount was computed.")
    fee_move_id = fields.Many2one(
        "account.move",
        string="Late-fee invoice",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        copy=False,
    )
    waived = fields.Boolean(readonly=True, copy=False)
    state = fields.Selection(
        [
            ("pending", "To invoice"),
            ("draft", "On a draft invoice"),
            ("invoiced", "Invoiced"),
            ("waived", "Waived"),
        ],
        compute="_compute_state",
        store=True,
        index=True,
    )

    _sql_constraints = [
        (
            "amount_positive",
            "CHECK (amount > 0)",
            "A late payment charge must be greater than zero.",
        ),
    ]

    def init(self):
        res = super().init()
        cr = self.env.cr
        # The once-only keys; partial unique indexes, one per kind.
        cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS dunning_charge_fee_once
                ON dunning_charge (move_id, level_id) WHERE kind = 'fee';
            CREATE UNIQUE INDEX IF NOT EXISTS dunning_charge_compensation_once
                ON dunning_charge (move_id) WHERE kind = 'compensation';
            CREATE UNIQUE INDEX IF NOT EXISTS dunning_charge_interest_once
                ON dunning_charge (move_id, date_to) WHERE kind = 'interest';
            """
        )
        return res

    # Not on fee_move_id.state: that would make every invoice posted or
    # cancelled look for charges; posting a late-fee invoice or resetting it
    # to draft recomputes its charges (account.move._post, button_draft),
    # cancelling it unlinks them (button_cancel).
    @api.depends("waived", "fee_move_id")
    def _compute_state(self):
        for charge in self:
            if charge.waived:
                charge.state = "waived"
            elif charge.fee_move_id.state == "posted":
                charge.state = "invoiced"
            elif charge.fee_move_id:
                charge.state = "draft"
            else:
                charge.state = "pending"

    def action_waive(self):
        """Never invoice these charges (a goodwill gesture): they stay in the
        ledger, so they are not charged again either."""
        if self.filtered(lambda c: c.state in ("draft", "invoiced")):
            raise UserError(
                self.env._(
                    "Only charges to invoice can be waived; for invoiced ones, "
                    "cancel the draft late-fee invoice or issue a credit note."
                )
            )
        self.write({"waived": True})
        for charge in self:
            charge.partner_id.sudo().message_post(
                body=self.env._(
                    "Late payment charge waived: %(charge)s (%(amount)s %(currency)s).",
                    charge=charge.name,
                    amount=charge.amount,
                    currency=charge.currency_id.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _get_product(self):
        self.ensure_one()
        product = self.env.ref(CHARGE_PRODUCTS[self.kind], raise_if_not_found=False)
        if not product:
            raise UserError(
                self.env._(
                    "The product for %(kind)s charges is missing; update the "
                    "Dunning Escalation module to create it again.",
                    kind=dict(CHARGE_KINDS)[self.kind],
                )
            )
        return product
