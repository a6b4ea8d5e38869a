"""Run the daily follow-up once on the demo database and print a summary.

Usage: python demo_summary.py ODOO_RC DBNAME
"""
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import sys

import odoo
from odoo import SUPERUSER_ID, api, fields


def main(rc_file, dbname):
    odoo.tools.config.parse_config(["-c", rc_file, "-d", dbname, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(dbname)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if "dunning.run" not in env:
            print("The follow-up engine is not installed in this database.")
            return 0
        Run = env["dunning.run"]
        if not Run.search_count([]):
            # A fresh demo database: replay the last two months of daily runs
            # (every third day) so customers stand at different levels.
            today = fields.Date.context_today(Run)
            for company in env["res.company"].search([]):
                for days_ago in range(60, 0, -3):
                    Run.with_company(company).create(
                        {
                            "company_id": company.id,
                            "date": fields.Date.subtract(today, days=days_ago),
                            "trigger": "manual",
                            "execute_all": False,
                        }
                    ).action_process()
        remaining = 1
        rounds = 0
        while remaining and rounds < 100:
            remaining = Run._cron_run()
            rounds += 1
        States = env["dunning.partner.state"]
        print()
        print("Follow-up summary")
        print("=================")
        groups = States._read_group(
            [("due_amount", ">", 0)], ["level_id"], ["__count", "overdue_amount:sum"]
        )
        for level, count, overdue in sorted(
            groups, key=lambda g: (g[0].days if g[0] else -999)
        ):
            name = level.name if level else "(no level yet)"
            print(f"  {name:<24} {count:>4} customers  {overdue:>12,.2f} overdue")
        actions = env["dunning.action"]._read_group([], ["state"], ["__count"])
        print("Notices: " + ", ".join(f"{count} {state}" for state, count in actions))
        if "dunning.charge" in env:
            charges = env["dunning.charge"]._read_group(
                [], ["kind"], ["__count", "amount:sum"]
            )
            fee_moves = env["account.move"].search_count(
                [("dunning_is_late_fee", "=", True)]
            )
            print(
                "Late payment charges: "
                + ", ".join(
                    f"{count} {kind} ({total:,.2f})" for kind, count, total in charges
                )
                + f" on {fee_moves} late-fee invoices"
            )
        runs = Run.search([], limit=1)
        if runs:
            print(f"Last run {runs.name}: {runs.log or ''}".strip())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
