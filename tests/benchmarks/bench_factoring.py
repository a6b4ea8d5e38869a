# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of an agency batch at scale: propose and export about 10,000
invoices to a factor (CSV), time and SQL queries of each step.

Usage (the environment of ./setup/bench.sh; ODOO_RC set, the venv's python):

    bench_factoring.py [--customers 2143] [--today YYYY-MM-DD] [--keep]

The data are the follow-up benchmark's (``bench.py generate``: 5 invoices per
customer, a third of the customers paid one in full and one in part, so 2,143
customers give about 10,000 open invoices) on a copy of ``dunning_tpl_base``
with our addons installed.  The factor takes every open invoice (maximum
days late high enough), so the batch holds every open invoice of the company.
"""

import argparse
import sys
import time
from datetime import date

import bench


def measure(env, on):
    company = env.company
    partner = env["res.partner"].create({"name": "Bench Factor", "is_company": True})
    agency = env["dunning.agency"].create(
        {
            "name": "Bench Factor",
            "partner_id": partner.id,
            "agency_type": "factor",
            "export_format": "csv",
            "max_days_late": 100000,
            "company_id": company.id,
        }
    )
    batch = env["dunning.export.batch"].create({"agency_id": agency.id, "date": on})
    figures = {}
    for step in ("propose", "export"):
        env.flush_all()
        env.invalidate_all()
        queries, started = env.cr.sql_log_count, time.time()
        getattr(batch, f"action_{step}")()
        env.flush_all()
        figures[step] = {
            "seconds": round(time.time() - started, 2),
            "queries": env.cr.sql_log_count - queries,
        }
    figures["lines"] = len(batch.line_ids)
    figures["file_bytes"] = len(batch.attachment_id.raw)
    return figures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=2143)
    parser.add_argument("--today", default=date.today().isoformat())
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args(argv)
    db = "dunning_bench_factoring"
    bench.copy_db("dunning_tpl_base", db)
    generated = bench.run_step(
        "generate",
        "--db",
        db,
        "--customers",
        str(args.customers),
        "--today",
        args.today,
    )
    bench.psql("-c", "ANALYZE", db=db)  # as autovacuum would have by then
    install = bench.timed_install(db, bench.OUR_ADDONS)
    with bench.odoo_env(db) as env:
        figures = measure(env, date.fromisoformat(args.today))
    figures.update(
        customers=args.customers,
        invoices=generated["invoices"],
        install_seconds=install,
    )
    if not args.keep:
        bench.drop_db(db)
    bench.emit(step="factoring", **figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
