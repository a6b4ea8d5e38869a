# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Table-driven bad-input tests: a helper shared by the addons' tests."""

import logging

import psycopg2

from odoo.exceptions import UserError, ValidationError
from odoo.service.model import _as_validation_error
from odoo.tools import mute_logger

_logger = logging.getLogger(__name__)


class BadInputMixin:
    """Each case is ``(name, action, words, snapshot)``: ``action`` tries the
    bad input; it must be refused with a message containing ``words`` (the
    field's label, as the user reads it), and ``snapshot()`` (what a partial
    write would change) must read the same before and after.

    Errors of the database's own constraints are shown as Odoo's RPC layer
    shows them to the user (``_as_validation_error``)."""

    def _refusal(self, action):
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                action()
                self.env.flush_all()
        except psycopg2.IntegrityError as exc:
            return str(_as_validation_error(self.env, exc))
        except (ValidationError, UserError, ValueError) as exc:
            return str(exc)
        finally:
            self.env.invalidate_all()
        return None

    def assertRefused(self, cases):
        """Check every case (the field's label is looked for whatever its
        case), then fail once with the list of the cases that did not hold."""
        names = [case[0] for case in cases]
        self.assertEqual(len(names), len(set(names)), "case names are unique")
        problems = []
        for name, action, words, snapshot in cases:
            before = snapshot()
            message = self._refusal(action)
            if message is None:
                problems.append(f"{name}: accepted")
            elif words.lower() not in message.lower():
                problems.append(f"{name}: {words!r} not in {message!r}")
            if snapshot() != before:
                problems.append(f"{name}: partly written")
        self.assertFalse(problems, "\n".join(problems))
        _logger.info("%s: %s bad inputs refused", type(self).__name__, len(cases))
        return len(cases)
