# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo import Command

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.mail.tests.common import MailCase


class DunningCommon(AccountTestInvoicingCommon, MailCase):
    """A company with its own policy and a few customers.

    Levels (days after due): reminder -5, first 5, call 10, formal 21
    (letter), final 45 (to review).  Dates are explicit: every test freezes
    time, nothing depends on today or on demo data.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.env.user.groups_id |= cls.env.ref("dunning_followup.group_dunning_manager")
        cls.collector = cls._make_user(
            "Colette Collector", "colette", ["dunning_followup.group_dunning_user"]
        )
        ref = cls.env.ref
        cls.policy = cls.env["dunning.policy"].create(
            {
                "name": "Test policy",
                "company_id": cls.company.id,
                "is_default": True,
                "min_interval_days": 0,
                "level_mode": "step",
            }
        )
        level = cls.env["dunning.level"]

        def make(name, days, **kw):
            vals = {
                "name": name,
                "days": days,
                "policy_id": cls.policy.id,
                "send_email": True,
                "mail_template_id": ref(
                    "dunning_followup.mail_template_dunning_first"
                ).id,
                "auto_execute": True,
            }
            vals.update(kw)
            return level.create(vals)

        cls.level_reminder = make(
            "Reminder",
            -5,
            mail_template_id=ref("dunning_followup.mail_template_dunning_reminder").id,
        )
        cls.level_first = make("First", 5)
        cls.level_call = make(
            "Call",
            10,
            send_email=False,
            mail_template_id=False,
            activity_type_id=ref("mail.mail_activity_data_call").id,
        )
        cls.level_formal = make(
            "Formal",
            21,
            send_letter=True,
            mail_template_id=ref("dunning_followup.mail_template_dunning_formal").id,
        )
        cls.level_final = make(
            "Final",
            45,
            send_letter=True,
            auto_execute=False,
            mail_template_id=ref("dunning_followup.mail_template_dunning_final").id,
        )
        cls.customer = cls._make_customer("Acme Customer", "acme@example.com")
        cls.customer.with_company(cls.company).dunning_responsible_id = cls.collector

    @classmethod
    def _make_user(cls, name, login, groups, companies=None):
        """An internal user of ``companies`` (the test company by default)
        with the groups of the xmlids ``groups``."""
        companies = companies or cls.company
        return cls.env["res.users"].create(
            {
                "name": name,
                "login": login,
                "email": f"{login}@example.com",
                "company_id": companies[0].id,
                "company_ids": [Command.set(companies.ids)],
                "groups_id": [
                    Command.set(
                        [cls.env.ref("base.group_user").id]
                        + [cls.env.ref(xmlid).id for xmlid in groups]
                    )
                ],
            }
        )

    @classmethod
    def _make_customer(cls, name, email=None, **kw):
        vals = {
            "name": name,
            "email": email,
            "is_company": True,
            "property_account_receivable_id": cls.company_data[
                "default_account_receivable"
            ].id,
        }
        vals.update(kw)
        return cls.env["res.partner"].create(vals)

    @classmethod
    def _invoice(
        cls, partner, due, amount=1000.0, invoice_date=None, term=None, post=True
    ):
        """A posted customer invoice of ``amount`` (no tax) due on ``due``."""
        vals = {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": invoice_date or due,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Service",
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [],
                    }
                )
            ],
        }
        if term:
            vals["invoice_payment_term_id"] = term.id
        else:
            vals["invoice_date_due"] = due
        move = cls.env["account.move"].create(vals)
        if post:
            move.action_post()
        return move

    def _pay(self, move, amount=None, on=None):
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create(
                {
                    "amount": amount or move.amount_residual,
                    "payment_date": on or move.invoice_date_due,
                }
            )
        )
        return wizard.action_create_payments()

    def _run(self, on, partners=None, company=None):
        """A run on ``on`` (a date) processed to the end."""
        company = company or self.company
        run = (
            self.env["dunning.run"]
            .with_company(company)
            .create(
                {
                    "company_id": company.id,
                    "date": on,
                    "trigger": "manual",
                    "partner_ids": [Command.set(partners.ids)] if partners else [],
                }
            )
        )
        run.action_process()
        return run

    def _state(self, partner, company=None):
        return self.env["dunning.partner.state"].search(
            [
                ("partner_id", "=", partner.commercial_partner_id.id),
                ("company_id", "=", (company or self.company).id),
            ]
        )

    def _pending_notice(self, partner, invoice, level, on):
        """A notice waiting for review, as a run of an older version left
        one per installment."""
        line = self._lines(invoice)
        return (
            self.env["dunning.action"]
            .sudo()
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": self.company.id,
                    "level_id": level.id,
                    "date": on,
                    "send_email": True,
                    "send_letter": True,
                    "amount_due": line.amount_residual,
                    "line_ids": [
                        Command.create(
                            {
                                "move_line_id": line.id,
                                "move_id": invoice.id,
                                "level_id": level.id,
                                "date_maturity": line.date_maturity,
                                "days_late": (on - line.date_maturity).days,
                                "amount_residual": line.amount_residual,
                            }
                        )
                    ],
                }
            )
        )

    def _lines(self, move):
        return move.line_ids.filtered(lambda line: line.display_type == "payment_term")


D = date
