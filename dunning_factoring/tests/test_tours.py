# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Browser test: an agency batch made, proposed and exported.  The tour is
in static/tests/tours/.  The web client runs on the real clock, so the
invoice is dated relative to today."""

from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import FactoringCommon


@tagged("post_install", "-at_install")
class TestFactoringTours(FactoringCommon, HttpCase):
    def test_export_an_agency_batch(self):
        """A manager makes a batch for the factor, proposes the customer's
        invoice (due in 30 days) and exports it: the XML file is on the
        batch and the invoice is with the factor."""
        today = fields.Date.context_today(self.env.user)
        debtor = self._make_customer("Tour Debtor", "debtor@example.com")
        move = self._invoice(debtor, today + timedelta(days=30), 800.0)
        self._make_user(
            "Maud Manager",
            "maud",
            ["account.group_account_invoice", "dunning_followup.group_dunning_manager"],
        ).password = "maud"
        self.start_tour(
            "/odoo/action-dunning_factoring.dunning_export_batch_action",
            "dunning_agency_batch_tour",
            login="maud",
        )
        batch = self.env["dunning.export.batch"].search(
            [("agency_id", "=", self.factor.id)]
        )
        self.assertEqual(batch.state, "exported")
        self.assertEqual(batch.line_ids.move_id, move)
        self.assertEqual(batch.control_sum, 800.0)
        self.assertIn(move.name, batch.attachment_id.raw.decode())
        self.assertTrue(move.dunning_excluded)
        self.assertEqual(move.dunning_exclusion_reason, "agency")
