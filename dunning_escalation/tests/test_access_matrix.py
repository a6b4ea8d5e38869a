# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Who may read, write, create and unlink what: every model of the addon,
every role (see dunning_followup's ``tests/access_matrix.py`` for how each
cell is checked)."""

from odoo import Command
from odoo.tests import tagged

from odoo.addons.dunning_followup.tests.access_matrix import (
    ROLES,
    AccessMatrixMixin,
    Probe,
)
from odoo.addons.dunning_followup.tests.common import D, DunningCommon


@tagged("post_install", "-at_install")
class TestAccessMatrix(AccessMatrixMixin, DunningCommon):
    MODULE = "dunning_escalation"
    ROLES = dict(
        ROLES,
        override=(
            "base.group_user",
            "sales_team.group_sale_salesman",
            "dunning_escalation.group_credit_hold_override",
        ),
    )
    # r read, w write, c create, u unlink on a record of company A; "other"
    # is a follow-up manager of company B, "override" a salesperson who
    # confirms orders on hold.  Charges are a ledger: made by the run only,
    # waived by a manager.  Reference rates are public figures shared by
    # every company.
    MATRIX = """
    model                     user  manager  sales  invoice  portal  public  other  override
    dunning.charge            r---  rw--     ----   r---     ----    ----    ----   ----
    dunning.credit.hold       ----  rwcu     ----   ----     ----    ----    ----   ----
    dunning.fee.tier          r---  rwcu     ----   r---     ----    ----    ----   ----
    dunning.installment.line  rwcu  rwcu     ----   ----     ----    ----    ----   ----
    dunning.installment.plan  rwcu  rwcu     ----   ----     ----    ----    ----   ----
    dunning.reference.rate    r---  rwcu     ----   r---     ----    ----    rwcu   ----
    sale.order.hold.override  ----  ----     ----   ----     ----    ----    ----   rwcu
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_access_roles()
        company = cls.company
        cls.invoice = cls._invoice(cls.customer, D(2026, 1, 1), 100.0)
        cls.invoice_planned = cls._invoice(cls.customer, D(2026, 1, 1), 200.0)
        cls.invoice_free = cls._invoice(cls.customer, D(2026, 1, 1), 300.0)
        cls.action = cls.env["dunning.action"].create(
            {
                "partner_id": cls.customer.id,
                "company_id": company.id,
                "level_id": cls.level_first.id,
                "date": D(2026, 1, 6),
            }
        )
        cls.charge_vals = {
            "name": "Late payment fee",
            "action_id": cls.action.id,
            "level_id": cls.level_first.id,
            "partner_id": cls.customer.id,
            "company_id": company.id,
            "move_id": cls.invoice.id,
            "currency_id": company.currency_id.id,
            "amount": 10.0,
        }
        cls.charge = (
            cls.env["dunning.charge"].sudo().create(dict(cls.charge_vals, kind="fee"))
        )
        cls.fee_tier = cls.env["dunning.fee.tier"].create(
            {"level_id": cls.level_first.id, "fixed": 5.0}
        )
        cls.rate = cls.env["dunning.reference.rate"].create(
            {"code": "ecb_mro", "date_from": D(2031, 1, 1), "rate": 2.0}
        )
        cls.plan = cls.env["dunning.installment.plan"].create(
            {
                "partner_id": cls.customer.id,
                "company_id": company.id,
                "move_ids": [Command.set(cls.invoice_planned.ids)],
                "first_date": D(2026, 2, 1),
            }
        )
        cls.installment = cls.env["dunning.installment.line"].create(
            {"plan_id": cls.plan.id, "date": D(2026, 3, 1), "amount": 50.0}
        )
        cls.hold = cls.env["dunning.credit.hold"].create(
            {
                "partner_ids": [Command.set(cls.customer.ids)],
                "company_id": company.id,
                "reason": "Does not pay",
            }
        )
        product = cls.env["product.product"].create({"name": "Widget", "type": "consu"})
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "company_id": company.id,
                "user_id": cls.role_users["sales"].id,
                "order_line": [Command.create({"product_id": product.id})],
            }
        )
        cls.override = (
            cls.env["sale.order.hold.override"]
            .sudo()
            .create(
                {"order_ids": [Command.set(cls.order.ids)], "reason": "Paid by cheque"}
            )
        )

    @classmethod
    def _access_probes(cls):
        company = cls.company.id
        return {
            "dunning.charge": Probe(
                cls.charge,
                {"detail": "Written"},
                dict(cls.charge_vals, kind="compensation", name="Compensation"),
            ),
            "dunning.credit.hold": Probe(
                cls.hold,
                {"reason": "Written"},
                {
                    "partner_ids": [Command.set(cls.customer.ids)],
                    "company_id": company,
                    "reason": "Created",
                },
            ),
            "dunning.fee.tier": Probe(
                cls.fee_tier,
                {"fixed": 6.0},
                {"level_id": cls.level_first.id, "lower": 1000.0, "fixed": 9.0},
            ),
            "dunning.installment.plan": Probe(
                cls.plan,
                {"note": "Written"},
                {
                    "partner_id": cls.customer.id,
                    "company_id": company,
                    "move_ids": [Command.set(cls.invoice_free.ids)],
                    "first_date": D(2026, 2, 1),
                },
            ),
            "dunning.installment.line": Probe(
                cls.installment,
                {"amount": 60.0},
                {"plan_id": cls.plan.id, "date": D(2026, 4, 1), "amount": 50.0},
            ),
            "dunning.reference.rate": Probe(
                cls.rate,
                {"note": "Written"},
                {"code": "ecb_mro", "date_from": D(2031, 7, 1), "rate": 2.5},
            ),
            "sale.order.hold.override": Probe(
                cls.override,
                {"reason": "Written"},
                {"order_ids": [Command.set(cls.order.ids)], "reason": "Created"},
            ),
        }

    def _shared_records(self):
        shared = super()._shared_records()
        for records in shared.values():
            records.append(self.order)  # the salesperson's own order
        return shared
