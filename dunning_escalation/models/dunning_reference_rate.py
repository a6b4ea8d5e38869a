# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import format_date

from ..tools import interest, rate_freshness, rates_csv

RATE_CODES = [
    ("ecb_mro", "ECB main refinancing rate"),
    ("de_base", "German base rate (Basiszinssatz)"),
    ("boe_base", "Bank of England Bank Rate"),
]


class DunningReferenceRate(models.Model):
    """A dated reference rate: the value of a published rate from a day on.

    Each row holds from ``date_from`` until the next row of the same rate.
    The history of the ECB, German and Bank of England rates ships with the
    addon (``data/reference_rates.csv``, loaded on install and update without
    touching rows a manager has edited); managers add each new value when it
    is published.
    """

    _name = "dunning.reference.rate"
    _description = "Reference interest rate"
    _order = "code, date_from desc"
    _rec_name = "code"

    code = fields.Selection(RATE_CODES, string="Rate", required=True, index=True)
    date_from = fields.Date(string="Valid from", required=True)
    rate = fields.Float(
        string="Rate (%)",
        digits=(16, 4),
        required=True,
        aggregator=False,  # rates of a group do not add up
        help="Annual rate in percent; reference rates may be negative.",
    )
    note = fields.Char(help="Where the value comes from (publication, date).")

    _sql_constraints = [
        (
            "code_date_unique",
            "UNIQUE (code, date_from)",
            "A reference rate already has a value for this Valid from date: "
            "one rate, one value per day.",
        ),
    ]

    @api.constrains("rate")
    def _check_rate(self):
        for record in self:
            if abs(record.rate) >= 100:
                raise ValidationError(
                    self.env._(
                        "Rate (%%): %(rate)s is not a plausible annual rate in "
                        "percent (between -100 and 100).",
                        rate=record.rate,
                    )
                )

    @api.model
    def _load_shipped_rates(self):
        """Insert the shipped history in one statement; a day that already has
        a value keeps it, so a manager's correction survives updates."""
        codes, days, rates = [], [], []
        for code, table in rates_csv.load_rates().items():
            if code not in dict(RATE_CODES):
                continue
            for day, rate in table:
                codes.append(code)
                days.append(day)
                rates.append(str(rate))
        self.flush_model()
        self.env.cr.execute(
            """
            INSERT INTO dunning_reference_rate
                   (code, date_from, rate, note, create_uid, write_uid,
                    create_date, write_date)
            SELECT v.code, v.day, v.rate, 'Shipped with the addon',
                   %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC',
                   now() AT TIME ZONE 'UTC'
              FROM unnest(%(codes)s::varchar[], %(days)s::date[],
                          %(rates)s::numeric[]) AS v(code, day, rate)
            ON CONFLICT (code, date_from) DO NOTHING
            """,
            {"uid": self.env.uid, "codes": codes, "days": days, "rates": rates},
        )
        self.invalidate_model()
        return True

    @api.model
    def _get_table(self, code):
        """The :class:`~..tools.interest.RateTable` of one rate."""
        self.flush_model()
        self.env.cr.execute(
            "SELECT date_from, rate FROM dunning_reference_rate WHERE code = %s",
            [code],
        )
        return interest.RateTable(self.env.cr.fetchall())

    @api.model
    def _stale_warnings(self, policies, today=None):
        """Warnings about the rate tables ``policies`` use that miss the
        value of the current half-year (see :mod:`..tools.rate_freshness`),
        one per table, for the policy form and the run log."""
        today = today or fields.Date.context_today(self)
        used = {
            (policy.interest_rate_code, policy.interest_rate_rule)
            for policy in policies
            if policy.interest_type == "reference" and policy.interest_rate_code
        }
        if not used:
            return []
        self.flush_model()
        self.env.cr.execute(
            "SELECT code, MAX(date_from) FROM dunning_reference_rate"
            " WHERE code = ANY(%s) GROUP BY code",
            [sorted({code for code, _rule in used})],
        )
        latest = dict(self.env.cr.fetchall())
        labels = dict(RATE_CODES)
        warnings = []
        for code, rule in sorted(used):
            since = rate_freshness.missing_since(code, rule, latest.get(code), today)
            if not since:
                continue
            text = self.env._(
                "Reference rate %(rate)s has no value from %(since)s (latest: "
                "%(latest)s): interest would be charged at an old rate. Add the "
                "value in force on %(since)s, even if unchanged, in Reference "
                "rates.",
                rate=labels[code],
                since=format_date(self.env, since),
                latest=format_date(self.env, latest.get(code)) or "-",
            )
            if text not in warnings:
                warnings.append(text)
        return warnings
