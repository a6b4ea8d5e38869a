# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The level an installment and an invoice reached is read from the
follow-up items since 18.0.1.1.0: drop the columns that stored it on the
accounting tables (their values would only go stale)."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("ALTER TABLE account_move_line DROP COLUMN IF EXISTS dunning_level_id")
    cr.execute("ALTER TABLE account_move DROP COLUMN IF EXISTS dunning_level_id")
