# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Browser tests: Odoo tours in headless Chromium, as a collector uses the
follow-up screens.  The tours are in static/tests/tours/.

The web client runs on the real clock, so the invoices are dated relative
to today (the only tests here that are)."""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningTours(DunningCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.level_mode = "jump"
        cls.collector.write(
            {
                "password": "colette",
                "groups_id": [Command.link(cls.env.ref("base.group_user").id)],
            }
        )
        cls.tour_customer = cls._make_customer(
            "Tour Customer", "tour@example.com", street="1 Tour Street", city="Ghent"
        )
        today = fields.Date.context_today(cls.env.user)
        cls.late = cls._invoice(cls.tour_customer, today - timedelta(days=25), 300.0)
        cls.later = cls._invoice(cls.tour_customer, today - timedelta(days=22), 150.0)
        cls.env["dunning.partner.state"]._refresh(cls.tour_customer.ids, cls.company.id)

    def _tour_actions(self):
        return self.env["dunning.action"].search(
            [("partner_id", "=", self.tour_customer.id)]
        )

    def test_followup_list_wizard_and_print(self):
        """Customers to follow up: a row opens the customer's follow-up; the
        wizard from the Actions menu has a title; Print letters returns the
        letters' PDF and leaves the collector on the list."""
        self.start_tour(
            "/odoo/action-dunning_followup.dunning_partner_state_action",
            "dunning_followup_tour",
            login="colette",
        )
        action = self._tour_actions()
        self.assertEqual(action.state, "done", action.failure_reason)
        self.assertTrue(action.send_letter)
        self.assertTrue(action.letter_attachment_id)

    def test_promise_to_pay_from_the_invoice(self):
        self.start_tour(
            f"/odoo/action-account.action_move_out_invoice_type/{self.late.id}",
            "dunning_promise_tour",
            login="colette",
        )
        promise = self.env["dunning.promise"].search(
            [("partner_id", "=", self.tour_customer.id)]
        )
        self.assertEqual(promise.amount, 450.0)
        self.assertEqual(promise.move_ids, self.late | self.later)
        self.assertEqual(promise.state, "open")

    def test_manager_configures_a_level(self):
        """Accounting > Configuration > Follow-ups > Follow-up policies: a
        manager adds a letter level at 60 days to the policy."""
        self._make_user(
            "Maud Manager",
            "maud",
            ["account.group_account_manager", "dunning_followup.group_dunning_manager"],
        ).password = "maud"
        self.start_tour(
            "/odoo/action-dunning_followup.dunning_policy_action",
            "dunning_configure_level_tour",
            login="maud",
        )
        level = self.policy.level_ids.filtered(lambda lvl: lvl.name == "Last call")
        self.assertEqual(level.days, 60)
        self.assertTrue(level.send_letter)
        self.assertFalse(level.send_email)
        self.assertEqual(len(self.policy.level_ids), 6)

    def test_wizard_sends_the_notice(self):
        """The row's Follow up button opens the wizard; Send executes the
        formal notice (25 days late: level Formal, e-mail and letter)."""
        self.start_tour(
            "/odoo/action-dunning_followup.dunning_partner_state_action",
            "dunning_wizard_send_tour",
            login="colette",
        )
        action = self._tour_actions()
        self.assertEqual(action.state, "done", action.failure_reason)
        self.assertEqual(action.level_id, self.level_formal)
        self.assertEqual(action.move_ids, self.late | self.later)
        self.assertTrue(action.letter_attachment_id)
        self.assertTrue(action.message_id, "the notice is e-mailed")
        self.assertEqual(action.recipient_ids, self.tour_customer)

    def test_dashboards_open(self):
        """Aging pivot and graph, DSO graph, effectiveness graph and Today
        open from the menus, the aging showing the customer's 450.00."""
        self.collector.groups_id = [
            Command.link(self.env.ref("account.group_account_invoice").id)
        ]
        # its next action is due today: on the collector's day
        State = self.env["dunning.partner.state"]
        State.search(
            [("partner_id", "=", self.tour_customer.id)]
        ).next_action_date = fields.Date.context_today(self.env.user)
        State._refresh(self.tour_customer.ids, self.company.id)
        self.start_tour(
            "/odoo/action-dunning_followup.dunning_aging_report_action",
            "dunning_dashboards_tour",
            login="colette",
        )
        aging = self.env["dunning.aging.report"].with_user(self.collector)
        rows = aging.search([("partner_id", "=", self.tour_customer.id)])
        self.assertEqual(sum(rows.mapped("amount_residual")), 450.0)
        self.assertEqual(set(rows.mapped("bucket")), {"1_30"})
        today = State.with_user(self.collector).search(
            State._get_collector_day_domain()
        )
        self.assertIn(self.tour_customer, today.partner_id)
