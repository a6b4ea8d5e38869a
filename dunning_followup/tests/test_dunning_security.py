# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningSecurity(DunningCommon):
    def test_user_runs_but_does_not_configure(self):
        policy = self.policy.with_user(self.collector)
        self.assertEqual(policy.name, "Test policy")
        with self.assertRaises(AccessError):
            policy.write({"tolerance": 10})
        with self.assertRaises(AccessError):
            self.env["dunning.level"].with_user(self.collector).create(
                {
                    "name": "X",
                    "days": 99,
                    "policy_id": self.policy.id,
                    "send_email": False,
                }
            )
        self._invoice(self.customer, date(2026, 1, 1), 100.0)
        with freeze_time("2026-01-07"):
            run = (
                self.env["dunning.run"]
                .with_user(self.collector)
                .create({"company_id": self.company.id, "date": date(2026, 1, 7)})
            )
            run.action_process()
        self.assertEqual(run.action_count, 1)

    def test_multi_company_isolation(self):
        company_b = self.setup_other_company(name="Company B")["company"]
        self._invoice(self.customer, date(2026, 1, 1), 100.0)
        with freeze_time("2026-01-07"):
            self._run(date(2026, 1, 7))
            # company B's run sees nothing of company A
            run_b = self._run(date(2026, 1, 7), company=company_b)
        self.assertEqual(run_b.action_count, 0)
        user_b = self._make_user(
            "Bob B", "bob_b", ["dunning_followup.group_dunning_manager"], company_b
        )
        Action = self.env["dunning.action"].with_user(user_b)
        self.assertFalse(Action.search([]))
        self.assertFalse(
            self.env["dunning.policy"]
            .with_user(user_b)
            .search([("id", "=", self.policy.id)])
        )
        self.assertFalse(self.env["dunning.partner.state"].with_user(user_b).search([]))
        action_a = self.env["dunning.action"].search(
            [("partner_id", "=", self.customer.id)]
        )
        with self.assertRaises(AccessError):
            action_a.with_user(user_b).action_execute()
        # and the customer has nothing due in company B
        self.assertEqual(
            self.customer.with_user(user_b)
            .with_company(company_b)
            .dunning_overdue_amount,
            0,
        )


@tagged("post_install", "-at_install")
class TestDunningRights(DunningCommon):
    """The rights an administrator sees and gives in the user form."""

    def test_rights_are_a_selection_in_the_user_form(self):
        category = self.env.ref("dunning_followup.module_category_dunning")
        user = self.env.ref("dunning_followup.group_dunning_user")
        manager = self.env.ref("dunning_followup.group_dunning_manager")
        found = {
            app: (kind, groups)
            for app, kind, groups, _section in self.env[
                "res.groups"
            ].get_groups_by_application()
        }
        # a selection ("Dunning: User / Manager"), which the user form shows
        # outside developer mode; groups of a category that is not one chain
        # become check boxes shown in developer mode only
        self.assertEqual(found[category], ("selection", user | manager))
        self.assertEqual(
            category.parent_id, self.env.ref("base.module_category_accounting")
        )
        hidden = self.env["res.groups"]._get_hidden_extra_categories()
        for app, (kind, _groups) in found.items():
            if app.xml_id and app.xml_id.startswith("dunning_"):
                self.assertEqual(kind, "selection", app.xml_id)
                self.assertNotIn(app.xml_id, hidden)
        # the field of the selection is on the user form
        field = f"sel_groups_{user.id}_{manager.id}"
        self.assertIn(field, self.env["res.users"].fields_get([field]))

    def test_new_user_is_not_made_a_manager(self):
        """A new user gets Odoo's defaults (Invoicing administrator): that
        makes a Dunning user, not a manager who configures policies and
        lifts holds."""
        new = (
            self.env["res.users"]
            .with_context(no_reset_password=True)
            .create({"name": "Newcomer", "login": "newcomer"})
        )
        self.assertTrue(new.has_group("account.group_account_manager"))
        self.assertTrue(new.has_group("dunning_followup.group_dunning_user"))
        self.assertFalse(new.has_group("dunning_followup.group_dunning_manager"))
        manager = self.env.ref("dunning_followup.group_dunning_manager")
        account_manager = self.env.ref("account.group_account_manager")
        self.assertNotIn(manager, account_manager.trans_implied_ids)
