# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The daily check of payment plans at 5, 100 and 1,000 plans.

Run in an Odoo shell on a database with our addons (everything is rolled
back at the end)::

    echo "import runpy; runpy.run_path('tests/benchmarks/plans.py')['run'](env)" \\
        | .venv/bin/python odoo-bin shell -c .local/odoo.conf -d DB --no-http

Each size gets its own customers, one 900.00 invoice each and a plan of
three monthly installments from 2 March 2026 (made through the ORM, the
schedule mail left out: it is not what is measured).  The check
(``_check_plans``) is then timed on the days where nothing is due, where
every customer gets a reminder, where every first installment turns late,
where nothing changes, and where every plan breaks.
"""

import time
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command

DAYS = [
    (date(2026, 2, 3), "nothing due"),
    (date(2026, 2, 27), "a reminder for every plan"),
    (date(2026, 3, 3), "every first installment late"),
    (date(2026, 3, 4), "nothing new"),
    (date(2026, 3, 6), "every plan broken"),
]


def _build(env, count, tag):
    company = env.company
    receivable = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)],
        limit=1,
    )
    partners = env["res.partner"].create(
        [
            {
                "name": f"Plan bench {tag} {i}",
                "is_company": True,
                "email": f"plan{tag}{i}@example.com",
                "property_account_receivable_id": receivable.id,
            }
            for i in range(count)
        ]
    )
    moves = env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": date(2026, 1, 1),
                "invoice_date_due": date(2026, 1, 1),
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Service", "price_unit": 900.0, "tax_ids": []}
                    )
                ],
            }
            for partner in partners
        ]
    )
    moves.action_post()
    Plan = env["dunning.installment.plan"]
    with (
        freeze_time("2026-02-02"),
        patch.object(type(Plan), "_send_schedule", lambda self: None),
    ):
        plans = Plan.create(
            [
                {
                    "partner_id": move.partner_id.id,
                    "move_ids": [Command.set(move.ids)],
                    "first_date": date(2026, 3, 2),
                }
                for move in moves
            ]
        )
        plans.action_compute_schedule()
        plans.action_confirm()
    return plans


def run(env, sizes=(5, 100, 1000)):
    """Print, and return, ``{(day label, size): (seconds, queries)}``."""
    groups = [_build(env, size, index) for index, size in enumerate(sizes)]
    figures = {}
    for day, label in DAYS:
        for plans in groups:
            env.flush_all()
            env.invalidate_all()
            before = env.cr.sql_log_count
            start = time.perf_counter()
            with freeze_time(day):
                plans._check_plans(day)
                env.flush_all()
            seconds = time.perf_counter() - start
            queries = env.cr.sql_log_count - before
            figures[label, len(plans)] = (round(seconds, 3), queries)
            print(
                f"{label:32} {len(plans):5} plans: {seconds:7.3f} s {queries:6} queries"
            )
    env.cr.rollback()
    return figures
