# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.reporting import dso_sql, month_starts

MONTHS = 12


class DunningDsoReport(models.Model):
    """Days sales outstanding, month by month over the last twelve months.

    One row per company and month: the customers' receivable balance at the
    month's end (every posted line of a receivable account up to that day),
    the credit sales of the month (receivable amounts of the customer
    invoices, receipts and credit notes dated in it) and its number of days.
    The DSO of any grouping is the formula of :func:`..tools.reporting.dso`
    over the sums (see :meth:`_read_group_select`), never an average of
    monthly ratios.
    """

    _name = "dunning.dso.report"
    _description = "Days sales outstanding"
    _auto = False
    _rec_name = "date"
    _order = "date desc, company_id"

    date = fields.Date(string="Month")
    company_id = fields.Many2one("res.company")
    currency_id = fields.Many2one("res.currency", string="Company currency")
    receivable = fields.Monetary(
        string="Receivables at month end", currency_field="currency_id"
    )
    sales = fields.Monetary(string="Credit sales", currency_field="currency_id")
    days = fields.Integer(aggregator="max")
    dso = fields.Float(string="DSO (days)", digits=(16, 1))

    _depends = {
        "account.move": ["move_type", "state", "date", "company_id"],
        "account.move.line": [
            "move_id",
            "account_id",
            "balance",
            "date",
            "parent_state",
            "display_type",
            "company_id",
        ],
    }

    @property
    def _table_query(self):
        return self._dso_query(fields.Date.context_today(self))

    @api.model
    def _dso_query(self, today):
        months = month_starts(today, MONTHS)
        first, last = months[0], months[-1] + relativedelta(months=1, days=-1)
        return SQL(
            """
            WITH months AS (
                SELECT m::date AS month,
                       (m + interval '1 month' - interval '1 day')::date AS month_end
                  FROM unnest(%(months)s::date[]) AS m
            ), receivable AS (
                -- one pass over the receivable lines: the balance before the
                -- first month lands on it, the running sum does the rest
                SELECT aml.company_id,
                       GREATEST(date_trunc('month', aml.date)::date, %(first)s)
                           AS month,
                       SUM(aml.balance) AS amount
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                 WHERE acc.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted'
                   AND aml.date <= %(last)s
                 GROUP BY 1, 2
            ), sales AS (
                SELECT aml.company_id, date_trunc('month', aml.date)::date AS month,
                       SUM(aml.balance) AS amount
                  FROM account_move_line aml
                  JOIN account_move move ON move.id = aml.move_id
                 WHERE move.move_type IN ('out_invoice', 'out_refund', 'out_receipt')
                   AND aml.display_type = 'payment_term'
                   AND aml.parent_state = 'posted'
                   AND aml.date BETWEEN %(first)s AND %(last)s
                 GROUP BY 1, 2
            ), grid AS (
                SELECT company.id AS company_id, company.currency_id, months.month,
                       months.month_end - months.month + 1 AS days,
                       SUM(COALESCE(receivable.amount, 0)) OVER (
                           PARTITION BY company.id ORDER BY months.month
                       ) AS receivable,
                       COALESCE(sales.amount, 0) AS sales
                  FROM res_company company
                 CROSS JOIN months
                  LEFT JOIN receivable ON receivable.company_id = company.id
                                      AND receivable.month = months.month
                  LEFT JOIN sales ON sales.company_id = company.id
                                 AND sales.month = months.month
            )
            SELECT row_number() OVER (ORDER BY month, company_id) AS id,
                   company_id, currency_id, month AS date, days, receivable, sales,
                   %(dso)s AS dso
              FROM grid
            """,
            months=months,
            first=first,
            last=last,
            dso=dso_sql(SQL("receivable"), SQL("sales"), SQL("days")),
        )

    def _read_group_select(self, aggregate_spec, query):
        # the DSO of a group is the ratio of its sums, not a sum of ratios
        if aggregate_spec.startswith("dso:"):
            return dso_sql(
                self._read_group_select("receivable:sum", query),
                self._read_group_select("sales:sum", query),
                self._read_group_select("days:max", query),
            )
        return super()._read_group_select(aggregate_spec, query)
