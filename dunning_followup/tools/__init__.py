# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pure computations of the follow-up engine: no ORM, no database."""

from . import levels
