# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

from psycopg2.errors import LockNotAvailable, SerializationFailure

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningConfig(DunningCommon):
    @mute_logger("odoo.sql_db")
    def test_two_levels_with_same_days(self):
        with self.assertRaisesRegex(ValidationError, "Days"):
            self.env["dunning.level"].create(
                {
                    "name": "Duplicate",
                    "days": 5,
                    "policy_id": self.policy.id,
                    "send_email": False,
                }
            )

    @mute_logger("odoo.sql_db")
    def test_negative_interval_and_tolerance(self):
        with self.assertRaisesRegex(ValidationError, "Minimum days between notices"):
            self.policy.min_interval_days = -1
        with self.assertRaisesRegex(ValidationError, "Tolerance"):
            self.policy.tolerance = -5

    def test_template_on_wrong_model(self):
        wrong = self.env.ref("account.email_template_edi_invoice")
        with self.assertRaisesRegex(ValidationError, "E-mail template"):
            self.level_first.mail_template_id = wrong

    def test_email_level_needs_template(self):
        with self.assertRaisesRegex(ValidationError, "E-mail template"):
            self.level_first.mail_template_id = False

    def test_one_default_policy_per_company(self):
        other = self.env["dunning.policy"].create(
            {"name": "Other", "company_id": self.company.id}
        )
        other.is_default = True
        self.assertFalse(self.policy.is_default)
        self.assertEqual(
            self.env["dunning.policy"]._get_company_default(self.company), other
        )

    def test_new_company_gets_default_policy(self):
        company = self.env["res.company"].create({"name": "Newco"})
        policy = self.env["dunning.policy"]._get_company_default(company)
        self.assertEqual(policy.company_id, company)
        self.assertEqual(len(policy.level_ids), 5)
        self.assertEqual(sorted(policy.level_ids.mapped("days")), [-5, 5, 10, 21, 45])

    def test_partner_policy_is_company_dependent(self):
        strict = self.env["dunning.policy"].create(
            {"name": "Strict", "company_id": self.company.id}
        )
        self.customer.with_company(self.company).dunning_policy_id = strict
        self.assertEqual(
            self.customer.with_company(self.company)._dunning_get_policy(), strict
        )
        company_b = self.setup_other_company()["company"]
        self.assertNotEqual(
            self.customer.with_company(company_b).sudo().dunning_policy_id, strict
        )

    def test_company_bound_relations_stay_in_their_company(self):
        """A customer's policy, a promise's invoices and a notice's level
        belong to the record's company; the policy field offers only the
        current company's policies."""
        from datetime import date

        company_b = self.setup_other_company(name="Company B")["company"]
        policy_b = self.env["dunning.policy"].create(
            {"name": "B policy", "company_id": company_b.id}
        )
        with self.assertRaisesRegex(ValidationError, "^Follow-up policy: B policy"):
            self.customer.with_company(self.company).dunning_policy_id = policy_b
        self.customer.with_company(company_b).dunning_policy_id = policy_b
        domain = (
            self.env["res.partner"]
            ._fields["dunning_policy_id"]
            ._description_domain(self.env)
        )
        self.assertIn("allowed_company_ids[0]", domain)
        invoice = self._invoice(self.customer, date(2026, 1, 1), 100.0)
        with self.assertRaisesRegex(UserError, "Incompatible companies"):
            self.env["dunning.promise"].create(
                {
                    "partner_id": self.customer.id,
                    "company_id": company_b.id,
                    "move_ids": [Command.set(invoice.ids)],
                    "amount": 100.0,
                    "date": date(2026, 2, 1),
                }
            )
        with self.assertRaisesRegex(UserError, "Incompatible companies"):
            self.env["dunning.action"].create(
                {
                    "partner_id": self.customer.id,
                    "company_id": company_b.id,
                    "level_id": self.level_first.id,
                }
            )

    def test_notice_held_by_a_run_is_refused_at_once(self):
        """A notice another transaction holds is refused with a clear
        message; any other database error is not disguised as that."""
        action = self.env["dunning.action"].create(
            {"partner_id": self.customer.id, "level_id": self.level_final.id}
        )
        cr = self.env.cr
        execute = cr.execute

        def held(error):
            def fake(query, *args, **kwargs):
                if "NOWAIT" in str(query):
                    raise error
                return execute(query, *args, **kwargs)

            return fake

        with (
            patch.object(cr, "execute", held(LockNotAvailable())),
            self.assertRaisesRegex(UserError, "A follow-up run is processing"),
        ):
            action.action_execute()
        with (
            patch.object(cr, "execute", held(SerializationFailure())),
            self.assertRaises(SerializationFailure),
        ):
            action._lock_nowait()
        self.assertEqual(action.state, "to_review")

    def test_dispute_button(self):
        from datetime import date

        invoice = self._invoice(self.customer, date(2026, 1, 1), 100.0)
        invoice.action_dunning_dispute()
        self.assertTrue(invoice.dunning_excluded)
        self.assertEqual(invoice.dunning_exclusion_reason, "dispute")
        invoice.action_dunning_include()
        self.assertFalse(invoice.dunning_excluded)
        with self.assertRaisesRegex(ValidationError, "Exclusion reason"):
            invoice.write({"dunning_excluded": True})
