# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL

#: the invoices the follow-up chases: customer invoices and sales receipts
#: (credit notes and payments are what pays them, never what is late)
DUNNING_MOVE_TYPES = ("out_invoice", "out_receipt")
# an invoice with something left to pay; "blocked" (payment blocked in
# Odoo) and legacy ones are out of the follow-up
DUNNING_PAYMENT_STATES = ("not_paid", "partial")


class AccountMoveLine(models.Model):
    """Receivable lines are what is late: one per installment of the payment
    term, each with its own ``date_maturity``.  The level is reached per line.

    "An open customer installment" is defined here once, as a domain and as
    its SQL twin side by side (tested to select the same rows): the run, the
    customer states, the notices, the statement, the "Open items" button,
    the credit hold and the charges all use these two methods.
    """

    _inherit = "account.move.line"

    dunning_level_id = fields.Many2one(
        "dunning.level",
        string="Follow-up level",
        compute="_compute_dunning_level_id",
        search="_search_dunning_level_id",
        help="Highest follow-up level applied to this installment.",
    )
    dunning_date = fields.Date(
        string="Last follow-up",
        readonly=True,
        copy=False,
    )

    @api.depends("move_id.dunning_action_line_ids.level_id")
    def _compute_dunning_level_id(self):
        # kept on the follow-up items, not here: see dunning.action.line
        levels = self.env["dunning.action.line"]._highest_levels(
            "move_line_id", self._origin.ids
        )
        for line in self:
            line.dunning_level_id = levels.get(line._origin.id, False)

    def _search_dunning_level_id(self, operator, value):
        return self.env["dunning.action.line"]._search_highest_level(
            "move_line_id", operator, value
        )

    def write(self, vals):
        res = super().write(vals)
        if "date_maturity" in vals:
            # a due date moved: the levels of the installment move with it
            self.move_id.filtered(
                lambda m: m.move_type in DUNNING_MOVE_TYPES
            )._dunning_mark_changed()
        return res

    # -- the rule: an open customer installment ------------------------------

    @api.model
    def _dunning_open_installment_domain(self, company_ids=None):
        """Domain of the open customer installments (of ``company_ids``, a
        list of ids, when given): the receivable line of one installment of
        a posted customer invoice or receipt that still has something to pay.
        Its SQL twin is :meth:`_dunning_open_installment_sql`."""
        domain = [
            ("display_type", "=", "payment_term"),
            ("parent_state", "=", "posted"),
            ("reconciled", "=", False),
            ("amount_residual", ">", 0),
            ("move_id.move_type", "in", DUNNING_MOVE_TYPES),
            ("move_id.payment_state", "in", DUNNING_PAYMENT_STATES),
        ]
        if company_ids is not None:
            domain.append(("company_id", "in", list(company_ids)))
        return domain

    @api.model
    def _dunning_open_installment_sql(self, company_ids=None, aml="aml", move="move"):
        """:meth:`_dunning_open_installment_domain` as an SQL condition on the
        aliases ``aml`` (``account_move_line``) and ``move`` (its
        ``account_move``, or any relation exposing its ``move_type`` and
        ``payment_state``)."""
        line, invoice = SQL.identifier(aml), SQL.identifier(move)
        condition = SQL(
            """%(aml)s.display_type = 'payment_term'
               AND %(aml)s.parent_state = 'posted'
               AND %(aml)s.reconciled IS NOT TRUE
               AND %(aml)s.amount_residual > 0
               AND %(move)s.move_type IN %(types)s
               AND %(move)s.payment_state IN %(payment_states)s""",
            aml=line,
            move=invoice,
            types=DUNNING_MOVE_TYPES,
            payment_states=DUNNING_PAYMENT_STATES,
        )
        if company_ids is not None:
            condition = SQL(
                "%s AND %s.company_id = ANY(%s)",
                condition,
                line,
                list(company_ids),
            )
        return condition

    @api.model
    def _dunning_days_late_sql(self, due, on_date):
        """SQL twin of :func:`..tools.levels.days_late`: days from the due
        date ``due`` (an SQL expression) to ``on_date`` (negative before)."""
        return SQL("(%s::date - %s)", on_date, due)
