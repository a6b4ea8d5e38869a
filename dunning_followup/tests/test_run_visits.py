# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The daily run visits only the customers that can have something new.

Each test runs the cron's run on a first day, changes one thing (or
nothing), and checks on the next days whom the run visited and which
notice came out.  The last one plays a mixed set of changes twice, with
daily runs and with full runs, and compares what they did.
"""

from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged
from odoo.tools import SQL

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestRunVisits(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls._make_customer("Other Customer", "other@example.com")
        # the daily run of every company of the database, as the cron
        # makes it: other companies (of the test framework) stay out of it
        cls.State = cls.env["dunning.partner.state"].sudo()

    def _cron(self, on):
        """Today's scheduled run, processed to the end, on ``on``."""
        with freeze_time(on.isoformat()):
            run = self.env["dunning.run"].create(
                {"company_id": self.company.id, "trigger": "cron", "date": on}
            )
            run.action_process()
        return run

    def _visited(self, run):
        return (
            self.State.search([("run_id", "=", run.id)])
            .partner_id.sorted("id")
            .with_env(self.env)
        )

    def _actions(self, partner=None, run=None):
        domain = [("partner_id", "=", (partner or self.customer).id)]
        if run:
            domain.append(("run_id", "=", run.id))
        return self.env["dunning.action"].search(domain, order="id")

    # -- nothing changed ---------------------------------------------------

    def test_nothing_changed_visits_nobody(self):
        customers = self.customer | self.other
        for index in range(4):
            customers |= self._make_customer(f"Quiet {index}", f"q{index}@example.com")
        for customer in customers:
            self._invoice(customer, date(2026, 3, 1), 500.0, date(2026, 2, 1))
        first = self._cron(date(2026, 2, 24))
        self.assertEqual(self._visited(first), customers)
        self.assertEqual(first.action_ids.level_id, self.level_reminder)
        self.assertEqual(len(first.action_ids), 6)
        # nothing is due before the installments fall due on 1 March
        with freeze_time("2026-02-25"):
            self.env.flush_all()
            with self.assertQueryCount(16):
                run = self.env["dunning.run"].create(
                    {
                        "company_id": self.company.id,
                        "trigger": "cron",
                        "date": date(2026, 2, 25),
                    }
                )
                run.action_process()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.partner_total, 0)
        self.assertEqual(run.partner_done, 0)
        self.assertFalse(self._visited(run))
        self.assertFalse(run.action_ids)

    def test_calendar_alone_brings_the_customer_back(self):
        self._invoice(self.customer, date(2026, 3, 1), 500.0, date(2026, 2, 1))
        self._cron(date(2026, 2, 24))
        state = self._state(self.customer)
        # the installment falls due on 1 March: overdue from the 2nd
        self.assertEqual(state.visit_date, date(2026, 3, 2))
        self.assertFalse(state.changed)
        self.assertFalse(self._visited(self._cron(date(2026, 3, 1))))
        run = self._cron(date(2026, 3, 2))
        self.assertEqual(self._visited(run), self.customer)
        self.assertFalse(run.action_ids)
        self.assertEqual(state.overdue_amount, 500.0)
        # then the first level, five days after the due date
        self.assertEqual(state.visit_date, date(2026, 3, 6))
        self.assertFalse(self._visited(self._cron(date(2026, 3, 5))))
        run = self._cron(date(2026, 3, 6))
        self.assertEqual(self._visited(run), self.customer)
        self.assertEqual(run.action_ids.level_id, self.level_first)
        # days late follow the calendar without a visit
        self._cron(date(2026, 3, 8))
        self.assertEqual(state.max_days_late, 7)

    def test_manual_run_keeps_its_scope(self):
        self._invoice(self.customer, date(2026, 3, 1), 500.0, date(2026, 2, 1))
        self._invoice(self.other, date(2026, 3, 1), 700.0, date(2026, 2, 1))
        self._cron(date(2026, 2, 24))
        with freeze_time("2026-02-25"):
            run = self._run(date(2026, 2, 25))
        self.assertEqual(run.partner_done, 2)
        self.assertEqual(self._visited(run), self.customer | self.other)

    # -- what changed --------------------------------------------------------

    def test_invoice_posted(self):
        self._invoice(self.other, date(2026, 3, 1), 700.0, date(2026, 2, 1))
        self._cron(date(2026, 2, 24))
        with freeze_time("2026-02-25"):
            # an invoice of the customer, ten days late when posted
            self._invoice(self.customer, date(2026, 2, 15), 300.0)
        self.assertTrue(self._state(self.customer).changed)
        run = self._cron(date(2026, 2, 25))
        self.assertEqual(self._visited(run), self.customer)
        self.assertEqual(self._actions(run=run).level_id, self.level_first)
        self.assertFalse(self._state(self.customer).changed)

    def test_invoice_posted_by_plain_sql_is_found(self):
        """An invoice that bypasses the ORM marks nobody: the daily run
        finds its customer, who has no state row, among the entries made
        since the previous daily run started."""
        self._invoice(self.other, date(2026, 3, 1), 700.0, date(2026, 2, 1))
        self._cron(date(2026, 2, 24))
        invoice = self._invoice(self.customer, date(2026, 2, 15), 300.0, post=False)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE account_move SET state = 'posted' WHERE id = %s;"
            " UPDATE account_move_line SET parent_state = 'posted'"
            " WHERE move_id = %s",
            [invoice.id, invoice.id],
        )
        self.env.invalidate_all()
        self.assertFalse(self._state(self.customer))
        run = self._cron(date(2026, 2, 25))
        self.assertEqual(self._visited(run), self.customer)
        self.assertEqual(self._actions(run=run).level_id, self.level_first)

    def test_invoice_reset_to_draft_and_posted_again(self):
        invoice = self._invoice(self.customer, date(2026, 3, 1), 500.0)
        self._cron(date(2026, 2, 24))
        with freeze_time("2026-02-25"):
            invoice.button_draft()
        self.assertEqual(self._visited(self._cron(date(2026, 2, 25))), self.customer)
        self.assertFalse(self._state(self.customer).visit_date)
        self.assertFalse(self._visited(self._cron(date(2026, 3, 10))))
        with freeze_time("2026-03-10"):
            invoice.invoice_date_due = date(2026, 2, 20)
            invoice.action_post()
        run = self._cron(date(2026, 3, 11))
        self.assertEqual(self._visited(run), self.customer)
        self.assertEqual(self._actions(run=run).level_id, self.level_first)

    def test_payment_removed(self):
        invoice = self._invoice(self.customer, date(2026, 1, 1), 400.0)
        self._pay(invoice, on=date(2026, 1, 2))
        self._cron(date(2026, 1, 10))
        self.assertFalse(self._actions())
        self.assertFalse(self._visited(self._cron(date(2026, 1, 11))))
        # the payment is cancelled: the invoice is open and 10 days late
        with freeze_time("2026-01-11"):
            self._lines(invoice).remove_move_reconcile()
        self.assertTrue(self._state(self.customer).changed)
        run = self._cron(date(2026, 1, 12))
        self.assertEqual(self._visited(run), self.customer)
        self.assertEqual(self._actions(run=run).level_id, self.level_first)

    def test_paid_in_part_and_in_full(self):
        invoice = self._invoice(self.customer, date(2026, 1, 1), 400.0)
        self._cron(date(2026, 1, 6))
        self.assertEqual(self._actions().level_id, self.level_first)
        with freeze_time("2026-01-07"):
            self._pay(invoice, 100.0, date(2026, 1, 7))
        run = self._cron(date(2026, 1, 8))
        self.assertEqual(self._visited(run), self.customer)
        self.assertFalse(run.action_ids)
        self.assertEqual(self._state(self.customer).visit_date, date(2026, 1, 11))
        with freeze_time("2026-01-09"):
            self._pay(invoice, 300.0, date(2026, 1, 9))
        self.assertEqual(self._visited(self._cron(date(2026, 1, 10))), self.customer)
        state = self._state(self.customer)
        self.assertEqual((state.overdue_amount, state.visit_date), (0.0, False))
        # the call is never made: nothing is open
        self.assertFalse(self._visited(self._cron(date(2026, 1, 11))))
        self.assertEqual(len(self._actions()), 1)

    def test_dispute_and_its_end(self):
        invoice = self._invoice(self.customer, date(2026, 1, 1), 400.0)
        with freeze_time("2026-01-05"):
            invoice.action_dunning_dispute()
        self._cron(date(2026, 1, 6))
        self.assertFalse(self._actions())
        # excluded without an end: nothing by the calendar
        self.assertFalse(self._state(self.customer).visit_date)
        self.assertFalse(self._visited(self._cron(date(2026, 1, 20))))
        with freeze_time("2026-01-20"):
            invoice.action_dunning_include()
        run = self._cron(date(2026, 1, 21))
        self.assertEqual(self._visited(run), self.customer)
        self.assertEqual(self._actions(run=run).level_id, self.level_first)

    def test_exclusion_until_a_date_ends_by_the_calendar(self):
        invoice = self._invoice(self.customer, date(2026, 1, 1), 200.0)
        invoice.write(
            {
                "dunning_excluded": True,
                "dunning_exclusion_reason": "dispute",
                "dunning_excluded_until": date(2026, 1, 20),
            }
        )
        self._cron(date(2026, 1, 10))
        self.assertEqual(self._state(self.customer).visit_date, date(2026, 1, 21))
        self.assertFalse(self._visited(self._cron(date(2026, 1, 20))))
        run = self._cron(date(2026, 1, 21))
        self.assertEqual(self._visited(run), self.customer)
        self.assertEqual(self._actions(run=run).level_id, self.level_first)

    def test_due_date_moved(self):
        invoice = self._invoice(self.customer, date(2026, 3, 1), 500.0)
        self._cron(date(2026, 2, 10))
        self.assertEqual(self._state(self.customer).visit_date, date(2026, 2, 24))
        with freeze_time("2026-02-12"):
            self._lines(invoice).date_maturity = date(2026, 2, 1)
        run = self._cron(date(2026, 2, 12))
        self.assertEqual(self._visited(run), self.customer)
        self.assertEqual(self._actions(run=run).level_id, self.level_first)

    def test_promise_cancelled(self):
        invoice = self._invoice(self.customer, date(2026, 1, 1), 400.0)
        with freeze_time("2026-01-03"):
            promise = self.env["dunning.promise"].create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(invoice.ids)],
                    "amount": 400.0,
                    "date": date(2026, 1, 31),
                }
            )
        self._cron(date(2026, 1, 6))
        self.assertFalse(self._actions())
        self.assertFalse(self._visited(self._cron(date(2026, 1, 7))))
        with freeze_time("2026-01-07"):
            promise.action_cancel()
        run = self._cron(date(2026, 1, 8))
        self.assertEqual(self._visited(run), self.customer)
        self.assertEqual(self._actions(run=run).level_id, self.level_first)

    def test_notice_reviewed_then_sent_or_cancelled(self):
        self.level_call.auto_execute = False
        invoice = self._invoice(self.customer, date(2026, 1, 1), 400.0)
        other_invoice = self._invoice(self.other, date(2026, 1, 1), 400.0)
        self._cron(date(2026, 1, 6))
        call = self._cron(date(2026, 1, 11)).action_ids
        self.assertEqual(call.level_id, self.level_call)
        self.assertEqual(call.mapped("state"), ["to_review", "to_review"])
        # the notices wait: their installments climb no further, nothing
        # brings the customers back by the calendar
        run = self._cron(date(2026, 1, 22))
        self.assertFalse(run.action_ids)
        self.assertFalse(self._visited(self._cron(date(2026, 1, 23))))
        with freeze_time("2026-01-23"), self.mock_mail_gateway():
            call.filtered(lambda a: a.partner_id == self.customer).action_execute()
            call.filtered(lambda a: a.partner_id == self.other).action_cancel()
        run = self._cron(date(2026, 1, 24))
        self.assertEqual(self._visited(run), self.customer | self.other)
        formal = run.action_ids
        self.assertEqual(formal.partner_id, self.customer | self.other)
        self.assertEqual(formal.level_id, self.level_formal)
        self.assertEqual(invoice.dunning_level_id, self.level_formal)
        self.assertEqual(other_invoice.dunning_level_id, self.level_formal)

    def test_failed_notice_sent_again(self):
        self._invoice(self.customer, date(2026, 1, 1), 400.0)
        Action = type(self.env["dunning.action"])
        with patch.object(Action, "_send_email", side_effect=OSError("SMTP down")):
            self._cron(date(2026, 1, 6))
        first = self._actions()
        self.assertEqual((first.level_id, first.state), (self.level_first, "failed"))
        # the failed notice holds its installment at its level: the call
        # is due on the 11th, the visit finds it held and nothing later is
        # planned until the notice is resolved
        self.assertFalse(self._visited(self._cron(date(2026, 1, 7))))
        run = self._cron(date(2026, 1, 11))
        self.assertEqual(self._visited(run), self.customer)
        self.assertFalse(run.action_ids)
        self.assertFalse(self._state(self.customer).visit_date)
        self.assertFalse(self._visited(self._cron(date(2026, 1, 12))))
        with freeze_time("2026-01-12"), self.mock_mail_gateway():
            self.env["dunning.action"]._cron_retry_failed()
        self.assertEqual(first.state, "done")
        run = self._cron(date(2026, 1, 13))
        self.assertEqual(self._visited(run), self.customer)
        self.assertEqual(run.action_ids.level_id, self.level_call)

    def test_policy_levels_changed(self):
        self._invoice(self.customer, date(2026, 1, 1), 400.0)
        self._invoice(self.other, date(2026, 1, 1), 400.0)
        self._cron(date(2026, 1, 6))
        self.assertFalse(self._visited(self._cron(date(2026, 1, 7))))
        with freeze_time("2026-01-07"):
            self.level_call.days = 6
        run = self._cron(date(2026, 1, 8))
        self.assertEqual(self._visited(run), self.customer | self.other)
        self.assertEqual(run.action_ids.level_id, self.level_call)
        self.assertEqual(len(run.action_ids), 2)

    def test_policy_tolerance_lowered(self):
        self.policy.tolerance = 500.0
        self._invoice(self.customer, date(2026, 1, 1), 400.0)
        self._cron(date(2026, 1, 6))
        self.assertFalse(self._actions())
        with freeze_time("2026-01-07"):
            self.policy.tolerance = 100.0
        run = self._cron(date(2026, 1, 8))
        self.assertEqual(self._visited(run), self.customer)
        self.assertEqual(run.action_ids.level_id, self.level_first)

    def test_customer_policy_changed(self):
        self._invoice(self.customer, date(2026, 1, 1), 400.0)
        self._invoice(self.other, date(2026, 1, 1), 400.0)
        self._cron(date(2026, 1, 6))
        strict = self.policy.copy({"name": "Strict", "is_default": False})
        strict.level_ids.filtered(lambda lvl: lvl.name == "Call").days = 6
        # the copy marked the company: a visit of everybody, nothing new
        self._cron(date(2026, 1, 7))
        with freeze_time("2026-01-07"):
            self.customer.with_company(self.company).dunning_policy_id = strict
        run = self._cron(date(2026, 1, 8))
        self.assertEqual(self._visited(run), self.customer)
        # its installment starts the new policy's ladder (as a full run does)
        self.assertEqual(run.action_ids.level_id.policy_id, strict)
        self.assertEqual(run.action_ids.level_id.name, "First")

    def test_customers_merged(self):
        self._invoice(self.customer, date(2026, 1, 1), 400.0)
        self._invoice(self.other, date(2026, 1, 1), 400.0)
        self._cron(date(2026, 1, 6))
        with freeze_time("2026-01-07"):
            self.env["base.partner.merge.automatic.wizard"]._merge(
                (self.customer | self.other).ids, self.customer, extra_checks=False
            )
        self.assertTrue(self._state(self.customer).changed)
        run = self._cron(date(2026, 1, 8))
        self.assertEqual(self._visited(run), self.customer)

    # -- the rule, once --------------------------------------------------------

    def test_visit_domain_and_sql_agree(self):
        partners = self.customer | self.other
        for index in range(4):
            partners |= self._make_customer(f"Visit {index}")
        self.State._ensure(partners.ids, self.company.id)
        states = self.State.search([("partner_id", "in", partners.ids)])
        values = [
            (True, False),
            (False, False),
            (False, date(2026, 1, 9)),
            (False, date(2026, 1, 10)),
            (False, date(2026, 1, 11)),
            (True, date(2026, 1, 11)),
        ]
        for state, (changed, visit) in zip(states, values, strict=True):
            state.write({"changed": changed, "visit_date": visit})
        self.env.flush_all()
        on = date(2026, 1, 10)
        by_domain = self.State.search(
            [("id", "in", states.ids), *self.State._visit_domain(on)]
        )
        self.env.cr.execute(
            SQL(
                "SELECT st.id FROM dunning_partner_state st"
                " WHERE st.id = ANY(%s) AND %s",
                states.ids,
                self.State._visit_sql(on),
            )
        )
        by_sql = {row[0] for row in self.env.cr.fetchall()}
        self.assertEqual(set(by_domain.ids), by_sql)
        self.assertEqual(len(by_sql), 4)

    # -- a restricted run does what a full run does --------------------------

    def _play(self, daily):
        """A month of a mixed set of customers and changes, with the daily
        (restricted) runs or with full runs; what came out."""
        Run = self.env["dunning.run"]
        customers = [
            self._make_customer(f"Mixed {i}", f"m{i}@example.com") for i in range(7)
        ]
        steady, payer, newcomer, disputed, until, reviewed, moved = customers
        invoices = {
            steady: self._invoice(steady, date(2026, 1, 10), 300.0, date(2025, 12, 10)),
            payer: self._invoice(payer, date(2026, 1, 5), 600.0, date(2025, 12, 5)),
            disputed: self._invoice(disputed, date(2026, 1, 3), 400.0),
            until: self._invoice(until, date(2026, 1, 2), 250.0),
            reviewed: self._invoice(reviewed, date(2026, 1, 1), 800.0),
            moved: self._invoice(moved, date(2026, 2, 20), 900.0, date(2026, 1, 20)),
        }
        invoices[until].write(
            {
                "dunning_excluded": True,
                "dunning_exclusion_reason": "other",
                "dunning_excluded_until": date(2026, 1, 18),
            }
        )
        self.level_formal.auto_execute = False
        changes = {
            date(2026, 1, 9): lambda: self._pay(
                invoices[payer], 200.0, date(2026, 1, 9)
            ),
            date(2026, 1, 12): lambda: invoices[disputed].action_dunning_dispute(),
            date(2026, 1, 14): lambda: self._invoice(newcomer, date(2026, 1, 4), 500.0),
            date(2026, 1, 17): lambda: invoices[disputed].action_dunning_include(),
            date(2026, 1, 20): lambda: setattr(
                self._lines(invoices[moved]), "date_maturity", date(2026, 1, 10)
            ),
            date(2026, 1, 24): lambda: self.env["dunning.action"]
            .search([("partner_id", "=", reviewed.id), ("state", "=", "to_review")])
            .action_execute(),
            date(2026, 1, 27): lambda: self._pay(
                invoices[payer], 400.0, date(2026, 1, 27)
            ),
        }
        day = date(2026, 1, 1)
        with self.mock_mail_gateway():
            while day <= date(2026, 2, 20):
                with freeze_time(day.isoformat()):
                    if day in changes:
                        changes[day]()
                    run = Run.create(
                        {
                            "company_id": self.company.id,
                            "trigger": "cron" if daily else "manual",
                            "date": day,
                        }
                    )
                    run.action_process()
                day += timedelta(days=1)
        actions = self.env["dunning.action"].search(
            [("partner_id", "in", [c.id for c in customers])]
        )
        return sorted(
            (a.partner_id.name, a.level_id.name, str(a.date), a.state) for a in actions
        ), sorted(
            (inv.partner_id.name, inv.dunning_level_id.name or "")
            for inv in self.env["account.move"].search(
                [("partner_id", "in", [c.id for c in customers])]
            )
        )

    def test_daily_runs_do_what_full_runs_do(self):
        results = []
        for daily in (True, False):
            with self.env.cr.savepoint(flush=False) as savepoint:
                results.append(self._play(daily))
                self.env.flush_all()
                savepoint.rollback()
            self.env.invalidate_all()
        daily, full = results
        self.assertEqual(daily, full)
        # and they did something worth comparing
        levels = {level for _p, level, _d, _s in daily[0]}
        self.assertGreaterEqual(len(daily[0]), 10)
        self.assertTrue({"Reminder", "First", "Call", "Formal"} <= levels)
