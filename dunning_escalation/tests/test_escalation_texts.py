# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Labels and group sums of the escalation screens."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.dunning_followup.tests.common import DunningCommon


@tagged("post_install", "-at_install")
class TestEscalationTexts(DunningCommon):
    def test_credit_hold_spelled_one_way(self):
        for model in ("dunning.partner.state", "res.partner", "dunning.level"):
            self.assertEqual(
                self.env[model]._fields["credit_hold"].string, "Credit hold", model
            )

    def test_reference_rates_do_not_add_up(self):
        Rate = self.env["dunning.reference.rate"]
        self.assertFalse(Rate._fields["rate"].aggregator)
        groups = Rate.web_read_group([("code", "=", "de_base")], ["rate"], ["code"])[
            "groups"
        ]
        self.assertNotIn("rate", groups[0])

    def test_configuration_errors_show_formatted_values(self):
        with self.assertRaises(ValidationError) as caught:
            self.level_formal.write({"fee_min": 10.0, "fee_max": 5.0})
        message = str(caught.exception)
        self.assertIn("5.00", message)
        self.assertNotIn("(5.0)", message)
        self.assertNotIn("(10.0)", message)
