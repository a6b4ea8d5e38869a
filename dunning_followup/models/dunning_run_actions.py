# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.tools import SQL

from ..tools.levels import days_late
from ..tools.sql_arrays import array_literal


class DunningRun(models.Model):
    """The actions of a batch and their (line, level) keys, in bulk."""

    _inherit = "dunning.run"

    # what _insert_actions writes with plain SQL; other values (an
    # extension's _prepare_action_vals, a default of an added field) make
    # it fall back to the ORM
    _BULK_ACTION_COLUMNS = {
        "partner_id": "int4",
        "company_id": "int4",
        "run_id": "int4",
        "level_id": "int4",
        "date": "date",
        "amount_due": "numeric",
        "send_email": "bool",
        "send_letter": "bool",
        "attach_statement": "bool",
        "activity_type_id": "int4",
        "state": "varchar",
    }

    def _prepare_action_vals(self, partner_id, level, items):
        """Extension hook: the values of the action of one customer.

        :param partner_id: the customer (commercial entity) id
        :param level: the highest level reached, a ``dunning.level``
        :param items: ``[(line row, level)]``, its installments that reach
            a level today (rows of :meth:`_fetch_open_lines`)
        :return: a dict for ``dunning.action.create``; values other than the
            fields of ``_BULK_ACTION_COLUMNS`` make the batch go through the
            ORM's create (slower, same result)
        """
        return {
            "partner_id": partner_id,
            "company_id": self.company_id.id,
            "run_id": self.id,
            "level_id": level.id,
            "date": self.date,
            "amount_due": sum(line["amount_residual"] for line, _lvl in items),
            "send_email": level.send_email,
            "send_letter": level.send_letter,
            "attach_statement": level.attach_statement,
            "activity_type_id": level.activity_type_id.id,
            "state": "to_review",
        }

    def _create_actions(self, plans):
        """Create the actions and their (line, level) keys in bulk.

        Keys that already exist (another run, a rerun after a crash) are
        dropped by the unique index; an action left without any key is
        removed, so nothing is applied twice.
        """
        Action = self.env["dunning.action"].sudo()
        if not plans:
            return Action
        actions = self._insert_actions(
            [
                self._prepare_action_vals(partner, level, items)
                for partner, level, items in plans
            ]
        )
        Action.flush_model()
        rows = []
        for action, (_partner, _level, items) in zip(actions, plans, strict=True):
            for line, level in items:
                rows.append(
                    (
                        action.id,
                        line["id"],
                        level.id,
                        line["move_id"],
                        line["date_maturity"],
                        days_late(line["date_maturity"], self.date),
                        line["amount_residual"],
                    )
                )
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO dunning_action_line
                       (action_id, move_line_id, level_id, move_id,
                        date_maturity, days_late, amount_residual)
                SELECT r.action_id, r.move_line_id, r.level_id, r.move_id,
                       r.date_maturity, r.days_late, r.amount_residual
                  FROM unnest(%(action)s::int[], %(line)s::int[], %(level)s::int[],
                              %(move)s::int[], %(maturity)s::date[],
                              %(late)s::int[], %(amount)s::numeric[])
                       AS r(action_id, move_line_id, level_id, move_id,
                            date_maturity, days_late, amount_residual)
                ON CONFLICT (move_line_id, level_id) DO NOTHING
                RETURNING action_id, move_line_id, level_id, move_id
                """,
                action=array_literal(r[0] for r in rows),
                line=array_literal(r[1] for r in rows),
                level=array_literal(r[2] for r in rows),
                move=array_literal(r[3] for r in rows),
                maturity=array_literal(r[4] for r in rows),
                late=array_literal(r[5] for r in rows),
                amount=array_literal(r[6] for r in rows),
            )
        )
        inserted = self.env.cr.fetchall()
        kept_ids = {row[0] for row in inserted}
        orphans = actions.filtered(lambda a: a.id not in kept_ids)
        if orphans:
            orphans.unlink()
            actions -= orphans
        if inserted:
            # the line and its invoice climb to the level reached: both read
            # it from the items just inserted (see dunning.action.line)
            self.env["account.move.line"].invalidate_model(["dunning_level_id"])
            self.env["account.move"].invalidate_model(["dunning_level_id"])
        self.env["dunning.action.line"].invalidate_model()
        if actions:
            self.env["dunning.action"].invalidate_model(["line_ids"])
        # one pending notice per customer: older ones pass their items on
        return actions._merge_pending().sudo(False)

    def _insert_actions(self, vals_list):
        """``dunning.action.create(vals_list)`` in one ``INSERT``.

        The ORM's create converts each monetary value through a new record
        of its currency and updates the rows again for their computed
        fields (the cost is in tests/benchmarks/README.md); these values are
        plain, so they go straight to the table, and the
        ORM is told (:meth:`~odoo.models.BaseModel.modified`) so that stored
        computed fields (the name, the policy) and their dependents follow.
        """
        Action = self.env["dunning.action"].sudo()
        columns = self._BULK_ACTION_COLUMNS
        stored = [
            name
            for name, field in Action._fields.items()
            if field.store
            and field.column_type
            and not field.compute
            and name not in models.MAGIC_COLUMNS
        ]
        defaults = Action.default_get(stored)
        if any(set(vals) - set(columns) for vals in vals_list) or set(defaults) - set(
            columns
        ):
            return Action.create(vals_list)
        vals_list = [{**defaults, **vals} for vals in vals_list]
        # the two stored computed fields of an action, computed here rather
        # than by an UPDATE of the rows just inserted
        levels = self.env["dunning.level"].browse({v["level_id"] for v in vals_list})
        partners = self.env["res.partner"].browse({v["partner_id"] for v in vals_list})
        partners.fetch(["name"])
        for vals in vals_list:
            level = levels.browse(vals["level_id"])
            vals["name"] = Action._name_for(level, partners.browse(vals["partner_id"]))
            vals["policy_id"] = level.policy_id.id
        columns = {**columns, "name": "varchar", "policy_id": "int4"}
        arrays = self._action_columns(vals_list, columns)
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO dunning_action (%(names)s, create_uid, write_uid,
                                            create_date, write_date)
                SELECT *, %(uid)s, %(uid)s, now() at time zone 'UTC',
                       now() at time zone 'UTC'
                  FROM unnest(%(arrays)s)
                RETURNING id
                """,
                names=SQL(", ").join(SQL.identifier(name) for name in columns),
                uid=self.env.uid,
                arrays=SQL(", ").join(
                    SQL("%s::%s[]", array_literal(arrays[name]), SQL(kind))
                    for name, kind in columns.items()
                ),
            )
        )
        actions = Action.browse([row[0] for row in self.env.cr.fetchall()])
        # the values just written, in the cache as the ORM's create leaves
        # them: reading them back (the merge reads the state, customer and
        # company of every new action) needs no query
        for name, values in arrays.items():
            field = Action._fields[name]
            self.env.cache.update(
                actions,
                field,
                [
                    field.convert_to_cache(value, Action, validate=False)
                    for value in values
                ],
            )
        # one2many fields already in the cache (a run's actions) do not know
        # the new records: drop them; then, as the ORM's create, mark the
        # stored computed fields (name, policy) and whatever depends on actions
        for name in columns:
            field = Action._fields[name]
            for inverse in self.pool.field_inverses[field]:
                self.env[inverse.model_name].invalidate_model([inverse.name])
        protected = [Action._fields["name"], Action._fields["policy_id"]]
        with self.env.protecting(protected, actions):
            actions.modified(list(Action._fields), create=True)
        return actions

    def _action_columns(self, vals_list, columns):
        """``{column: [values]}`` of the actions to insert, as the columns
        store them (a missing record ``None``, amounts rounded)."""
        Action = self.env["dunning.action"]
        currency = self.company_id.currency_id
        arrays = {}
        for name in columns:
            field = Action._fields[name]
            values = [vals.get(name) for vals in vals_list]
            if field.type == "boolean":
                values = [bool(value) for value in values]
            elif field.type == "monetary":
                values = [currency.round(value or 0.0) for value in values]
            else:
                values = [value or None for value in values]
            arrays[name] = values
        return arrays
