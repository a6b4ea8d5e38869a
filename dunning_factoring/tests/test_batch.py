# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Eligibility, export, dossier, notices, sale of receivables, cancellation."""

import io
import zipfile

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import D, FactoringCommon


@tagged("post_install", "-at_install")
class TestBatch(FactoringCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls._make_customer("Other Debtor", "other@example.com")
        cls.company_data_2 = cls.setup_other_company()

    def test_collection_takes_the_final_level_only(self):
        with freeze_time("2026-03-20"):
            final = self._invoice(self.customer, D(2026, 1, 31))
            formal = self._invoice(self.other, D(2026, 2, 20))
            self._to_final_level(final)
            self._run(D(2026, 3, 15), partners=self.other)
            self.assertNotEqual(formal.dunning_level_id, self.level_final)
            batch = self._batch(self.agency, D(2026, 3, 20))
            batch.action_propose()
        self.assertEqual(batch.line_ids.move_id, final)
        line = batch.line_ids
        self.assertEqual(line.level_id, self.level_final)
        self.assertEqual(line.days_late, 48)
        self.assertEqual(line.amount_residual, 1000.0)
        self.assertEqual(line.partner_id, self.customer)
        self.assertEqual((batch.item_count, batch.control_sum), (1, 1000.0))

    def test_collection_skips_disputed_promised_and_held(self):
        with freeze_time("2026-03-20"):
            moves = [self._invoice(self.customer, D(2026, 1, 31)) for _i in range(3)]
            for move in moves:
                self._to_final_level(move)
            moves[0].action_dunning_dispute()
            self.env["dunning.promise"].create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [(6, 0, moves[1].ids)],
                    "amount": 1000.0,
                    "date": D(2026, 4, 15),
                }
            )
            first = self._batch(self.agency, D(2026, 3, 20))
            first.action_propose()
            self.assertEqual(first.line_ids.move_id, moves[2])
            second = self._batch(self.agency, D(2026, 3, 20))
            second.action_propose()
            self.assertFalse(second.line_ids, "already in a draft batch")
            first.action_cancel()
            second.action_propose()
            self.assertEqual(second.line_ids.move_id, moves[2], "cancelled frees it")

    def test_factoring_takes_current_and_slightly_late(self):
        with freeze_time("2026-03-20"):
            current = self._invoice(self.customer, D(2026, 4, 19))
            late = self._invoice(self.customer, D(2026, 2, 18))  # 30 days late
            too_late = self._invoice(self.customer, D(2026, 2, 17))  # 31 days
            disputed = self._invoice(self.other, D(2026, 4, 19))
            disputed.action_dunning_dispute()
            batch = self._batch(self.factor, D(2026, 3, 20))
            batch.action_propose()
        self.assertEqual(batch.line_ids.move_id, late | current)
        self.assertNotIn(too_late, batch.line_ids.move_id)
        self.assertEqual(batch.batch_type, "factor")

    def test_editable_domain_narrows_the_proposal(self):
        with freeze_time("2026-03-20"):
            small = self._invoice(self.customer, D(2026, 4, 19), amount=100.0)
            self._invoice(self.customer, D(2026, 4, 19), amount=5000.0)
            self.factor.eligibility_domain = "[('amount_total', '<', 1000)]"
            batch = self._batch(self.factor, D(2026, 3, 20))
            batch.action_propose()
        self.assertEqual(batch.line_ids.move_id, small)

    def test_export_hands_over_and_cancel_restores(self):
        with freeze_time("2026-03-20"):
            move = self._invoice(self.customer, D(2026, 1, 31))
            self._to_final_level(move)
            batch = self._batch(self.agency, D(2026, 3, 20))
            batch.action_propose()
            batch.action_export()
        self.assertEqual(batch.state, "exported")
        self.assertEqual(batch.line_ids.state, "exported")
        self.assertTrue(move.dunning_excluded)
        self.assertEqual(move.dunning_exclusion_reason, "agency")
        self.assertIn(batch.name, move.message_ids[0].body)
        self.assertIn(batch.name, self.customer.message_ids[0].body)
        content = batch.attachment_id.raw.decode()
        self.assertIn(move.name, content)
        self.assertTrue(content.rstrip().endswith("TOTAL;1;;;;;;;;;;1000.00;;;"))
        with freeze_time("2026-03-20"):
            self._run(D(2026, 3, 25), partners=self.customer)
        self.assertEqual(move.dunning_level_id, self.level_final)
        with freeze_time("2026-03-21"):
            batch.action_cancel()
        self.assertEqual(batch.state, "cancelled")
        self.assertFalse(move.dunning_excluded)
        self.assertFalse(move.dunning_exclusion_reason)
        self.assertEqual(move.dunning_level_id, self.level_final)
        self.assertIn("back in the follow-up", move.message_ids[0].body)
        self.assertIn("cancelled", batch.message_ids[0].body)
        self.assertTrue(batch.attachment_id, "the exported file is kept")

    def test_cancel_restores_a_previous_exclusion_exactly(self):
        """An exclusion that had expired is given back with its dates."""
        with freeze_time("2026-03-20"):
            move = self._invoice(self.customer, D(2026, 3, 1))
            move.write(
                {
                    "dunning_excluded": True,
                    "dunning_exclusion_reason": "other",
                    "dunning_excluded_until": D(2026, 3, 10),
                }
            )
            batch = self._batch(self.factor, D(2026, 3, 20))
            batch.action_propose()
            self.assertEqual(batch.line_ids.move_id, move)
            batch.action_export()
            batch.action_cancel()
        self.assertEqual(
            (
                move.dunning_excluded,
                move.dunning_exclusion_reason,
                move.dunning_excluded_until,
            ),
            (True, "other", D(2026, 3, 10)),
        )

    def test_refusals(self):
        with freeze_time("2026-03-20"):
            empty = self._batch(self.factor, D(2026, 3, 20))
            with self.assertRaisesRegex(UserError, "no invoice to export"):
                empty.action_export()
            move = self._invoice(self.customer, D(2026, 4, 19))
            first = self._batch(self.factor, D(2026, 3, 20))
            first.action_propose()
            first.action_export()
            second = self._batch(self.factor, D(2026, 3, 20))
            self.env["dunning.export.line"].create(
                {"batch_id": second.id, "move_id": move.id}
            )
            with self.assertRaisesRegex(UserError, f"another open batch.*{first.name}"):
                second.action_export()
            self.assertFalse(second.attachment_id)
            self.assertEqual(second.state, "draft")
            paid = self._invoice(self.other, D(2026, 4, 19))
            third = self._batch(self.factor, D(2026, 3, 20))
            third.action_propose()
            self._pay(paid)
            with self.assertRaisesRegex(
                UserError, f"nothing open any more: {paid.name}"
            ):
                third.action_export()
            self.assertFalse(paid.dunning_excluded)

    def test_invoice_of_another_company_is_refused(self):
        company_b = self.company_data_2["company"]
        with freeze_time("2026-03-20"):
            foreign = self._invoice_in(company_b)
            batch = self._batch(self.factor, D(2026, 3, 20))
            batch.action_propose()
            self.assertNotIn(foreign, batch.line_ids.move_id)
            with self.assertRaises(UserError):
                self.env["dunning.export.line"].create(
                    {"batch_id": batch.id, "move_id": foreign.id}
                )

    def _invoice_in(self, company):
        partner = self.env["res.partner"].create(
            {"name": "B debtor", "is_company": True}
        )
        move = (
            self.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": D(2026, 3, 1),
                    "invoice_date_due": D(2026, 4, 1),
                    "invoice_line_ids": [
                        (
                            0,
                            0,
                            {
                                "name": "B",
                                "quantity": 1,
                                "price_unit": 10.0,
                                "tax_ids": [],
                            },
                        )
                    ],
                }
            )
        )
        move.action_post()
        return move

    def test_dossier_holds_statement_and_notices(self):
        with freeze_time("2026-03-20"):
            move = self._invoice(self.customer, D(2026, 1, 31))
            self._to_final_level(move)
            batch = self._batch(self.agency, D(2026, 3, 20))
            batch.action_propose()
            batch.action_export()
        self.assertTrue(batch.dossier_attachment_id)
        actions = self.env["dunning.action"].search(
            [("partner_id", "=", self.customer.id), ("state", "=", "done")]
        )
        letters = actions.letter_attachment_id
        self.assertEqual(len(letters), 2, "formal and final letters")
        with zipfile.ZipFile(io.BytesIO(batch.dossier_attachment_id.raw)) as archive:
            names = archive.namelist()
            folder = names[0].split("/")[0]
            self.assertIn(self.customer.name, folder)
            self.assertTrue(names[0].startswith(f"{folder}/statement."))
            self.assertIn(move.name.encode(), archive.read(names[0]))
            emails = [n for n in names if n.endswith("-email.html")]
            self.assertEqual(len(emails), len(actions.filtered("message_id")))
            letter_files = [n for n in names if "-letter." in n]
            self.assertEqual(len(letter_files), 2)
            self.assertEqual(
                sorted(archive.read(n) for n in letter_files),
                sorted(letters.mapped("raw")),
            )

    def test_factoring_entry_and_notice_of_assignment(self):
        self.factor.write({"factoring_entry": True, "notify_debtors": True})
        with freeze_time("2026-03-20"):
            move = self._invoice(self.customer, D(2026, 4, 19), amount=1000.0)
            batch = self._batch(self.factor, D(2026, 3, 20))
            batch.action_propose()
            batch.action_export()
        entry = batch.entry_id
        self.assertEqual(entry.state, "posted")
        self.assertEqual(move.payment_state, "paid")
        by_account = {
            line.account_id: line.balance for line in entry.line_ids if line.balance > 0
        }
        self.assertEqual(by_account[self.bank_journal.default_account_id], 800.0)
        self.assertEqual(by_account[self.expense_account], 30.0)
        self.assertEqual(by_account[self.factor_account], 170.0)
        notice = self.customer.message_ids.filtered(
            lambda m: m.message_type == "comment" and "assignment" in (m.subject or "")
        )
        self.assertEqual(len(notice), 1)
        self.assertIn(move.name, notice.body)
        self.assertIn("Fast Factor SA", notice.body)
        self.assertIn(self.customer, notice.partner_ids)
        # cancelling reverses the sale of receivables: the invoice is open again
        with freeze_time("2026-03-21"):
            batch.action_cancel()
        self.assertEqual(move.payment_state, "not_paid")
        self.assertFalse(move.dunning_excluded)

    def test_fees_and_interest_charged_go_to_the_line_and_the_file(self):
        if "dunning.charge" not in self.env:
            self.skipTest("dunning_escalation is not installed")
        with freeze_time("2026-03-20"):
            move = self._invoice(self.customer, D(2026, 1, 31))
            self._to_final_level(move)
            action = move.dunning_action_line_ids.action_id[:1]
            common = {
                "action_id": action.id,
                "level_id": action.level_id.id,
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "move_id": move.id,
                "currency_id": move.currency_id.id,
            }
            charge = self.env["dunning.charge"].sudo()
            charge.create(dict(common, name="Fee", kind="fee", amount=40.0))
            charge.create(dict(common, name="Interest", kind="interest", amount=6.58))
            charge.create(
                dict(
                    common, name="Waived", kind="compensation", amount=9.0, waived=True
                )
            )
            batch = self._batch(self.agency, D(2026, 3, 20))
            batch.action_propose()
            batch.action_export()
        self.assertEqual((batch.line_ids.fees, batch.line_ids.interest), (40.0, 6.58))
        self.assertIn(";1000.00;48;40.00;6.58\r\n", batch.attachment_id.raw.decode())

    def test_fixed_width_and_xlsx_files(self):
        with freeze_time("2026-03-20"):
            self._invoice(self.customer, D(2026, 4, 19), amount=123.45)
            for export_format, name in (("fixed", ".txt"), ("xlsx", ".xlsx")):
                self.factor.export_format = export_format
                batch = self._batch(self.factor, D(2026, 3, 20))
                batch.action_propose()
                batch.action_export()
                self.assertTrue(batch.attachment_id.name.endswith(name))
                if export_format == "fixed":
                    last = batch.attachment_id.raw.decode().splitlines()[-1]
                    self.assertEqual(last, "T00000001000000000012345")
                batch.action_cancel()

    def test_lines_change_only_in_draft(self):
        with freeze_time("2026-03-20"):
            move = self._invoice(self.customer, D(2026, 4, 19))
            other = self._invoice(self.other, D(2026, 4, 19))
            batch = self._batch(self.factor, D(2026, 3, 20))
            batch.action_propose()
            batch.line_ids.filtered(lambda ln: ln.move_id == other).unlink()
            batch.action_export()
        self.assertEqual(batch.line_ids.move_id, move)
        self.assertFalse(other.dunning_excluded, "removed before export: untouched")
        with self.assertRaisesRegex(UserError, "draft batches only"):
            batch.line_ids.unlink()
        with self.assertRaisesRegex(UserError, "draft batches only"):
            self.env["dunning.export.line"].create(
                {"batch_id": batch.id, "move_id": other.id}
            )
