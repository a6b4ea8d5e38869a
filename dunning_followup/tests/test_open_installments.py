# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One definition of "an open customer installment" and of "days late",
and the places that use them."""

from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.account_move_line import DUNNING_MOVE_TYPES, DUNNING_PAYMENT_STATES
from ..tools.levels import days_late
from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestOpenInstallments(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tricky = cls._make_customer("Tricky Customer", "tricky@example.com")
        cls.term_half = cls.env["account.payment.term"].create(
            {
                "name": "50/50",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 50, "nb_days": 0}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 50, "nb_days": 30}
                    ),
                ],
            }
        )

    def _move(
        self, move_type, amount, partner=None, company=None, post=True, currency=None
    ):
        company = company or self.company
        extra = {"currency_id": currency.id} if currency else {}
        move = (
            self.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": (partner or self.tricky).id,
                    "invoice_date": date(2026, 1, 1),
                    "invoice_date_due": date(2026, 1, 31),
                    **extra,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Service",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [],
                            }
                        )
                    ],
                }
            )
        )
        if post:
            move.action_post()
        return move

    def _customer_payment(self, amount, payment_type="inbound"):
        payment = self.env["account.payment"].create(
            {
                "amount": amount,
                "date": date(2026, 1, 10),
                "payment_type": payment_type,
                "partner_type": "customer",
                "partner_id": self.tricky.id,
            }
        )
        payment.action_post()
        return payment

    def _tricky_set(self):
        """Every kind of line that looks like an open installment, and the
        ones that are."""
        invoice = self._move("out_invoice", 100.0)
        split = self._invoice(
            self.tricky, None, 400.0, invoice_date=date(2026, 1, 1), term=self.term_half
        )
        partial = self._move("out_invoice", 300.0)
        self._pay(partial, 120.0, on=date(2026, 1, 15))
        paid = self._move("out_invoice", 50.0)
        self._pay(paid, on=date(2026, 1, 15))
        receipt = self._move("out_receipt", 70.0)
        self._move("out_refund", 30.0)  # a credit note, not applied
        self._move("out_invoice", 80.0, post=False)  # draft
        self._move("out_invoice", 90.0).button_cancel()
        self._move("out_invoice", 0.0)  # nothing to pay
        # payment blocked in Odoo (Action menu): out of the follow-up
        self._move("out_invoice", 65.0).action_toggle_block_payment()
        self._move("in_invoice", 60.0)  # a vendor bill of the same partner
        self._customer_payment(40.0)  # money in, not applied
        self._customer_payment(25.0, "outbound")  # money sent back to the customer
        company_b = self.setup_other_company(name="Other Company")["company"]
        self.tricky.with_company(company_b).property_account_receivable_id = (
            self.env["account.account"]
            .with_company(company_b)
            .search(
                [
                    ("company_ids", "=", company_b.id),
                    ("account_type", "=", "asset_receivable"),
                ],
                limit=1,
            )
        )
        other = self._move("out_invoice", 110.0, company=company_b)
        expected = self._lines(invoice | split | partial | receipt)
        return expected, self._lines(other)

    def _sql_ids(self, company_ids):
        Line = self.env["account.move.line"]
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT aml.id FROM account_move_line aml
                     JOIN account_move move ON move.id = aml.move_id
                    WHERE %s AND move.commercial_partner_id = %s""",
                Line._dunning_open_installment_sql(company_ids),
                self.tricky.id,
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _domain_ids(self, company_ids):
        Line = self.env["account.move.line"]
        return set(
            Line.search(
                [
                    *Line._dunning_open_installment_domain(company_ids),
                    ("move_id.commercial_partner_id", "=", self.tricky.id),
                ]
            ).ids
        )

    def test_domain_and_sql_select_the_same_rows(self):
        expected, other_company = self._tricky_set()
        self.assertEqual(len(expected), 5)  # 1 + 2 installments + partial + receipt
        self.assertEqual(self._domain_ids(self.company.ids), set(expected.ids))
        self.assertEqual(self._sql_ids(self.company.ids), set(expected.ids))
        # without a company: every company's
        everywhere = set((expected | other_company).ids)
        self.assertEqual(self._domain_ids(None), everywhere)
        self.assertEqual(self._sql_ids(None), everywhere)
        # the customer's open items, notices and statement say the same
        self.assertEqual(self.tricky._dunning_open_items(self.company), expected)
        partial = expected.filtered(lambda line: line.amount_residual == 180.0)
        self.assertEqual(len(partial), 1)

    def test_batch_refresh_agrees_with_a_refresh_from_the_tables(self):
        """A batch's refresh counts the installments the batch read at its
        start; reading them from the tables afterwards finds the same
        figures, and both leave the blocked invoice out."""
        expected, _other = self._tricky_set()
        # the notices wait for review: the batch changes no invoice and its
        # refresh uses the rows it read
        self.policy.level_ids.auto_execute = False
        with freeze_time("2026-03-01"):
            self._run(date(2026, 3, 1), self.tricky)
        state = self._state(self.tricky)
        names = [
            "due_amount",
            "overdue_amount",
            "oldest_due_date",
            "max_days_late",
            "level_id",
            "status",
            "next_action_date",
        ]
        after_batch = state.read(names)[0]
        self.assertAlmostEqual(
            after_batch["due_amount"], sum(expected.mapped("amount_residual"))
        )
        self.assertEqual(after_batch["status"], "action")
        self.assertTrue(after_batch["level_id"])
        self.env["dunning.partner.state"]._refresh(
            self.tricky.ids, self.company.id, date(2026, 3, 1)
        )
        self.assertEqual(state.read(names)[0], after_batch)

    def test_blocked_invoice_leaves_the_figures_and_comes_back(self):
        """Blocking an invoice's payment takes it out of the customer's
        figures at once; unblocking brings it back; both mark the customer
        for the next daily run."""
        kept = self._move("out_invoice", 100.0)
        blocked = self._move("out_invoice", 65.0)
        State = self.env["dunning.partner.state"]
        State._refresh(self.tricky.ids, self.company.id, date(2026, 3, 1))
        state = self._state(self.tricky)
        self.assertEqual(state.due_amount, 165.0)
        state.changed = False
        blocked.action_toggle_block_payment()
        self.assertEqual(blocked.payment_state, "blocked")
        self.assertEqual(state.due_amount, 100.0)
        self.assertTrue(state.changed)
        self.assertEqual(
            self.tricky._dunning_open_items(self.company), self._lines(kept)
        )
        state.changed = False
        blocked.action_toggle_block_payment()
        self.assertEqual(blocked.payment_state, "not_paid")
        self.assertEqual(state.due_amount, 165.0)
        self.assertTrue(state.changed)

    def test_open_invoice_domain_and_sql_select_the_same_invoices(self):
        expected, other_company = self._tricky_set()
        Move = self.env["account.move"]
        for company_id, lines in (
            (self.company.id, expected),
            (None, expected | other_company),
        ):
            found = Move.search(
                [
                    *Move._dunning_open_invoice_domain(company_id),
                    ("commercial_partner_id", "=", self.tricky.id),
                ]
            )
            # the invoices of the open installments, nothing paid or blocked
            self.assertEqual(found, lines.move_id)
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    "SELECT move.id FROM account_move move"
                    " WHERE %s AND move.commercial_partner_id = %s",
                    Move._dunning_open_invoice_sql(company_id),
                    self.tricky.id,
                )
            )
            self.assertEqual({row[0] for row in self.env.cr.fetchall()}, set(found.ids))

    def test_open_invoice_index_serves_the_rule(self):
        """The partial index the run walks is made from the rule's
        constants: the planner can use it for ``_dunning_open_invoice_sql``
        (which names the same values)."""
        self.env.cr.execute(
            "SELECT indexdef FROM pg_indexes"
            " WHERE indexname = 'account_move_dunning_open_partner_idx'"
        )
        definition = self.env.cr.fetchone()[0]
        for value in (*DUNNING_MOVE_TYPES, *DUNNING_PAYMENT_STATES, "posted"):
            self.assertIn(f"'{value}'", definition)

    def test_days_late_sql_agrees_with_days_late(self):
        Line = self.env["account.move.line"]
        on = date(2026, 3, 1)
        for due in (date(2026, 2, 1), date(2026, 3, 1), date(2026, 3, 9)):
            self.env.cr.execute(
                SQL("SELECT %s", Line._dunning_days_late_sql(SQL("%s::date", due), on))
            )
            self.assertEqual(self.env.cr.fetchone()[0], days_late(due, on), due)

    def test_open_items_button_lists_what_the_notices_list(self):
        expected, _other = self._tricky_set()
        action = self.tricky.with_company(self.company).action_open_dunning_items()
        shown = self.env["account.move.line"].search(action["domain"])
        self.assertEqual(shown, expected)

    def test_notice_rows_and_total_in_the_company_currency(self):
        """A notice lists and sums in the company's currency, whatever the
        invoices' currencies: rows and total agree."""
        other = self.setup_other_currency("EUR", rates=[("2020-01-01", 2.0)])
        self.assertNotEqual(other, self.company.currency_id)
        self._move("out_invoice", 1000.0, partner=self.customer, currency=other)
        self._invoice(self.customer, date(2026, 1, 31), 100.0)
        with freeze_time("2026-02-10"):
            self._run(date(2026, 2, 10), self.customer)
        action = self.env["dunning.action"].search(
            [("partner_id", "=", self.customer.id)]
        )
        items = action._get_notice_items()
        self.assertEqual(len(items), 2)
        self.assertEqual(sorted(item["amount_raw"] for item in items), [100.0, 500.0])
        self.assertEqual(
            {item["currency"] for item in items}, {self.company.currency_id}
        )
        self.assertEqual(action._get_total_due(), 600.0)
        monetary = self.env["ir.qweb.field.monetary"]
        self.assertEqual(
            action._get_notice_total(),
            monetary.value_to_html(
                600.0, {"display_currency": self.company.currency_id}
            ),
        )
        # the invoice's own amount is still said next to it
        row = next(item for item in items if item["amount_raw"] == 500.0)
        self.assertIn("1,000.00", row["amount_in_invoice_currency"])

    def test_batch_refreshes_states_once_on_the_run_date(self):
        """A batch that executes notices refreshes its customers' states (and
        their holds) once, on the run's date, not also on today's."""
        self._invoice(self.customer, date(2026, 1, 1), 500.0)
        State = self.env.registry["dunning.partner.state"]
        original = State._refresh
        calls = []

        def spy(model, partner_ids, company_id, today=None, **kwargs):
            calls.append(today)
            return original(model, partner_ids, company_id, today=today, **kwargs)

        with freeze_time("2026-02-20"), patch.object(State, "_refresh", spy):
            run = self._run(date(2026, 1, 10))
        self.assertEqual(run.action_ids.state, "done")
        self.assertEqual(calls, [date(2026, 1, 10)])
        self.assertEqual(self._state(self.customer).max_days_late, 9)
