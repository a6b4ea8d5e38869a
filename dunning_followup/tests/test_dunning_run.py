# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import SUPERUSER_ID, Command, api, sql_db
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningRun(DunningCommon):
    def _actions(self, partner=None):
        return self.env["dunning.action"].search(
            [("partner_id", "=", (partner or self.customer).id)], order="id"
        )

    def test_levels_reached_on_their_day(self):
        invoice = self._invoice(
            self.customer, date(2026, 3, 1), 1000.0, date(2026, 2, 1)
        )
        # 6 days before due: nothing
        with freeze_time("2026-02-23"):
            self._run(date(2026, 2, 23))
        self.assertFalse(self._actions())
        # 5 days before due: friendly reminder, e-mail queued to the customer
        with freeze_time("2026-02-24"):
            with self.mock_mail_gateway():
                self._run(date(2026, 2, 24))
            action = self._actions()
            self.assertEqual(action.level_id, self.level_reminder)
            self.assertEqual(action.state, "done")
            self.assertEqual(action.recipient_ids, self.customer)
            self.assertEqual(len(self._new_mails), 1)
            self.assertEqual(self._new_mails.recipient_ids, self.customer)
            self.assertEqual(invoice.dunning_level_id, self.level_reminder)
            self.assertEqual(invoice.dunning_last_date, date(2026, 2, 24))
        # 4 days after due: still the reminder
        with freeze_time("2026-03-05"):
            self._run(date(2026, 3, 5))
        self.assertEqual(len(self._actions()), 1)
        # 5 days after: first reminder; 10: call activity for the collector
        with freeze_time("2026-03-06"):
            self._run(date(2026, 3, 6))
        self.assertEqual(self._actions()[-1].level_id, self.level_first)
        with freeze_time("2026-03-11"):
            self._run(date(2026, 3, 11))
        call = self._actions()[-1]
        self.assertEqual(call.level_id, self.level_call)
        self.assertEqual(call.activity_id.user_id, self.collector)
        self.assertEqual(call.activity_id.res_id, self.customer.id)
        self.assertEqual(invoice.dunning_level_id, self.level_call)

    def test_formal_notice_prints_letter_and_final_waits_for_review(self):
        invoice = self._invoice(self.customer, date(2026, 1, 1), 500.0)
        self.policy.level_mode = "jump"
        with freeze_time("2026-01-25"):
            self._run(date(2026, 1, 25))
        formal = self._actions()
        self.assertEqual(formal.level_id, self.level_formal)
        self.assertTrue(formal.letter_attachment_id)
        self.assertEqual(formal.letter_attachment_id.res_model, "dunning.action")
        self.assertIn(formal.letter_attachment_id, formal.message_id.attachment_ids)
        with freeze_time("2026-02-20"):
            run = self._run(date(2026, 2, 20))
        final = self._actions()[-1]
        self.assertEqual(final.level_id, self.level_final)
        self.assertEqual(final.state, "to_review")
        self.assertEqual(run.review_count, 1)
        self.assertEqual(self._state(self.customer).status, "action")
        self.assertEqual(invoice.dunning_level_id, self.level_final)
        with freeze_time("2026-02-20"):
            final.with_user(self.collector).action_execute()
        self.assertEqual(final.state, "done", final.failure_reason)
        self.assertEqual(final.executed_uid, self.collector)

    def test_jump_versus_step(self):
        self._invoice(self.customer, date(2026, 1, 1), 500.0)
        with freeze_time("2026-01-25"):
            self._run(date(2026, 1, 25))
        # one level at a time: a new invoice 24 days late starts at "First"
        self.assertEqual(self._actions().level_id, self.level_first)
        with freeze_time("2026-01-26"):
            self._run(date(2026, 1, 26))
        self.assertEqual(self._actions()[-1].level_id, self.level_call)

    def test_each_installment_has_its_own_level(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "30/30/40",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 30, "nb_days": 0}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 30, "nb_days": 30}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 40, "nb_days": 60}
                    ),
                ],
            }
        )
        invoice = self._invoice(
            self.customer, None, 1000.0, invoice_date=date(2026, 1, 1), term=term
        )
        lines = self._lines(invoice).sorted("date_maturity")
        self.assertEqual(len(lines), 3)
        self.assertEqual(invoice.invoice_date_due, date(2026, 3, 2))
        # 20 days after the first installment, the last one is still ahead
        with freeze_time("2026-01-21"):
            self._run(date(2026, 1, 21))
        action = self._actions()
        self.assertEqual(action.level_id, self.level_first)
        self.assertEqual(action.line_ids.move_line_id, lines[0])
        self.assertEqual(action.amount_due, 300.0)
        self.assertEqual(lines[0].dunning_level_id, self.level_first)
        self.assertFalse(lines[1].dunning_level_id)
        self.assertEqual(invoice.dunning_level_id, self.level_first)

    def test_tolerance(self):
        self.policy.tolerance = 100.0
        self._invoice(self.customer, date(2026, 1, 1), 99.0)
        with freeze_time("2026-01-07"):
            run = self._run(date(2026, 1, 7))
        self.assertFalse(self._actions())
        self.assertEqual(run.skipped_count, 1)
        self._invoice(self.customer, date(2026, 1, 2), 50.0)
        with freeze_time("2026-01-08"):
            self._run(date(2026, 1, 8))
        self.assertEqual(self._actions().amount_due, 149.0)

    def test_minimum_interval(self):
        self.policy.min_interval_days = 7
        self._invoice(self.customer, date(2026, 1, 1), 200.0)
        self._invoice(self.customer, date(2026, 1, 5), 300.0)
        with freeze_time("2026-01-06"):
            self._run(date(2026, 1, 6))
        self.assertEqual(len(self._actions()), 1)
        # the second invoice reaches "First" on the 10th: too soon after the 6th
        with freeze_time("2026-01-10"):
            self._run(date(2026, 1, 10))
        self.assertEqual(len(self._actions()), 1)
        self.assertEqual(self._state(self.customer).next_action_date, date(2026, 1, 13))
        with freeze_time("2026-01-13"):
            self._run(date(2026, 1, 13))
        self.assertEqual(len(self._actions()), 2)

    def test_exclusion_and_until_date(self):
        invoice = self._invoice(self.customer, date(2026, 1, 1), 200.0)
        invoice.write(
            {
                "dunning_excluded": True,
                "dunning_exclusion_reason": "dispute",
                "dunning_excluded_until": date(2026, 1, 20),
            }
        )
        with freeze_time("2026-01-10"):
            self._run(date(2026, 1, 10))
            self.assertFalse(self._actions())
            self.assertEqual(self._state(self.customer).status, "excluded")
        with freeze_time("2026-01-21"):
            self._run(date(2026, 1, 21))
        self.assertEqual(self._actions().level_id, self.level_first)

    def test_payment_leaves_the_ladder(self):
        invoice = self._invoice(self.customer, date(2026, 1, 1), 400.0)
        with freeze_time("2026-01-07"):
            self._run(date(2026, 1, 7))
            state = self._state(self.customer)
            self.assertEqual(state.overdue_amount, 400.0)
            self.assertEqual(self.customer.dunning_overdue_amount, 400.0)
            self._pay(invoice, 150.0, date(2026, 1, 7))
            self.assertEqual(state.overdue_amount, 250.0)
            self._pay(invoice, 250.0, date(2026, 1, 7))
            self.assertEqual(state.overdue_amount, 0.0)
            self.assertEqual(state.status, "none")
        with freeze_time("2026-03-01"):
            self._run(date(2026, 3, 1))
        self.assertEqual(len(self._actions()), 1)
        self.assertEqual(self.customer.dunning_avg_days_late, 6.0)

    def test_rerun_sends_nothing_twice(self):
        self._invoice(self.customer, date(2026, 1, 1), 200.0)
        with freeze_time("2026-01-07"):
            with self.mock_mail_gateway():
                self._run(date(2026, 1, 7))
                self._run(date(2026, 1, 7))
                self._run(date(2026, 1, 7))
            self.assertEqual(len(self._new_mails), 1)
        self.assertEqual(len(self._actions()), 1)

    def test_keys_refuse_a_level_twice(self):
        """Even a run that plans the same (line, level) again creates nothing."""
        invoice = self._invoice(self.customer, date(2026, 1, 1), 200.0)
        with freeze_time("2026-01-07"):
            run = self._run(date(2026, 1, 7))
            line = self._lines(invoice)
            replay = [
                (
                    self.customer.id,
                    self.level_first,
                    [
                        (
                            {
                                "id": line.id,
                                "move_id": invoice.id,
                                "currency_id": invoice.currency_id.id,
                                "date_maturity": line.date_maturity,
                                "amount_residual": 200.0,
                            },
                            self.level_first,
                        )
                    ],
                )
            ]
            self.assertFalse(run._create_actions(replay))
        self.assertEqual(len(self._actions()), 1)

    def test_crash_resumes_without_duplicates(self):
        other = self._make_customer("Other Customer", "other@example.com")
        self._invoice(self.customer, date(2026, 1, 1), 200.0)
        self._invoice(other, date(2026, 1, 1), 300.0)
        self.company.dunning_batch_size = 1
        with freeze_time("2026-01-07"):
            run = self.env["dunning.run"].create(
                {
                    "company_id": self.company.id,
                    "date": date(2026, 1, 7),
                    "trigger": "cron",
                }
            )
            run._process_batch(1)
            self.assertEqual(run.partner_done, 1)
            # the next batch crashes half-way (its actions created, not
            # executed): its transaction is rolled back
            with patch.object(
                type(self.env["dunning.action"]),
                "_execute",
                side_effect=RuntimeError,
            ):
                with self.assertRaises(RuntimeError), self.env.cr.savepoint():
                    run._process_batch(1)
            self.env.invalidate_all()
            run.action_process()
        self.assertEqual(run.state, "done")
        actions = self.env["dunning.action"].search([("run_id", "=", run.id)])
        self.assertEqual(actions.partner_id, self.customer | other)
        self.assertEqual(len(actions), 2)

    def test_sweep_does_not_claim_the_batch_twice(self):
        """The claim only locks: until the batch's refresh marks them, the
        customers a batch claimed on its walk look unprocessed to its own
        sweep, which must leave them out."""
        customers = self.customer
        for n in range(3):
            customers |= self._make_customer(f"Sweep {n}", f"sweep{n}@example.com")
        for customer in customers:
            self._invoice(customer, date(2026, 1, 1), 100.0)
        c1, c2, c3, c4 = sorted(customers.ids)
        with freeze_time("2026-01-07"):
            run = self.env["dunning.run"].create(
                {
                    "company_id": self.company.id,
                    "date": date(2026, 1, 7),
                    "partner_ids": [Command.set(customers.ids)],
                }
            )
            # an earlier batch processed c1 and looked up to c3 (c2 and c3
            # were held by another transaction then)
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE dunning_partner_state SET run_id = %s"
                " WHERE partner_id = %s AND company_id = %s",
                [run.id, c1, self.company.id],
            )
            self.env["dunning.run.batch"].create(
                {"run_id": run.id, "last_partner_id": c3, "partner_count": 1}
            )
            run.invalidate_recordset()
            # the walk claims c4, the sweep c2 and c3: each once
            claimed, busy, cursor = run._claim_batch(4)
            self.assertEqual(claimed, [c4, c2, c3])
            self.assertEqual((busy, cursor), ([], c4))

    def test_wizard_refuses_customer_held_by_another_run(self):
        self._invoice(self.customer, date(2026, 1, 1), 200.0)
        with freeze_time("2026-01-07"):
            wizard = (
                self.env["dunning.followup"]
                .with_context(active_model="res.partner", active_ids=self.customer.ids)
                .create({})
            )
            with (
                patch.object(
                    type(self.env["dunning.run"]), "_claim_partners", return_value=[]
                ),
                self.assertRaisesRegex(UserError, "Another follow-up run"),
            ):
                wizard.action_send()

    def test_customer_locked_by_another_run_is_skipped(self):
        self._invoice(self.customer, date(2026, 1, 1), 200.0)
        with freeze_time("2026-01-07"):
            run = self.env["dunning.run"].create(
                {"company_id": self.company.id, "date": date(2026, 1, 7)}
            )
            with patch.object(type(run), "_claim_partners", return_value=[]):
                result = run.action_process()
        self.assertFalse(self._actions())
        # the customer stays due: the run is not over and counts nobody
        self.assertEqual(run.state, "running")
        self.assertEqual(run.partner_done, 0)
        self.assertEqual(result["tag"], "display_notification")

    def test_no_email_address_gets_a_letter(self):
        silent = self._make_customer("No Mail Ltd")
        invoice = self._invoice(silent, date(2026, 1, 1), 200.0)
        with freeze_time("2026-01-07"):
            self._run(date(2026, 1, 7))
        action = self._actions(silent)
        self.assertEqual(action.state, "done")
        self.assertFalse(action.message_id)
        self.assertTrue(action.letter_attachment_id)
        self.assertIn("letter is printed", action.note)
        self.assertTrue(
            invoice.message_ids.filtered(lambda m: "First" in (m.body or ""))
        )

    def test_invoicing_contact_receives_the_notice(self):
        billing = self.env["res.partner"].create(
            {
                "name": "Accounts payable",
                "type": "invoice",
                "email": "ap@acme.example.com",
                "parent_id": self.customer.id,
            }
        )
        self._invoice(self.customer, date(2026, 1, 1), 200.0)
        with freeze_time("2026-01-07"):
            self._run(date(2026, 1, 7))
        self.assertEqual(self._actions().recipient_ids, billing)

    def test_traces_on_partner_and_invoices(self):
        inv1 = self._invoice(self.customer, date(2026, 1, 1), 200.0)
        inv2 = self._invoice(self.customer, date(2026, 1, 2), 300.0)
        with freeze_time("2026-01-07"):
            self._run(date(2026, 1, 7))
        action = self._actions()
        self.assertEqual(action.message_id.model, "res.partner")
        self.assertEqual(action.message_id.res_id, self.customer.id)
        body = str(action.message_id.body)
        self.assertIn(inv1.name, body)
        self.assertIn(inv2.name, body)
        self.assertIn("500.00", body)  # the total
        for invoice in inv1 | inv2:
            self.assertTrue(
                invoice.message_ids.filtered(
                    lambda m: "Follow-up First" in (m.body or "")
                )
            )

    def test_failed_mail_is_marked_and_retried(self):
        self._invoice(self.customer, date(2026, 1, 1), 200.0)
        Action = type(self.env["dunning.action"])
        with freeze_time("2026-01-07"):
            with patch.object(Action, "_send_email", side_effect=OSError("SMTP down")):
                run = self._run(date(2026, 1, 7))
            action = self._actions()
            self.assertEqual(action.state, "failed")
            self.assertIn("SMTP down", action.failure_reason)
            self.assertEqual(run.failed_count, 1)
            self.assertEqual(self._state(self.customer).status, "action")
            self.env["dunning.action"]._cron_retry_failed()
        self.assertEqual(action.state, "done")
        self.assertEqual(action.attempt_count, 2)
        self.assertTrue(action.message_id)
        self.assertEqual(self._state(self.customer).status, "none")

    def test_cron_processes_batches_and_reports_progress(self):
        for index in range(3):
            partner = self._make_customer(f"Batch {index}", f"b{index}@example.com")
            self._invoice(partner, date(2026, 1, 1), 100.0)
        self.company.dunning_batch_size = 2
        with freeze_time("2026-01-07"):
            remaining = self.env["dunning.run"]._cron_run()
            self.assertGreater(remaining, 0)
            while remaining:
                remaining = self.env["dunning.run"]._cron_run()
            run = self.env["dunning.run"].search(
                [("company_id", "=", self.company.id), ("trigger", "=", "cron")]
            )
        self.assertEqual(len(run), 1)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.partner_done, 3)
        self.assertEqual(run.action_count, 3)
        self.assertIn("3 customers processed", run.log)

    def test_wizard_preview_and_send_with_level(self):
        self._invoice(self.customer, date(2026, 1, 1), 200.0)
        with freeze_time("2026-01-03"):
            wizard = (
                self.env["dunning.followup"]
                .with_user(self.collector)
                .with_context(active_model="res.partner", active_ids=self.customer.ids)
                .create({"level_id": self.level_formal.id})
            )
            self.assertIn("Acme Customer", wizard.preview)
            self.assertFalse(self._actions())  # the preview left nothing behind
            wizard.action_send()
        action = self._actions()
        self.assertEqual(action.level_id, self.level_formal)
        self.assertEqual(action.state, "done", action.failure_reason)
        self.assertTrue(action.letter_attachment_id)

    def test_wizard_log_call(self):
        self._invoice(self.customer, date(2026, 1, 1), 200.0)
        with freeze_time("2026-01-07"):
            wizard = (
                self.env["dunning.followup"]
                .with_context(active_model="res.partner", active_ids=self.customer.ids)
                .create({})
            )
            wizard.action_log_call()
        action = self._actions()
        self.assertFalse(action.message_id)
        self.assertEqual(
            action.activity_id.activity_type_id,
            self.env.ref("mail.mail_activity_data_call"),
        )

    def test_statement_buckets(self):
        invoices = [
            self._invoice(self.customer, date(2026, 1, 1), 100.0),
            self._invoice(self.customer, date(2026, 2, 20), 200.0),
            self._invoice(self.customer, date(2026, 3, 15), 300.0),
        ]
        data = self.customer._dunning_statement_data(date(2026, 3, 10))
        amounts = {b["name"]: b["amount_raw"] for b in data["buckets"]}
        self.assertEqual(amounts["not_due"], 300.0)
        self.assertEqual(amounts["1_30"], 200.0)
        self.assertEqual(amounts["61_90"], 100.0)
        self.assertEqual(data["total_raw"], 600.0)
        # the statement lists them (rendered as HTML in test mode)
        content, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "dunning_followup.action_report_dunning_statement", self.customer.ids
        )
        for invoice in invoices:
            self.assertIn(invoice.name, content.decode())

    def test_wizard_form_previews_without_writing(self):
        """The wizard as the web client drives it (onchange on a new record)."""
        self._invoice(self.customer, date(2026, 1, 1), 200.0)
        with freeze_time("2026-01-07"):
            form = Form(
                self.env["dunning.followup"].with_context(
                    active_model="res.partner", active_ids=self.customer.ids
                )
            )
            self.assertIn("Acme Customer", form.preview)
            form.level_id = self.level_formal
            self.assertIn("Acme Customer", form.preview)
        self.assertFalse(self._actions())


@tagged("post_install", "-at_install")
class TestDunningConcurrency(DunningCommon):
    """Two runs at the same moment, with two real database connections."""

    def test_customer_locked_by_another_transaction_is_skipped(self):
        """Run A claims customers while run B holds one of them: A skips it,
        then gets it once B is gone.  Both are real transactions on their own
        connections (the test's transaction cannot see their rows)."""
        partner = self.env.ref("base.main_partner")
        company = self.env.ref("base.main_company")
        conn_b = sql_db.db_connect(self.env.cr.dbname).cursor()
        conn_a = sql_db.db_connect(self.env.cr.dbname).cursor()
        created = []
        try:
            conn_b.execute(
                """INSERT INTO dunning_partner_state (partner_id, company_id, status)
                   VALUES (%s, %s, 'none') ON CONFLICT DO NOTHING RETURNING id""",
                [partner.id, company.id],
            )
            created = conn_b.fetchall()
            conn_b.commit()
            conn_b.execute(
                """SELECT id FROM dunning_partner_state
                    WHERE partner_id = %s AND company_id = %s FOR NO KEY UPDATE""",
                [partner.id, company.id],
            )
            env_a = api.Environment(conn_a, SUPERUSER_ID, {})
            run = env_a["dunning.run"].create({"company_id": company.id})
            self.assertEqual(run._claim_partners([partner.id]), [])
            conn_b.rollback()  # run B ends
            self.assertEqual(run._claim_partners([partner.id]), [partner.id])
        finally:
            conn_a.rollback()
            conn_a.close()
            conn_b.rollback()
            if created:
                conn_b.execute(
                    "DELETE FROM dunning_partner_state WHERE id = %s", [created[0][0]]
                )
                conn_b.commit()
            conn_b.close()


@tagged("post_install", "-at_install")
class TestDunningDocuments(DunningCommon):
    def test_letters_and_statements_rendered_in_one_batch(self):
        """Three customers at the formal level: one wkhtmltopdf call for the
        letters and one for the statements, split per customer."""
        state = self.env["ir.actions.report"].get_wkhtmltopdf_state()
        if state != "ok":
            self.skipTest(
                f"needs wkhtmltopdf to print PDF letters, and its state is {state!r}: "
                "install it (./setup/install.sh does, see setup/README.md)"
            )
        self.level_formal.attach_statement = True
        self.policy.level_mode = "jump"
        customers = self.env["res.partner"]
        for index in range(3):
            partner = self._make_customer(f"Doc {index}", f"doc{index}@example.com")
            self._invoice(partner, date(2026, 1, 1), 100.0 * (index + 1))
            customers |= partner
        Report = type(self.env["ir.actions.report"])
        original = Report._run_wkhtmltopdf
        calls = []

        def counting(report_self, bodies, *args, **kwargs):
            calls.append(len(bodies))
            return original(report_self, bodies, *args, **kwargs)

        with (
            freeze_time("2026-01-25"),
            patch.object(Report, "_run_wkhtmltopdf", counting),
        ):
            run = self.env["dunning.run"].create(
                {
                    "company_id": self.company.id,
                    "date": date(2026, 1, 25),
                    "partner_ids": customers.ids,
                }
            )
            run.with_context(force_report_rendering=True).action_process()
        actions = self.env["dunning.action"].search(
            [("partner_id", "in", customers.ids)]
        )
        self.assertEqual(len(actions), 3)
        self.assertEqual(set(actions.mapped("state")), {"done"})
        self.assertEqual(calls, [1, 1])
        for action in actions:
            self.assertEqual(action.letter_attachment_id.mimetype, "application/pdf")
            self.assertEqual(action.statement_attachment_id.mimetype, "application/pdf")
            attached = action.message_id.attachment_ids
            self.assertIn(action.letter_attachment_id, attached)
            self.assertIn(action.statement_attachment_id, attached)
            # each letter is one customer's own
            self.assertGreater(len(action.letter_attachment_id.raw), 1000)
