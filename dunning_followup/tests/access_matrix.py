# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The access matrix: a helper shared by the addons' tests.

Each addon's ``test_access_matrix.py`` writes out, as a table, what every
role may do (read, write, create, unlink) on a record of every model the
addon defines, its wizards and reporting views included, and gives one real
record per model (``_access_probes``).  The mixin then checks each cell
three ways, so that both the access rights (``ir.model.access``) and the
record rules (``ir.rule``) count:

- the rights on the model: ``Model.browse().has_access(operation)``;
- the rights and the rules on the record: ``record.has_access(operation)``;
- the operation itself, done as the user inside a savepoint that is rolled
  back: ``read`` (and a ``search`` that must find the record exactly when it
  can be read), ``write``, ``create`` (of a record like it) and ``unlink``.

The roles are internal users of the test company (company A) and share
users; ``other`` is a follow-up manager of company B only: they have a
manager's rights on every model (the first check compares them with the
``manager`` column) but company A's records are out of their reach (the
other two checks compare them with the ``other`` column).  A role whose
groups are not installed (a salesperson without ``sale``) is left out.

A cell reads ``rwcu`` with ``-`` for what is refused: ``r---`` reads only,
``----`` nothing.  A model of the addon without a row fails the test: the
rows are compared with the models ``ir.model.data`` names for the addon.
The test prints the matrix it observed and the number of cells checked.

A second test reads, as each role that may read an invoice or a customer
(a portal customer: their own), every field the addon adds to those
models: a field over one of our models carries the groups that read that
model, so Odoo leaves it out for the others instead of failing the read.

One table per addon, not one for the three: ``dunning_factoring`` does not
depend on ``dunning_escalation``, and each addon is tested on its own by
OCA's CI.  (``check_access_rights`` is deprecated in 18.0 in favour of
``has_access``, which this uses.)
"""

import logging
from typing import NamedTuple

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tools import mute_logger

from .common import D

_logger = logging.getLogger(__name__)

OPERATIONS = ("read", "write", "create", "unlink")
LETTERS = "rwcu"

# role -> groups (xml ids) on top of the user type; "other" gets company B
ROLES = {
    "user": ("base.group_user", "dunning_followup.group_dunning_user"),
    "manager": ("base.group_user", "dunning_followup.group_dunning_manager"),
    "sales": ("base.group_user", "sales_team.group_sale_salesman"),
    "invoice": ("base.group_user", "account.group_account_invoice"),
    "portal": ("base.group_portal",),
    "public": ("base.group_public",),
    "other": ("base.group_user", "dunning_followup.group_dunning_manager"),
}
OTHER_COMPANY_ROLE = "other"
# the role whose rights (not records) the other company's user has
OTHER_COMPANY_MIRRORS = "manager"


class Probe(NamedTuple):
    """One real record of company A and what the matrix does with it."""

    record: object
    write: dict  # values a writer may set
    create: dict  # values of a record like it, in company A
    field: str = "display_name"  # what a reader reads


def parse_matrix(text):
    """``{model: {role: cell}}`` from a table: a header line (``model`` then
    the roles), then one line per model; ``#`` starts a comment line."""
    lines = [
        line.split()
        for line in text.strip().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    roles = lines[0][1:]
    matrix = {}
    for model, *cells in lines[1:]:
        if len(cells) != len(roles):
            raise ValueError(f"access matrix: {model} has {len(cells)} cells")
        for cell in cells:
            if len(cell) != 4 or any(
                char not in (letter, "-")
                for char, letter in zip(cell, LETTERS, strict=True)
            ):
                raise ValueError(f"access matrix: {model}: bad cell {cell!r}")
        if model in matrix:
            raise ValueError(f"access matrix: {model} twice")
        matrix[model] = dict(zip(roles, cells, strict=True))
    return matrix


def cell(allowed):
    """``"rw--"`` from ``{operation: bool}``."""
    return "".join(
        letter if allowed[operation] else "-"
        for letter, operation in zip(LETTERS, OPERATIONS, strict=True)
    )


class _Undo(Exception):
    """Raised to roll back an operation that succeeded."""


class AccessMatrixMixin:
    """Mixed into a test case with the company fixture (``cls.company``);
    the subclass sets ``MODULE`` and ``MATRIX`` and defines
    ``_access_probes()``."""

    MODULE = None
    MATRIX = ""
    ROLES = ROLES

    @classmethod
    def _setup_access_roles(cls):
        """The users of the roles, one per role (``cls.role_users``)."""
        cls.other_company = cls.setup_other_company(name="Matrix Company B")["company"]
        cls.role_users = {}
        for role, groups in cls.ROLES.items():
            group_ids = [
                cls.env.ref(xmlid, raise_if_not_found=False) for xmlid in groups
            ]
            if not all(group_ids):
                continue  # e.g. sale not installed: no salesperson
            company = cls.other_company if role == OTHER_COMPANY_ROLE else cls.company
            cls.role_users[role] = (
                cls.env["res.users"]
                .with_context(no_reset_password=True)
                .create(
                    {
                        "name": f"Matrix {role}",
                        "login": f"matrix_{role}",
                        "email": f"matrix_{role}@example.com",
                        "company_id": company.id,
                        "company_ids": [Command.set(company.ids)],
                        "groups_id": [Command.set([g.id for g in group_ids])],
                    }
                )
            )

    @classmethod
    def _access_probes(cls):
        """``{model: Probe}``, one per model of ``MODULE``."""
        raise NotImplementedError

    def _module_models(self):
        """The models ``MODULE`` defines (not those it only extends)."""
        names = (
            self.env["ir.model.data"]
            .search([("module", "=", self.MODULE), ("model", "=", "ir.model")])
            .mapped("res_id")
        )
        models = self.env["ir.model"].browse(names).mapped("model")
        return {
            name
            for name in models
            if name in self.env and self.env[name]._original_module == self.MODULE
        }

    def test_every_model_has_a_row(self):
        """A new model without a row in the table (or a probe) fails here."""
        matrix = parse_matrix(self.MATRIX)
        models = self._module_models()
        self.assertTrue(models)
        self.assertEqual(set(matrix), models, "rows of the access matrix")
        self.assertEqual(set(self._access_probes()), models, "probes")
        self.assertEqual(
            set(next(iter(matrix.values()))),
            set(self.ROLES),
            "columns of the access matrix",
        )

    def _attempt(self, operation):
        """True if ``operation`` succeeds (then rolled back), False if it is
        refused with an AccessError, else the exception it raised."""
        try:
            with (
                mute_logger("odoo.sql_db", "odoo.models", "odoo.models.unlink"),
                self.env.cr.savepoint(),
            ):
                operation()
                self.env.flush_all()
                raise _Undo
        except _Undo:
            return True
        except AccessError:
            return False
        except Exception as exc:  # reported in the mismatches
            return exc
        finally:
            self.env.invalidate_all()

    def _real_operations(self, probe, user):
        record = probe.record.with_user(user)
        Model = record.browse()

        def read():
            record.read([probe.field])

        allowed = {"read": self._attempt(read)}
        try:  # search applies the rules without raising: it must agree
            found = bool(Model.search([("id", "=", record.id)]))
        except AccessError:
            found = False
        if allowed["read"] is True and not found:
            allowed["read"] = AssertionError("readable but not found by search")
        elif allowed["read"] is False and found:
            allowed["read"] = AssertionError("unreadable but found by search")
        allowed["write"] = self._attempt(lambda: record.write(dict(probe.write)))
        allowed["create"] = self._attempt(lambda: Model.create(dict(probe.create)))
        allowed["unlink"] = self._attempt(record.unlink)
        return allowed

    def test_access_matrix(self):
        """Every role x every model x read, write, create, unlink."""
        matrix = parse_matrix(self.MATRIX)
        probes = self._access_probes()
        problems, observed, checked = [], {}, 0
        for model, probe in sorted(probes.items()):
            self.assertTrue(probe.record, f"{model}: the probe has no record")
            for role, user in self.role_users.items():
                expected = matrix[model][role]
                rights_expected = (
                    matrix[model][OTHER_COMPANY_MIRRORS]
                    if role == OTHER_COMPANY_ROLE
                    else expected
                )
                Model = self.env[model].with_user(user)
                rights = cell({op: Model.browse().has_access(op) for op in OPERATIONS})
                on_record = cell(
                    {
                        op: probe.record.with_user(user).has_access(op)
                        for op in OPERATIONS
                    }
                )
                real = self._real_operations(probe, user)
                errors = {
                    op: res for op, res in real.items() if res not in (True, False)
                }
                done = cell({op: res is True for op, res in real.items()})
                observed.setdefault(model, {})[role] = done
                checked += 3 * len(OPERATIONS)
                where = f"{model} / {role} (expected {expected})"
                if rights != rights_expected:
                    problems.append(f"{where}: access rights {rights}")
                if on_record != expected:
                    problems.append(f"{where}: has_access on the record {on_record}")
                if errors:
                    problems.append(
                        f"{where}: "
                        + "; ".join(
                            f"{op} raised {exc!r}" for op, exc in errors.items()
                        )
                    )
                elif done != expected:
                    problems.append(f"{where}: operations {done}")
        report = self._format_matrix(observed, checked)
        # the matrix is what the test shows (pytest -s, or on failure)
        print(report)  # pylint: disable=print-used
        _logger.info("%s", report)
        self.assertFalse(problems, "\n".join(problems) + "\n" + report)

    def _shared_records(self):
        """``{role: records}`` of models the addon extends (invoices,
        customers, orders) that the role reads; the default: a customer
        invoice and its customer, and for the portal user their own."""
        portal = self.role_users["portal"]
        portal.partner_id.property_account_receivable_id = self.company_data[
            "default_account_receivable"
        ]
        own = self._invoice(portal.partner_id, D(2026, 1, 1), 50.0)
        invoice = self._invoice(self.customer, D(2026, 1, 1), 70.0)
        shared = {role: [invoice, self.customer] for role in self.role_users}
        shared["portal"] = [own, portal.partner_id]
        return shared

    def test_added_fields_read_by_who_reads_the_record(self):
        """The fields the addon adds to others' models (an invoice, a
        customer) read for every role that reads the record, unless their
        ``groups`` hide them: a compute reading our models with the user's
        rights would break the record for a salesperson or a portal
        customer."""
        problems, checked = [], 0
        for role, records in self._shared_records().items():
            user = self.role_users[role]
            for record in records:
                record = record.with_user(user)
                if not record.has_access("read"):
                    continue
                for name, field in record._fields.items():
                    if field._module != self.MODULE or not field.is_accessible(
                        record.env
                    ):
                        continue
                    checked += 1
                    self.env.invalidate_all()
                    try:
                        record.read([name])
                    except AccessError as exc:
                        problems.append(f"{role}: {record._name}.{name}: {exc}")
        self.assertTrue(checked)
        self.assertFalse(problems, "\n".join(problems))

    def _format_matrix(self, observed, checked):
        roles = list(self.role_users)
        width = max(len(model) for model in observed) + 2
        lines = [
            f"access matrix of {self.MODULE} (operations done):",
            "model".ljust(width) + "".join(role.ljust(9) for role in roles),
        ]
        for model, cells in sorted(observed.items()):
            lines.append(
                model.ljust(width) + "".join(cells[role].ljust(9) for role in roles)
            )
        lines.append(
            f"{checked} cells checked ({len(observed)} models x {len(roles)} roles"
            f" x {len(OPERATIONS)} operations x rights, rules, real operation)"
        )
        return "\n".join(lines)
