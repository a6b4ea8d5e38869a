# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Helpers of the tests that work one run from several real transactions.

The test's own transaction is invisible to other connections, so these
tests commit their customers and invoices (in the main company and its
default policy) on a connection of their own, work them from other
connections, and delete everything they committed at the end.
"""

import contextlib
from datetime import date

from odoo import SUPERUSER_ID, Command, api, sql_db
from odoo.tests import BaseCase
from odoo.tests.common import get_db_name

NO_MAIL = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}


class CommittedRunCase(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dbname = get_db_name()

    def _cursor(self, lock_timeout="5s"):
        cr = sql_db.db_connect(self.dbname).cursor()
        # a batch that waits on another is a failure here, not a hang
        cr.execute("SELECT set_config('lock_timeout', %s, false)", [lock_timeout])
        self.addCleanup(self._close, cr)
        return cr

    @staticmethod
    def _close(cr):
        if not cr.closed:
            cr.rollback()
            cr.close()

    def _env(self, cr, **context):
        return api.Environment(cr, SUPERUSER_ID, {**NO_MAIL, **context})

    def _committed_customers(self, count, due=date(2026, 1, 1)):
        """``count`` customers of the main company, each with one posted
        invoice due on ``due``, committed; removed when the test ends."""
        cr = self._cursor()
        env = self._env(cr)
        company = env.ref("base.main_company")
        env = env(context={**env.context, "allowed_company_ids": company.ids})
        partners = env["res.partner"].create(
            [
                {"name": f"Concurrent customer {index}", "is_company": True}
                for index in range(count)
            ]
        )
        moves = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": due,
                    "invoice_date_due": due,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Service", "price_unit": 100.0, "tax_ids": []}
                        )
                    ],
                }
                for partner in partners
            ]
        )
        moves.action_post()
        cr.commit()
        self.addCleanup(self._delete, partners.ids, moves.ids)
        return company, partners.ids

    def _delete(self, partner_ids, move_ids):
        with contextlib.closing(sql_db.db_connect(self.dbname).cursor()) as cr:
            cr.execute(
                "DELETE FROM dunning_run WHERE id IN ("
                " SELECT run_id FROM dunning_action WHERE partner_id = ANY(%(p)s)"
                " UNION SELECT run_id FROM dunning_partner_state"
                "  WHERE partner_id = ANY(%(p)s))",
                {"p": partner_ids},
            )
            cr.execute(
                "DELETE FROM dunning_action WHERE partner_id = ANY(%s)", [partner_ids]
            )
            cr.execute("DELETE FROM account_move WHERE id = ANY(%s)", [move_ids])
            cr.execute("DELETE FROM res_partner WHERE id = ANY(%s)", [partner_ids])
            cr.commit()

    def _run(self, env, company):
        return env["dunning.run"].create(
            {"company_id": company.id, "date": date(2026, 1, 7), "trigger": "cron"}
        )

    def _actions(self, env, partner_ids):
        return env["dunning.action"].search([("partner_id", "in", partner_ids)])
