# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the screens show: buttons, lists, titles and texts."""

from datetime import date

from freezegun import freeze_time

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
