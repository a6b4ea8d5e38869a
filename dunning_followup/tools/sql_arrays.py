# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""PostgreSQL array literals, for passing a batch's columns to ``unnest``.

psycopg2 adapts a Python list element by element into an ``ARRAY[...]``
expression that the server then parses and types value by value; for the
thousands of values of a batch that costs more than the query itself.  A
single text parameter in PostgreSQL's array syntax, cast by the query
(``%s::numeric[]``), carries the same values for a fraction of that.
"""

from datetime import date, datetime
from decimal import Decimal


def _text(value):
    return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')


def _element(value):
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        return '"%s"' % value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return _text(value)
    raise TypeError(f"no array literal for {type(value).__name__} value {value!r}")


# the usual types without the tests of _element, which handles the others
_BY_TYPE = {
    type(None): lambda value: "NULL",
    bool: lambda value: "t" if value else "f",
    int: int.__str__,
    float: float.__repr__,
    Decimal: Decimal.__str__,
    date: date.isoformat,
    str: _text,
}


def array_literal(values):
    """The text of a one-dimensional PostgreSQL array of ``values``.

    ``None`` is ``NULL``; booleans, numbers, dates, datetimes and strings
    are written as the array's element type reads them (strings quoted and
    escaped, so any text round-trips).  The query casts the parameter to
    the element type: ``unnest(%s::date[])``.
    """
    get = _BY_TYPE.get
    return "{%s}" % ",".join([get(type(value), _element)(value) for value in values])
