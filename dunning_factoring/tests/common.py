# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64

from odoo.addons.dunning_followup.tests.common import D, DunningCommon

__all__ = ["D", "FactoringCommon"]


class FactoringCommon(DunningCommon):
    """The follow-up fixture plus a collection agency, a factor, and the
    accounts they need.  Levels: reminder -5, first 5, call 10, formal 21,
    final 45 (days after the due date)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agency_partner = cls.env["res.partner"].create(
            {"name": "Credit Collect Ltd", "is_company": True}
        )
        cls.factor_partner = cls.env["res.partner"].create(
            {"name": "Fast Factor SA", "is_company": True}
        )
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.expense_account = cls.company_data["default_account_expense"]
        cls.factor_account = cls.env["account.account"].create(
            {
                "name": "Due from the factor",
                "code": "411900",
                "account_type": "asset_current",
                "reconcile": True,
            }
        )
        cls.agency = cls.env["dunning.agency"].create(
            {
                "name": "Credit Collect",
                "partner_id": cls.agency_partner.id,
                "agency_type": "collection",
                "export_format": "csv",
                "commission_percent": 20.0,
                "journal_id": cls.bank_journal.id,
                "expense_account_id": cls.expense_account.id,
                "contract_number": "CC-42",
            }
        )
        cls.factor = cls.env["dunning.agency"].create(
            {
                "name": "Fast Factor",
                "partner_id": cls.factor_partner.id,
                "agency_type": "factor",
                "export_format": "xml",
                "advance_percent": 80.0,
                "fee_percent": 3.0,
                "max_days_late": 30,
                "journal_id": cls.bank_journal.id,
                "expense_account_id": cls.expense_account.id,
                "factor_account_id": cls.factor_account.id,
            }
        )
        cls.company.write(
            {
                "dunning_write_off_threshold": 50.0,
                "dunning_write_off_account_id": cls.expense_account.id,
            }
        )

    def _batch(self, agency, on, user=None):
        env = self.env(user=user) if user else self.env
        return env["dunning.export.batch"].create({"agency_id": agency.id, "date": on})

    def _to_final_level(self, move, on=None):
        """Run the follow-up until ``move`` reached the final level (45 days),
        the final notice executed as a collector would."""
        due = move.invoice_date_due
        for days in (5, 10, 21, 45):
            run_on = D.fromordinal(due.toordinal() + days)
            self._run(run_on, partners=move.commercial_partner_id)
        actions = self.env["dunning.action"].search(
            [
                ("partner_id", "=", move.commercial_partner_id.id),
                ("state", "=", "to_review"),
            ]
        )
        if actions:  # the customer's other invoices may have taken it already
            actions.action_execute()
        self.assertEqual(move.dunning_level_id, self.level_final)

    def _import(self, batch, content, **kw):
        wizard = (
            self.env["dunning.export.import"]
            .with_context(default_batch_id=batch.id)
            .create(
                dict(
                    {"file": base64.b64encode(content), "filename": "answer.csv"}, **kw
                )
            )
        )
        return wizard.action_import()
