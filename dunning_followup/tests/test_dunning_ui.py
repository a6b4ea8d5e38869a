# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the screens show: buttons, lists, titles and texts."""

from datetime import date

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningScreens(DunningCommon):
    def test_overdue_button_lists_what_is_overdue(self):
        """The list behind the Overdue button sums what is left to pay on
        the installments past due: the amount on the button."""
        late = self._invoice(self.customer, date(2026, 1, 1), 1000.0)
        self._invoice(self.customer, date(2026, 3, 1), 500.0)  # not due yet
        self._pay(late, 400.0, on=date(2026, 1, 10))
        with freeze_time("2026-02-01"):
            self.env["dunning.partner.state"]._refresh(
                self.customer.ids, self.company.id
            )
            action = self.customer.with_user(self.collector).action_open_dunning_items()
            lines = self.env["account.move.line"].search(action["domain"])
            self.assertEqual(self.customer.dunning_overdue_amount, 600.0)
        self.assertEqual(lines.move_id, late)
        self.assertEqual(sum(lines.mapped("amount_residual")), 600.0)
        view = self.env["ir.ui.view"].browse(action["views"][0][0])
        self.assertIn('name="amount_residual"', view.arch)

    def test_promise_prefilled_with_overdue_invoices(self):
        late = self._invoice(self.customer, date(2026, 1, 1), 1000.0)
        current = self._invoice(self.customer, date(2026, 3, 1), 500.0)
        with freeze_time("2026-02-01"):
            action = self.customer.with_user(self.collector).action_dunning_promise()
            ctx = action["context"]
            self.assertEqual(ctx["default_move_ids"], [(6, 0, late.ids)])
            self.assertEqual(ctx["default_amount"], 1000.0)
            # from an invoice not yet due: that one too
            action = current.with_user(self.collector).action_dunning_promise()
            self.assertEqual(
                set(action["context"]["default_move_ids"][0][2]),
                set((late | current).ids),
            )
            promise = (
                self.env["dunning.promise"]
                .with_user(self.collector)
                .with_context(**ctx)
                .create({})
            )
        self.assertEqual(promise.partner_id, self.customer)
        self.assertEqual(promise.move_ids, late)
        self.assertEqual(promise.date, date(2026, 2, 8))

    def test_followup_dialogs_have_a_title(self):
        """Opened from the Actions menu of customers, follow-ups and notices,
        the wizard has a title (a dialog without one says "Odoo"), and the
        collector, who may not write on these records, can open it."""
        for xmlid in (
            "dunning_followup.res_partner_action_followup",
            "dunning_followup.dunning_partner_state_action_followup",
            "dunning_followup.dunning_action_action_followup",
        ):
            action = self.env.ref(xmlid)
            self.assertEqual(action.type, "ir.actions.act_window")
            self.assertEqual(action.name, "Follow up customers")
            self.assertTrue(action.binding_model_id)
        action = self.customer.action_dunning_followup()
        self.assertEqual(action["name"], "Follow up customers")

    def test_followup_row_opens_a_form(self):
        action = self.env.ref("dunning_followup.dunning_partner_state_action")
        self.assertIn("form", action.view_mode)
        self.assertEqual(
            self.env["dunning.partner.state"].get_view(view_type="form")["id"],
            self.env.ref("dunning_followup.dunning_partner_state_view_form").id,
        )

    def test_policy_form_lists_levels_by_days(self):
        """A new 60-day level lands after the 45-day one, not where its
        sequence puts it."""
        arch = etree.fromstring(self.env["dunning.policy"].get_view()["arch"])
        (levels,) = arch.xpath("//field[@name='level_ids']/list")
        self.assertTrue(levels.get("default_order", "").startswith("days"))
        self.assertFalse(levels.xpath(".//field[@widget='handle']"))

    def test_days_late_grouped_is_the_maximum(self):
        other = self._make_customer("Other Customer")
        State = self.env["dunning.partner.state"].sudo()
        State.create(
            [
                {"partner_id": self.customer.id, "company_id": self.company.id},
                {"partner_id": other.id, "company_id": self.company.id},
            ]
        ).write({"max_days_late": 10})
        State.search([("partner_id", "=", other.id)]).max_days_late = 30
        groups = State.web_read_group(
            [("partner_id", "in", (self.customer | other).ids)],
            ["max_days_late"],
            ["company_id"],
        )["groups"]
        self.assertEqual(groups[0]["max_days_late"], 30)

    def test_menus_are_named_as_their_screens(self):
        menus = self.env["ir.ui.menu"].search([("action", "!=", False)])
        ours = menus.filtered(
            lambda m: (m.get_external_id()[m.id] or "").startswith("dunning_")
        )
        self.assertTrue(ours)
        for menu in ours:
            if menu.action._name == "ir.actions.act_window":
                self.assertEqual(menu.name, menu.action.name, menu.complete_name)

    def test_promise_texts_are_formatted(self):
        move = self._invoice(self.customer, date(2026, 1, 1), 5400.0)
        promise = self.env["dunning.promise"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": move.ids,
                "amount": 5400.0,
                "date": date(2026, 12, 7),
            }
        )
        self.assertNotIn("2026-12-07", promise.name)
        self.assertIn("12/07/2026", promise.name)
        note = self.customer.message_ids[:1].body
        self.assertIn("5,400.00", note)
        self.assertNotIn("5400.0", note)
        self.assertNotIn("2026-12-07", note)

    def test_promise_invoices_column_label(self):
        arch = self.env["dunning.promise"].get_view(view_type="form")["arch"]
        self.assertIn('string="Left to pay"', arch)

    def test_friendly_reminder_of_late_items_says_so(self):
        self._invoice(self.customer, date(2026, 1, 1), 100.0)  # 3 days late
        self._invoice(self.customer, date(2026, 1, 9), 200.0)  # due in 5 days
        template = self.env.ref("dunning_followup.mail_template_dunning_reminder")
        with freeze_time("2026-01-04"):
            action = self.env["dunning.action"].create(
                {
                    "partner_id": self.customer.id,
                    "level_id": self.level_reminder.id,
                    "date": date(2026, 1, 4),
                }
            )
            body = template._render_field("body_html", action.ids)[action.id]
        self.assertIn("already past their due date", body)
        self.assertNotIn("fall due soon", body)


@tagged("post_install", "-at_install")
class TestRunNow(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._make_user(
            "Manon Manager", "manon", ["dunning_followup.group_dunning_manager"]
        )
        for index in range(3):
            partner = cls._make_customer(f"Now {index}", f"now{index}@example.com")
            cls._invoice(partner, date(2026, 1, 1), 100.0)

    def test_small_run_processed_at_once(self):
        with freeze_time("2026-01-08"):
            result = self.env["dunning.run"].with_user(self.manager).action_run_now()
        run = self.env["dunning.run"].browse(result["res_id"])
        self.assertEqual(run.state, "done")
        self.assertEqual(run.trigger, "cron")
        self.assertEqual(run.partner_done, 3)
        self.assertEqual(run.action_count, 3)
        self.assertIn("Manon Manager", run.log)

    def test_large_run_goes_to_the_cron(self):
        self.company.dunning_batch_size = 2
        cron = self.env.ref("dunning_followup.ir_cron_dunning_run")
        with freeze_time("2026-01-08"):
            result = self.env["dunning.run"].with_user(self.manager).action_run_now()
            run = self.env["dunning.run"].browse(result["res_id"])
            self.assertEqual(run.state, "running")
            self.assertTrue(
                self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
            )
            # a second click reuses the run in progress
            again = self.env["dunning.run"].with_user(self.manager).action_run_now()
            self.assertEqual(again["res_id"], run.id)
            # the cron processes it batch after batch, counting on the run
            self.env["dunning.run"]._cron_run()
            self.assertEqual(run.partner_done, 2)
            self.env["dunning.run"]._cron_run()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.partner_done, 3)

    def test_collector_cannot_start_a_run(self):
        with self.assertRaises(AccessError):
            self.env["dunning.run"].with_user(self.collector).action_run_now()


@tagged("post_install", "-at_install")
class TestWizardPreview(DunningCommon):
    def test_preview_shows_every_customer_and_says_why_blank(self):
        other = self._make_customer("Bolt Other", "bolt@example.com")
        first = self._invoice(self.customer, date(2026, 1, 1), 100.0)
        second = self._invoice(other, date(2026, 1, 1), 200.0)
        with freeze_time("2026-01-08"):
            wizard = (
                self.env["dunning.followup"]
                .with_user(self.collector)
                .with_context(
                    active_model="res.partner", active_ids=(self.customer | other).ids
                )
                .create({"level_id": self.level_first.id})
            )
            # both customers' notices, each with its own invoices
            self.assertIn("Acme Customer", wizard.preview)
            self.assertIn("Bolt Other", wizard.preview)
            self.assertIn(first.name, wizard.preview)
            self.assertIn(second.name, wizard.preview)
            wizard.level_id = self.level_call
            self.assertIn("Bolt Other", wizard.preview)
            self.assertIn("no message to preview", wizard.preview)
            self.assertIn("Call", wizard.preview)
        self.assertFalse(self.env["dunning.action"].search([]))
