# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A customer in Germany reads its notice in German, one in France in
French: the shipped ``de.po`` and ``fr.po`` reach the e-mail (subject and
body), the letter, the statement and the screens."""

from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import DunningCommon

LETTER = "dunning_followup.action_report_dunning_letter"
STATEMENT = "dunning_followup.action_report_dunning_statement"


@tagged("post_install", "-at_install")
class TestTranslations(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in ("de_DE", "fr_FR"):
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"]._load_module_terms(
            ["dunning_followup"], ["de_DE", "fr_FR"], overwrite=True
        )

    def _formal_notice(self, lang):
        """The formal notice (e-mail and letter) of a customer speaking ``lang``."""
        customer = self._make_customer(
            f"Kunde {lang}", f"{lang}@example.com", lang=lang
        )
        self._invoice(customer, date(2026, 1, 1), 700.0)
        self.policy.level_mode = "jump"
        with freeze_time("2026-01-25"), self.mock_mail_gateway():
            self._run(date(2026, 1, 25), partners=customer)
            mail = self._new_mails.filtered(lambda m: customer in m.recipient_ids)
        action = self.env["dunning.action"].search([("partner_id", "=", customer.id)])
        self.assertEqual(action.level_id, self.level_formal)
        self.assertEqual(len(mail), 1)
        report = self.env["ir.actions.report"]
        letter = report._render_qweb_html(LETTER, action.ids)[0].decode()
        statement = report._render_qweb_html(STATEMENT, customer.ids)[0].decode()
        return mail, letter, statement

    def test_german_customer_reads_german(self):
        mail, letter, statement = self._formal_notice("de_DE")
        self.assertIn("Förmliche Mahnung wegen Zahlungsverzug", mail.subject)
        self.assertIn("trotz unserer bisherigen Erinnerungen", mail.body_html)
        self.assertIn("Fälliger Gesamtbetrag", mail.body_html)
        self.assertIn("Mit freundlichen Grüßen", mail.body_html)
        self.assertNotIn("Despite our previous reminders", mail.body_html)
        self.assertIn("Guten Tag", letter)
        self.assertIn("Fälliger Gesamtbetrag:", letter)
        self.assertNotIn("Total due:", letter)
        self.assertIn("Kontoauszug", statement)
        self.assertNotIn("Statement of account", statement)

    def test_french_customer_reads_french(self):
        mail, letter, statement = self._formal_notice("fr_FR")
        self.assertIn("mise en demeure pour retard de paiement", mail.subject)
        self.assertIn("Malgré nos précédents rappels", mail.body_html)
        self.assertIn("Bonjour", letter)
        self.assertIn("Total dû :", letter)
        self.assertIn("Relevé de compte", statement)

    def test_english_customer_still_reads_english(self):
        mail, letter, _statement = self._formal_notice("en_US")
        self.assertIn("formal notice of overdue payment", mail.subject)
        self.assertIn("Total due:", letter)

    def test_labels_and_messages_in_german(self):
        fields = (
            self.env["res.partner"]
            .with_context(lang="de_DE")
            .fields_get(["dunning_policy_id"], ["string"])
        )
        self.assertEqual(fields["dunning_policy_id"]["string"], "Mahnrichtlinie")
        final = self.env.ref("dunning_followup.dunning_level_final").sudo()
        self.assertEqual(final.with_context(lang="de_DE").name, "Letzte Mahnung")
        self.assertEqual(final.with_context(lang="fr_FR").name, "Dernier avis")
        # a message of the code (self.env._) in the user's language
        # (through a variable, so that the export does not take this test
        # for a place the term is used)
        source = "Only Dunning users can follow up customers."
        env = self.env(context=dict(self.env.context, lang="de_DE"))
        self.assertEqual(env._(source), "Nur Mahnwesen-Benutzer können Kunden mahnen.")
