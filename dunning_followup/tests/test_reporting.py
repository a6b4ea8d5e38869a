# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import BaseCase, tagged
from odoo.tools import SQL

from ..tools.reporting import (
    AGING_BUCKETS,
    Bucket,
    aging_bucket,
    aging_bucket_sql,
    check_buckets,
    dso,
    dso_sql,
    effectiveness,
    effectiveness_sql,
    month_starts,
)
from .common import DunningCommon


class TestReportingTools(BaseCase):
    """The arithmetic of the reports, without a database."""

    def test_aging_buckets_boundaries(self):
        cases = {
            -400: "not_due",
            0: "not_due",
            1: "1_30",
            30: "1_30",
            31: "31_60",
            60: "31_60",
            61: "61_90",
            90: "61_90",
            91: "over_90",
            5000: "over_90",
        }
        for late, bucket in cases.items():
            self.assertEqual(aging_bucket(late), bucket, late)
        with self.assertRaises(TypeError):
            aging_bucket(date(2026, 1, 1))

    def test_bucket_table_is_checked(self):
        self.assertTrue(check_buckets(AGING_BUCKETS))
        gap = (Bucket("a", "A", None, 0), Bucket("b", "B", 2, None))
        with self.assertRaisesRegex(ValueError, "not contiguous"):
            check_buckets(gap)
        closed = (Bucket("a", "A", None, 0), Bucket("b", "B", 1, 9))
        with self.assertRaisesRegex(ValueError, "open above"):
            check_buckets(closed)

    def test_dso(self):
        # owed 1,500 at the end of a 30-day month that sold 3,000: 15 days
        self.assertEqual(dso(1500.0, 3000.0, 30), 15.0)
        self.assertIsNone(dso(1500.0, 0.0, 30))
        self.assertIsNone(dso(1500.0, -10.0, 30))
        with self.assertRaises(ValueError):
            dso(1.0, 1.0, 0)

    def test_effectiveness(self):
        self.assertEqual(effectiveness(2000.0, 500.0), 25.0)
        self.assertEqual(effectiveness(100.0, 250.0), 100.0)  # never above all
        self.assertIsNone(effectiveness(0.0, 0.0))

    def test_month_starts(self):
        self.assertEqual(
            month_starts(date(2026, 2, 17), 3),
            [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)],
        )
        self.assertEqual(len(month_starts(date(2026, 12, 31))), 12)
        self.assertEqual(month_starts(date(2026, 12, 31))[0], date(2026, 1, 1))


@tagged("post_install", "-at_install")
class TestReporting(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.big = cls._make_customer("Big Buyer", "big@example.com")
        cls.promised = cls._make_customer("Promising Payer", "promise@example.com")
        cls.early = cls._make_customer("Early Bird", "early@example.com")

    def _aging(self, user=None, domain=None):
        report = self.env["dunning.aging.report"]
        if user:
            report = report.with_user(user)
        return report.search(domain or [])

    # -- one definition: the SQL twins answer like the functions -----------

    def test_sql_twins_agree_with_functions(self):
        self.env.cr.execute(
            SQL(
                "SELECT g, %s FROM generate_series(-40, 200) AS g",
                aging_bucket_sql(SQL("g")),
            )
        )
        for late, bucket in self.env.cr.fetchall():
            self.assertEqual(bucket, aging_bucket(late), late)
        for receivable, sales, days in ((1500, 3000, 30), (10, 0, 31), (7, 3, 28)):
            self.env.cr.execute(
                SQL(
                    "SELECT %s",
                    dso_sql(
                        SQL("%s::numeric", receivable),
                        SQL("%s::numeric", sales),
                        SQL("%s", days),
                    ),
                )
            )
            got = self.env.cr.fetchone()[0]
            want = dso(receivable, sales, days)
            if want is None:
                self.assertIsNone(got)
            else:
                self.assertAlmostEqual(float(got), want, places=6)
        for noticed, paid in ((2000, 500), (100, 250), (0, 0)):
            self.env.cr.execute(
                SQL(
                    "SELECT %s",
                    effectiveness_sql(
                        SQL("%s::numeric", noticed), SQL("%s::numeric", paid)
                    ),
                )
            )
            got = self.env.cr.fetchone()[0]
            want = effectiveness(noticed, paid)
            if want is None:
                self.assertIsNone(got)
            else:
                self.assertAlmostEqual(float(got), want, places=6)

    # -- aging ----------------------------------------------------------------

    def _aging_data(self):
        """Acme: 1,000 due 1 Jan (400 paid), Big: 5,000 due 1 Dec and 200
        due 1 Oct, Promising: 3,000 due 1 Jan under a promise, Early Bird:
        800 due 20 Jan; a run on 6 Jan."""
        inv_acme = self._invoice(self.customer, date(2026, 1, 1), 1000.0)
        self._invoice(self.big, date(2025, 12, 1), 5000.0)
        self._invoice(self.big, date(2025, 10, 1), 200.0)
        inv_promised = self._invoice(self.promised, date(2026, 1, 1), 3000.0)
        self._invoice(self.early, date(2026, 1, 20), 800.0)
        with freeze_time("2026-01-06"):
            self._run(date(2026, 1, 6))
        with freeze_time("2026-01-08"):
            self._pay(inv_acme, 400.0, date(2026, 1, 8))
            self.env["dunning.promise"].create(
                {
                    "partner_id": self.promised.id,
                    "move_ids": [Command.set(inv_promised.ids)],
                    "amount": 3000.0,
                    "date": date(2026, 1, 31),
                }
            )

    def test_aging_buckets_levels_and_drill_down(self):
        self._aging_data()
        with freeze_time("2026-01-12"):
            rows = self._aging(self.collector)
            by_bucket = dict(
                self.env["dunning.aging.report"]
                .with_user(self.collector)
                ._read_group([], ["bucket"], ["amount_residual:sum"])
            )
            self.assertEqual(
                by_bucket,
                {"not_due": 800.0, "1_30": 3600.0, "31_60": 5000.0, "over_90": 200.0},
            )
            acme = rows.filtered(lambda r: r.partner_id == self.customer)
            self.assertEqual(acme.amount_residual, 600.0)
            self.assertEqual(acme.days_late, 11)
            self.assertEqual(acme.level_id, self.level_first)
            self.assertEqual(acme.responsible_id, self.collector)
            self.assertEqual(acme.situation, "active")
            promised = rows.filtered(lambda r: r.partner_id == self.promised)
            self.assertEqual(promised.situation, "promise")
            early = rows.filtered(lambda r: r.partner_id == self.early)
            self.assertEqual((early.bucket, early.amount_overdue), ("not_due", 0.0))
            self.assertFalse(early.level_id)
            # drill-down: from an installment to its invoice
            action = acme.action_open_invoice()
            self.assertEqual(
                (action["res_model"], action["res_id"]),
                ("account.move", acme.move_id.id),
            )

    def test_aging_reconciles_with_followup_list(self):
        """Per customer, the aging's total is the open amount and its
        overdue part the overdue amount of the customers to follow up."""
        self._aging_data()
        with freeze_time("2026-01-12"):
            customers = self.customer | self.big | self.promised | self.early
            self.env["dunning.partner.state"]._refresh(customers.ids, self.company.id)
            groups = (
                self.env["dunning.aging.report"]
                .with_user(self.collector)
                ._read_group(
                    [],
                    ["partner_id"],
                    ["amount_residual:sum", "amount_overdue:sum"],
                )
            )
            aging = {partner: (due, overdue) for partner, due, overdue in groups}
            states = (
                self.env["dunning.partner.state"]
                .with_user(self.collector)
                .search([("partner_id", "in", customers.ids)])
            )
            self.assertEqual(len(states), 4)
            for state in states:
                self.assertEqual(
                    aging[state.partner_id],
                    (state.due_amount, state.overdue_amount),
                    state.partner_id.name,
                )
            self.assertEqual(
                sum(due for due, _overdue in aging.values()),
                sum(states.mapped("due_amount")),
            )

    def test_aging_is_per_company(self):
        company_b = self.setup_other_company(name="Company B")["company"]
        self._invoice(self.customer, date(2026, 1, 1), 100.0)
        invoice_b = (
            self.env["account.move"]
            .with_company(company_b)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "invoice_date": date(2026, 1, 1),
                    "invoice_date_due": date(2026, 1, 1),
                    "invoice_line_ids": [
                        Command.create({"name": "B", "price_unit": 70.0, "tax_ids": []})
                    ],
                }
            )
        )
        invoice_b.action_post()
        with freeze_time("2026-01-12"):
            rows = self._aging(self.collector)
            self.assertEqual(rows.company_id, self.company)
            self.assertEqual(sum(rows.mapped("amount_residual")), 100.0)
            both = self.env["dunning.aging.report"].with_context(
                allowed_company_ids=[self.company.id, company_b.id]
            )
            self.assertEqual(
                sum(
                    both.search([("partner_id", "=", self.customer.id)]).mapped(
                        "amount_residual"
                    )
                ),
                170.0,
            )

    # -- DSO --------------------------------------------------------------------

    def test_dso_per_month(self):
        """January sells 1,000 and ends owing 1,000: 31 days; February
        sells 2,000, January's invoice is paid: it ends owing 2,000, 28
        days; March sells nothing: no DSO."""
        january = self._invoice(
            self.customer, date(2026, 2, 9), 1000.0, date(2026, 1, 10)
        )
        self._invoice(self.big, date(2026, 3, 7), 2000.0, date(2026, 2, 5))
        with freeze_time("2026-02-20"):
            self._pay(january, 1000.0, date(2026, 2, 20))
        with freeze_time("2026-03-15"):
            Report = self.env["dunning.dso.report"].with_user(self.collector)
            rows = Report.search([("company_id", "=", self.company.id)])
            self.assertEqual(len(rows), 12)
            self.assertEqual(rows[0].date, date(2026, 3, 1))  # newest first
            by_month = {row.date: row for row in rows}
            jan, feb, mar = (by_month[date(2026, m, 1)] for m in (1, 2, 3))
            self.assertEqual(
                (jan.receivable, jan.sales, jan.days), (1000.0, 1000.0, 31)
            )
            self.assertAlmostEqual(jan.dso, 31.0)
            self.assertEqual(
                (feb.receivable, feb.sales, feb.days), (2000.0, 2000.0, 28)
            )
            self.assertAlmostEqual(feb.dso, 28.0)
            self.assertEqual((mar.receivable, mar.sales), (2000.0, 0.0))
            self.assertFalse(mar.dso)
            # a group's DSO is the ratio of its sums, not a sum of ratios
            [(total,)] = Report._read_group(
                [
                    ("company_id", "=", self.company.id),
                    ("date", ">=", date(2026, 1, 1)),
                    ("date", "<", date(2026, 3, 1)),
                ],
                [],
                ["dso:sum"],
            )
            self.assertAlmostEqual(total, dso(3000.0, 3000.0, 31))

    # -- effectiveness -----------------------------------------------------------

    def test_effectiveness_per_level(self):
        """Two notices of the first level on 6 Jan, 1,000 each: one paid on
        the 10th (within 14 days), one on the 25th: 50 %."""
        quick = self._invoice(self.customer, date(2026, 1, 1), 1000.0)
        slow = self._invoice(self.big, date(2026, 1, 1), 1000.0)
        with freeze_time("2026-01-06"):
            self._run(date(2026, 1, 6))
        with freeze_time("2026-01-10"):
            self._pay(quick, 1000.0, date(2026, 1, 10))
        with freeze_time("2026-01-25"):
            self._pay(slow, 1000.0, date(2026, 1, 25))
        with freeze_time("2026-02-01"):
            Report = self.env["dunning.effectiveness.report"].with_user(self.collector)
            rows = Report.search([])
            self.assertEqual(rows.level_id, self.level_first)
            self.assertTrue(all(rows.mapped("window_closed")))
            self.assertEqual(
                {r.partner_id: r.amount_paid for r in rows},
                {self.customer: 1000.0, self.big: 0.0},
            )
            [(level, noticed, paid, rate)] = Report._read_group(
                [],
                ["level_id"],
                ["amount_noticed:sum", "amount_paid:sum", "effectiveness:avg"],
            )
            self.assertEqual((level, noticed, paid), (self.level_first, 2000.0, 1000.0))
            self.assertAlmostEqual(rate, effectiveness(2000.0, 1000.0))
        with freeze_time("2026-01-12"):
            # a week after the notice the window is still open
            Report.invalidate_model()
            self.assertFalse(any(Report.search([]).mapped("window_closed")))

    # -- a collector's day --------------------------------------------------------

    def test_collector_day(self):
        """Big (5,200 late) and Acme (600 late, next level due on the 11th)
        are today's work, the biggest first; the promise and the customer
        not yet due are not."""
        self._aging_data()
        with freeze_time("2026-01-12"):
            State = self.env["dunning.partner.state"].with_user(self.collector)
            action = State.action_collector_day()
            today = State.search(action["domain"])
            self.assertEqual(
                today.sorted(lambda s: -s.overdue_amount).partner_id,
                self.big | self.customer,
            )
            self.assertNotIn(self.promised, today.partner_id)
            self.assertNotIn(self.early, today.partner_id)
            counts = State._collector_day_counts(self.company)
            self.assertEqual(counts[self.company.id], (2, 5800.0))
            # the counter on the sales journal's card of the dashboard
            journal = self.company_data["default_journal_sale"].with_user(
                self.collector
            )
            dashboard = journal._get_journal_dashboard_data_batched()[journal.id]
            self.assertEqual(dashboard["dunning_today_count"], 2)
            # each next action one click away
            acme = today.filtered(lambda s: s.partner_id == self.customer)
            call = acme.action_collector_call()
            self.assertEqual(call["res_model"], "dunning.followup")
            self.assertEqual(call["context"]["default_channel"], "call")
            wizard = (
                self.env["dunning.followup"]
                .with_user(self.collector)
                .with_context(**call["context"])
                .create({})
            )
            self.assertEqual(wizard.channel, "call")
            self.assertEqual(wizard.partner_ids, self.customer)
            promise_action = acme.action_collector_promise()
            promise = (
                self.env["dunning.promise"]
                .with_user(self.collector)
                .with_context(**promise_action["context"])
                .create({"date": date(2026, 1, 20)})
            )
            self.assertEqual(promise.amount, 600.0)
            self.assertEqual(promise.move_ids.partner_id, self.customer)
            self.assertNotIn(self.customer, State.search(action["domain"]).partner_id)

    def test_screens_open_for_a_collector(self):
        """Every report view and the collector's day menu load for a
        Dunning user, with the actions the menus name."""
        for model in (
            "dunning.aging.report",
            "dunning.dso.report",
            "dunning.effectiveness.report",
        ):
            views = (
                self.env[model]
                .with_user(self.collector)
                .get_views([(False, "pivot"), (False, "graph"), (False, "list")])
            )
            self.assertEqual(set(views["views"]), {"pivot", "graph", "list"}, model)
        day = self.env.ref(
            "dunning_followup.dunning_partner_state_server_collector_day"
        )
        action = day.with_user(self.collector).run()
        self.assertEqual(action["res_model"], "dunning.partner.state")
        self.assertEqual([mode for _id, mode in action["views"]], ["kanban", "list"])
        views = (
            self.env["dunning.partner.state"]
            .with_user(self.collector)
            .get_views(action["views"])
        )
        self.assertIn("action_collector_call", views["views"]["kanban"]["arch"])
