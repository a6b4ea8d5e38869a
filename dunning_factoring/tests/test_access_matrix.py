# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Who may read, write, create and unlink what: every model of the addon,
every role (see dunning_followup's ``tests/access_matrix.py`` for how each
cell is checked)."""

import base64

from odoo import Command
from odoo.tests import tagged

from odoo.addons.dunning_followup.tests.access_matrix import AccessMatrixMixin, Probe

from .common import D, FactoringCommon


@tagged("post_install", "-at_install")
class TestAccessMatrix(AccessMatrixMixin, FactoringCommon):
    MODULE = "dunning_factoring"
    # r read, w write, c create, u unlink on a record of company A; "other"
    # is a follow-up manager of company B.  A collector works the batches;
    # agencies and write-offs are a manager's.
    MATRIX = """
    model                  user  manager  sales  invoice  portal  public  other
    dunning.agency         r---  rwcu     ----   ----     ----    ----    ----
    dunning.export.batch   rwc-  rwcu     ----   ----     ----    ----    ----
    dunning.export.import  rwcu  rwcu     ----   ----     ----    ----    ----
    dunning.export.line    rwcu  rwcu     ----   ----     ----    ----    ----
    dunning.write.off      ----  rwcu     ----   ----     ----    ----    ----
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_access_roles()
        company = cls.company
        cls.invoice = cls._invoice(cls.customer, D(2026, 1, 1), 100.0)
        cls.invoice_free = cls._invoice(cls.customer, D(2026, 1, 1), 200.0)
        cls.matrix_agency = cls.env["dunning.agency"].create(
            {
                "name": "Matrix agency",
                "partner_id": cls.agency_partner.id,
                "company_id": company.id,
            }
        )
        cls.empty_batch = cls.env["dunning.export.batch"].create(
            {"agency_id": cls.agency.id, "date": D(2026, 3, 20)}
        )
        cls.batch = cls.env["dunning.export.batch"].create(
            {"agency_id": cls.agency.id, "date": D(2026, 3, 20)}
        )
        cls.line = cls.env["dunning.export.line"].create(
            {"batch_id": cls.batch.id, "move_id": cls.invoice.id}
        )
        cls.answer = base64.b64encode(b"invoice,status,amount_recovered\n")
        cls.import_wizard = cls.env["dunning.export.import"].create(
            {"batch_id": cls.batch.id, "file": cls.answer, "filename": "answer.csv"}
        )
        cls.write_off_vals = {
            "company_id": company.id,
            "move_ids": [Command.set(cls.invoice.ids)],
            "reason": "Not worth chasing",
            "account_id": cls.expense_account.id,
            "journal_id": cls.company_data["default_journal_misc"].id,
        }
        cls.write_off = cls.env["dunning.write.off"].create(cls.write_off_vals)

    @classmethod
    def _access_probes(cls):
        company = cls.company.id
        return {
            "dunning.agency": Probe(
                cls.matrix_agency,
                {"contract_number": "W-1"},
                {
                    "name": "Created agency",
                    "partner_id": cls.agency_partner.id,
                    "company_id": company,
                },
            ),
            "dunning.export.batch": Probe(
                cls.empty_batch,
                {"date": D(2026, 3, 21)},
                {
                    "agency_id": cls.agency.id,
                    "company_id": company,
                    "date": D(2026, 3, 22),
                },
            ),
            "dunning.export.line": Probe(
                cls.line,
                {"days_late": 1},
                {"batch_id": cls.batch.id, "move_id": cls.invoice_free.id},
            ),
            "dunning.export.import": Probe(
                cls.import_wizard,
                {"filename": "written.csv"},
                {"batch_id": cls.batch.id, "file": cls.answer},
            ),
            "dunning.write.off": Probe(
                cls.write_off,
                {"reason": "Written"},
                dict(cls.write_off_vals, reason="Created"),
            ),
        }
