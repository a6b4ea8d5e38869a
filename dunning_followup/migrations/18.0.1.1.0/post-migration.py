# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The level an installment and an invoice reached is read from the
follow-up items since 18.0.1.1.0: drop the columns that stored it on the
accounting tables (their values would only go stale), and the columns of the
follow-up items that now come from the action and the installment (each was
a foreign key checked for every item a run inserts)."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("ALTER TABLE account_move_line DROP COLUMN IF EXISTS dunning_level_id")
    cr.execute("ALTER TABLE account_move DROP COLUMN IF EXISTS dunning_level_id")
    cr.execute(
        """
        ALTER TABLE dunning_action_line
            DROP COLUMN IF EXISTS company_id,
            DROP COLUMN IF EXISTS currency_id,
            DROP COLUMN IF EXISTS create_uid,
            DROP COLUMN IF EXISTS write_uid,
            DROP COLUMN IF EXISTS create_date,
            DROP COLUMN IF EXISTS write_date
        """
    )
