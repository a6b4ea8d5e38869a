# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Who may read, write, create and unlink what: every model of the addon,
every role (see ``access_matrix.py`` for how each cell is checked)."""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .access_matrix import AccessMatrixMixin, Probe
from .common import D, DunningCommon


@tagged("post_install", "-at_install")
class TestAccessMatrix(AccessMatrixMixin, DunningCommon):
    MODULE = "dunning_followup"
    # r read, w write, c create, u unlink on a record of company A; "other"
    # is a follow-up manager of company B.  The salesperson, the portal and
    # the public user reach nothing; an invoicing user reads what the
    # invoice form shows (level, policy, notices, promises, state).
    MATRIX = """
    model                         user  manager  sales  invoice  portal  public  other
    dunning.action                rwc-  rwcu     ----   r---     ----    ----    ----
    dunning.action.line           r---  rwcu     ----   r---     ----    ----    ----
    dunning.aging.report          r---  r---     ----   ----     ----    ----    ----
    dunning.dso.report            r---  r---     ----   ----     ----    ----    ----
    dunning.effectiveness.report  r---  r---     ----   ----     ----    ----    ----
    dunning.followup              rwcu  rwcu     ----   ----     ----    ----    ----
    dunning.level                 r---  rwcu     ----   r---     ----    ----    ----
    dunning.partner.state         r---  rwcu     ----   r---     ----    ----    ----
    dunning.policy                r---  rwcu     ----   r---     ----    ----    ----
    dunning.promise               rwc-  rwcu     ----   r---     ----    ----    ----
    dunning.run                   rwc-  rwcu     ----   ----     ----    ----    ----
    dunning.run.batch             r---  rwcu     ----   ----     ----    ----    ----
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_access_roles()
        company = cls.company
        cls.invoice = cls._invoice(cls.customer, D(2026, 1, 1), 100.0)
        cls.invoice_promised = cls._invoice(cls.customer, D(2026, 1, 1), 200.0)
        cls.invoice_free = cls._invoice(cls.customer, D(2026, 1, 1), 300.0)
        cls.debtors = cls.env["res.partner"].create(
            [{"name": "Matrix Debtor", "is_company": True}] * 2
        )
        cls.matrix_policy = cls.env["dunning.policy"].create(
            {"name": "Matrix policy", "company_id": company.id}
        )
        cls.matrix_level = cls.env["dunning.level"].create(
            {
                "name": "Matrix level",
                "days": 30,
                "policy_id": cls.matrix_policy.id,
                "send_email": False,
            }
        )
        cls.matrix_run = cls.env["dunning.run"].create(
            {"company_id": company.id, "date": D(2026, 2, 1)}
        )
        cls.matrix_run_batch = cls.env["dunning.run.batch"].create(
            {"run_id": cls.matrix_run.id}
        )
        cls.action = cls._pending_notice(
            cls.customer, cls.invoice, cls.level_call, D(2026, 1, 11)
        )
        cls.done_action = cls._pending_notice(
            cls.customer, cls.invoice, cls.level_first, D(2026, 1, 6)
        )
        cls.done_action.state = "done"
        cls.promise = cls.env["dunning.promise"].create(
            {
                "partner_id": cls.customer.id,
                "move_ids": [Command.set(cls.invoice_promised.ids)],
                "amount": 200.0,
                "date": D(2026, 2, 15),
            }
        )
        cls.partner_state = cls.env["dunning.partner.state"].create(
            {"partner_id": cls.debtors[0].id, "company_id": company.id}
        )
        cls.followup = cls.env["dunning.followup"].create(
            {
                "company_id": company.id,
                "partner_ids": [Command.set(cls.customer.ids)],
            }
        )

    @classmethod
    def _pending_notice(cls, partner, invoice, level, on):
        return DunningCommon._pending_notice(cls, partner, invoice, level, on)

    @classmethod
    def _lines(cls, move):
        return move.line_ids.filtered(lambda line: line.display_type == "payment_term")

    @classmethod
    def _report_row(cls, model):
        return cls.env[model].search([("company_id", "=", cls.company.id)], limit=1)

    @classmethod
    def _access_probes(cls):
        company = cls.company.id
        installment = cls._lines(cls.invoice)
        report = {"company_id": company}
        return {
            "dunning.policy": Probe(
                cls.matrix_policy,
                {"tolerance": 5.0},
                {"name": "Created policy", "company_id": company},
            ),
            "dunning.level": Probe(
                cls.matrix_level,
                {"name": "Renamed level"},
                {
                    "name": "Created level",
                    "days": 60,
                    "policy_id": cls.matrix_policy.id,
                    "send_email": False,
                },
            ),
            "dunning.run": Probe(
                cls.matrix_run,
                {"execute_all": True},
                {"company_id": company, "date": D(2026, 2, 2)},
            ),
            "dunning.run.batch": Probe(
                cls.matrix_run_batch, {"note": "Written"}, {"run_id": cls.matrix_run.id}
            ),
            "dunning.action": Probe(
                cls.action,
                {"send_email": False},
                {
                    "partner_id": cls.customer.id,
                    "company_id": company,
                    "level_id": cls.level_formal.id,
                    "date": D(2026, 1, 22),
                },
            ),
            "dunning.action.line": Probe(
                cls.action.line_ids,
                {"days_late": 4},
                {
                    "action_id": cls.action.id,
                    "move_line_id": installment.id,
                    "move_id": cls.invoice.id,
                    "level_id": cls.level_formal.id,
                    "date_maturity": installment.date_maturity,
                    "days_late": 21,
                    "amount_residual": installment.amount_residual,
                },
            ),
            "dunning.promise": Probe(
                cls.promise,
                {"note": "Written"},
                {
                    "partner_id": cls.customer.id,
                    "company_id": company,
                    "move_ids": [Command.set(cls.invoice_free.ids)],
                    "amount": 300.0,
                    "date": D(2026, 2, 20),
                },
            ),
            "dunning.partner.state": Probe(
                cls.partner_state,
                {"next_action_date": D(2026, 3, 1)},
                {"partner_id": cls.debtors[1].id, "company_id": company},
            ),
            "dunning.followup": Probe(
                cls.followup,
                {"channel": "email"},
                {
                    "company_id": company,
                    "partner_ids": [Command.set(cls.customer.ids)],
                },
            ),
            "dunning.aging.report": Probe(
                cls._report_row("dunning.aging.report"), report, report
            ),
            "dunning.dso.report": Probe(
                cls._report_row("dunning.dso.report"), report, report
            ),
            "dunning.effectiveness.report": Probe(
                cls._report_row("dunning.effectiveness.report"), report, report
            ),
        }

    def test_portal_reads_its_own_invoice_only(self):
        """A portal customer reads their own posted invoice (what the portal
        lists and shows) and no other; the public user reads no invoice."""
        portal = self.role_users["portal"]
        public = self.role_users["public"]
        portal.partner_id.property_account_receivable_id = self.company_data[
            "default_account_receivable"
        ]
        own = self._invoice(portal.partner_id, D(2026, 1, 1), 50.0)
        Move = self.env["account.move"].with_user(portal)
        self.assertTrue(own.with_user(portal).has_access("read"))
        self.assertEqual(Move.search([]), own)
        shown = ["name", "invoice_date", "amount_total", "amount_residual"]
        self.assertEqual(own.with_user(portal).read(shown)[0]["amount_residual"], 50.0)
        for user in (portal, public):
            with self.assertRaises(AccessError):
                self.invoice.with_user(user).read(["name"])
        with self.assertRaises(AccessError):
            own.with_user(public).read(["name"])
