# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Array literals: the text without a database, the values through one."""

from datetime import date, datetime
from decimal import Decimal

from odoo.tests import BaseCase, TransactionCase, tagged
from odoo.tools import SQL

from ..tools.sql_arrays import array_literal

TEXTS = [
    "<script>alert(1)</script> & Co",
    'Quote " and backslash \\ and comma, brace } {',
    "  spaces kept  ",
    "NULL",
    "",
    "Müller & Söhne\nline two",
]


@tagged("post_install", "-at_install")
class TestArrayLiteral(BaseCase):
    def test_each_type_as_postgresql_reads_it(self):
        self.assertEqual(
            array_literal(
                [1, None, True, False, 2.5, Decimal("1.10"), date(2026, 1, 2)]
            ),
            "{1,NULL,t,f,2.5,1.10,2026-01-02}",
        )
        self.assertEqual(
            array_literal([datetime(2026, 1, 2, 3, 4, 5)]), '{"2026-01-02 03:04:05"}'
        )
        self.assertEqual(array_literal([]), "{}")
        # any iterable, read once
        self.assertEqual(array_literal(x * 2 for x in range(3)), "{0,2,4}")

    def test_texts_are_quoted(self):
        self.assertEqual(
            array_literal(['a"b\\c', "NULL", ""]), '{"a\\"b\\\\c","NULL",""}'
        )

    def test_unknown_type_refused(self):
        with self.assertRaises(TypeError):
            array_literal([object()])


@tagged("post_install", "-at_install")
class TestArrayLiteralRoundTrip(TransactionCase):
    def _through(self, values, kind):
        self.env.cr.execute(
            SQL("SELECT unnest(%s::%s[])", array_literal(values), SQL(kind))
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def test_values_come_back_unchanged(self):
        self.assertEqual(self._through([3, None, -7], "int"), [3, None, -7])
        self.assertEqual(
            self._through([1234.56, 0.1, None], "numeric"), [1234.56, 0.1, None]
        )
        self.assertEqual(
            self._through([date(2026, 2, 28), None], "date"), [date(2026, 2, 28), None]
        )
        self.assertEqual(
            self._through([True, False, None], "bool"), [True, False, None]
        )
        self.assertEqual(self._through([*TEXTS, None], "varchar"), [*TEXTS, None])
