# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Answers imported back, closing, and writing off what is not worth chasing."""

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import D, FactoringCommon


@tagged("post_install", "-at_install")
class TestAnswerImport(FactoringCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-03-20"):
            cls.moves = [cls._invoice(cls.customer, D(2026, 4, 19)) for _i in range(4)]
            cls.batch = cls.env["dunning.export.batch"].create(
                {"agency_id": cls.factor.id, "date": D(2026, 3, 20)}
            )
            cls.batch.action_propose()
            cls.batch.action_export()
        cls.factor.commission_percent = 10.0

    def _line(self, move):
        return self.batch.line_ids.filtered(lambda line: line.move_id == move)

    def test_good_file(self):
        accepted, rejected, recovered, returned = self.moves
        content = (
            "invoice,status,amount_recovered,comment\n"
            f"{accepted.name},accepted,,\n"
            f"{rejected.name},rejected,,not our kind\n"
            f"{recovered.name},recovered,600.00,\n"
            f"{returned.name},returned,0,uncollectable\n"
        ).encode()
        with freeze_time("2026-04-30"):
            self._import(self.batch, content)
        self.assertEqual(self.batch.state, "accepted")
        self.assertEqual(
            [self._line(m).state for m in self.moves],
            ["accepted", "rejected", "recovered", "returned"],
        )
        # rejected and returned: back on the ladder
        for move in (rejected, returned):
            self.assertFalse(move.dunning_excluded)
            self.assertIn("back in the follow-up", move.message_ids[0].body)
        self.assertEqual(accepted.dunning_exclusion_reason, "agency")
        # recovered: payment registered less the commission
        line = self._line(recovered)
        self.assertEqual((line.amount_recovered, line.commission), (600.0, 60.0))
        self.assertEqual(recovered.amount_residual, 400.0)
        self.assertEqual(recovered.payment_state, "partial")
        entry = line.recovery_move_id
        debits = {ln.account_id: ln.balance for ln in entry.line_ids if ln.balance > 0}
        self.assertEqual(debits[self.bank_journal.default_account_id], 540.0)
        self.assertEqual(debits[self.expense_account], 60.0)
        # every line answered: the batch closes
        self.batch.action_close()
        self.assertEqual(self.batch.state, "closed")

    def test_bad_file_lists_every_row_and_changes_nothing(self):
        content = (
            "invoice;status;amount_recovered\n"
            f"{self.moves[0].name};accepted;\n"
            "INV/1999/99999;accepted;\n"
            f"{self.moves[1].name};paid;\n"
        ).encode()
        with self.assertRaises(UserError) as caught:
            self._import(self.batch, content)
        message = str(caught.exception)
        self.assertIn("Row 3: invoice 'INV/1999/99999' is not in the batch", message)
        self.assertIn("Row 4: unknown status 'paid'", message)
        self.assertEqual(set(self.batch.line_ids.mapped("state")), {"exported"})
        self.assertEqual(self.batch.state, "exported")

    def test_close_refused_while_lines_wait(self):
        self._import(
            self.batch,
            f"invoice,status,amount_recovered\n{self.moves[0].name},accepted,\n".encode(),
        )
        with self.assertRaisesRegex(UserError, "3 invoices are not answered"):
            self.batch.action_close()

    def test_cancel_refused_once_money_was_recovered(self):
        with freeze_time("2026-04-30"):
            self._import(
                self.batch,
                f"invoice,status,amount_recovered\n{self.moves[0].name},recovered,100\n".encode(),
            )
        with self.assertRaisesRegex(UserError, "money was recovered"):
            self.batch.action_cancel()


@tagged("post_install", "-at_install")
class TestWriteOff(FactoringCommon):
    def _write_off(self, moves, reason="Not worth chasing"):
        wizard = (
            self.env["dunning.write.off"]
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create({"reason": reason})
        )
        return wizard.action_write_off()

    def test_write_off_under_the_threshold(self):
        with freeze_time("2026-03-20"):
            move = self._invoice(self.customer, D(2026, 3, 1), amount=40.0)
            draft = self._batch(self.factor, D(2026, 3, 20))
            draft.action_propose()
            self.assertIn(move, draft.line_ids.move_id)
            self._write_off(move, "Debtor moved abroad")
        self.assertEqual(move.payment_state, "paid")
        self.assertEqual(
            (move.dunning_excluded, move.dunning_exclusion_reason),
            (True, "written_off"),
        )
        entry = move.line_ids.matched_credit_ids.credit_move_id.move_id
        self.assertEqual(entry.state, "posted")
        expense = entry.line_ids.filtered(
            lambda ln: ln.account_id == self.expense_account
        )
        self.assertEqual(expense.balance, 40.0)
        self.assertNotIn(move, draft.line_ids.move_id, "left the draft batch")
        self.assertIn("Debtor moved abroad", move.message_ids[0].body)
        self.assertIn("Debtor moved abroad", self.customer.message_ids[0].body)

    def test_above_the_threshold_refused_unless_returned(self):
        with freeze_time("2026-03-20"):
            small = self._invoice(self.customer, D(2026, 4, 19), amount=40.0)
            big = self._invoice(self.customer, D(2026, 4, 19), amount=500.0)
            with self.assertRaisesRegex(UserError, f"{big.name}.*above the threshold"):
                self._write_off(small | big)
            self.assertEqual(small.payment_state, "not_paid", "all or nothing")
            batch = self._batch(self.factor, D(2026, 3, 20))
            batch.action_propose()
            batch.action_export()
            self._import(
                batch,
                f"invoice,status,amount_recovered\n{big.name},returned,\n".encode(),
            )
            self._write_off(big, "Returned as uncollectable")
        self.assertEqual(big.payment_state, "paid")

    def test_from_a_customer(self):
        with freeze_time("2026-03-20"):
            move = self._invoice(self.customer, D(2026, 2, 1), amount=30.0)
            wizard = (
                self.env["dunning.write.off"]
                .with_context(active_model="res.partner", active_ids=self.customer.ids)
                .create({"reason": "Small balance"})
            )
            self.assertEqual(wizard.move_ids, move)
            self.assertEqual(wizard.account_id, self.expense_account)
            wizard.action_write_off()
        self.assertEqual(move.payment_state, "paid")

    def test_from_batch_lines_of_returned_invoices(self):
        with freeze_time("2026-03-20"):
            move = self._invoice(self.customer, D(2026, 3, 1), amount=800.0)
            batch = self._batch(self.factor, D(2026, 3, 20))
            batch.action_propose()
            batch.action_export()
            self._import(
                batch,
                f"invoice,status,amount_recovered\n{move.name},returned,\n".encode(),
            )
            self.assertFalse(move.dunning_excluded, "back on the ladder")
            wizard = (
                self.env["dunning.write.off"]
                .with_context(
                    active_model="dunning.export.line", active_ids=batch.line_ids.ids
                )
                .create({"reason": "Uncollectable"})
            )
            self.assertEqual(wizard.move_ids, move)
            wizard.action_write_off()
        self.assertEqual(move.payment_state, "paid")
        self.assertEqual(move.dunning_exclusion_reason, "written_off")
        self.assertEqual(batch.line_ids.state, "returned", "the answer stays recorded")
