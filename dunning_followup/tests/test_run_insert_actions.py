# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The run's bulk insert of actions writes the rows the ORM would."""

from datetime import date
from unittest.mock import patch

from odoo.tests import tagged

from .common import DunningCommon

# set by the database or the clock, not by the values
NOT_COMPARED = {"id", "create_date", "write_date"}


@tagged("post_install", "-at_install")
class TestInsertActions(DunningCommon):
    def _rows(self, actions):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT * FROM dunning_action WHERE id = ANY(%s) ORDER BY id",
            [actions.ids],
        )
        return [
            {name: value for name, value in row.items() if name not in NOT_COMPARED}
            for row in self.env.cr.dictfetchall()
        ]

    def test_bulk_insert_rows_equal_the_orm_rows(self):
        customer = self._make_customer("Bulk Customer", email="bulk@example.com")
        other = self._make_customer("Other Customer")
        run = self.env["dunning.run"].create(
            {"company_id": self.company.id, "date": date(2026, 3, 1)}
        )
        plans = [
            (customer, self.level_first, 123.456),
            (other, self.level_call, 0.0),
        ]

        def vals_list():
            return [
                run._prepare_action_vals(
                    partner.id, level, [({"amount_residual": amount}, level)]
                )
                for partner, level, amount in plans
            ]

        Action = self.env["dunning.action"].sudo()
        by_orm = Action.create(vals_list())
        Model = type(Action)
        orm_create = Model.create
        fallbacks = []

        def spy(model, vals):
            fallbacks.append(vals)
            return orm_create(model, vals)

        with patch.object(Model, "create", spy):
            by_sql = run._insert_actions(vals_list())
        self.assertFalse(fallbacks, "the bulk insert went through the ORM")
        self.assertEqual(len(by_sql), 2)
        orm_rows, sql_rows = self._rows(by_orm), self._rows(by_sql)
        self.assertEqual(sql_rows, orm_rows)
        # every stored column compared, the computed ones included
        self.assertIn("name", orm_rows[0])
        self.assertIn("policy_id", orm_rows[0])
        self.assertEqual(orm_rows[0]["amount_due"], 123.46)
        # and the ORM reads the inserted records as its own
        for orm, bulk in zip(by_orm, by_sql, strict=True):
            self.assertEqual(bulk.name, orm.name)
            self.assertEqual(bulk.policy_id, orm.policy_id)
            self.assertIn(bulk, run.action_ids)
