# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A customer in Germany gets its payment plan in German: the shipped
``de.po`` of dunning_escalation reaches the e-mail and its PDF."""

from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.dunning_followup.tests.common import DunningCommon


@tagged("post_install", "-at_install")
class TestEscalationTranslations(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in ("de_DE", "fr_FR"):
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"]._load_module_terms(
            ["dunning_followup", "dunning_escalation"],
            ["de_DE", "fr_FR"],
            overwrite=True,
        )

    def _confirmed_plan_message(self, lang):
        customer = self._make_customer(
            f"Kunde {lang}", f"{lang}@example.com", lang=lang
        )
        invoice = self._invoice(customer, date(2026, 1, 1), 1000.0)
        with freeze_time("2026-02-02"):
            plan = (
                self.env["dunning.installment.plan"]
                .with_user(self.collector)
                .create(
                    {
                        "partner_id": customer.id,
                        "move_ids": [Command.set(invoice.ids)],
                        "installment_count": 2,
                        "frequency": "monthly",
                        "down_payment": 200.0,
                    }
                )
            )
            plan.action_compute_schedule()
            plan.action_confirm()
        sent = plan.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(len(sent), 1)
        return sent

    def test_german_customer_gets_german_plan(self):
        sent = self._confirmed_plan_message("de_DE")
        self.assertIn("Ihr Ratenplan", sent.subject)
        self.assertIn("wie vereinbart wird der offene Betrag", str(sent.body))
        self.assertIn("(Anzahlung)", str(sent.body))
        self.assertNotIn("As agreed", str(sent.body))

    def test_french_customer_gets_french_plan(self):
        sent = self._confirmed_plan_message("fr_FR")
        self.assertIn("votre échéancier de paiement", sent.subject)
        self.assertIn("Comme convenu, le montant ouvert", str(sent.body))
