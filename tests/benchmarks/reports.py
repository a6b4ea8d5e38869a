# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Time the follow-up reports as the web client opens them.

Usage, on a database filled by ``bench.py`` (generated, our addons installed,
one follow-up run done, e.g. ``bench.py run``):

    python tests/benchmarks/reports.py --db dunning_bench_20000_ours [--repeat 5]

The pivot view asks the server for every combination of its row and column
groupings (none, rows, columns, both), each a ``read_group`` that also names
the many2one groups; the graph view asks once.  Each figure is the median of
``--repeat`` openings, caches of the registry warmed by a first one.
"""

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bench import emit, odoo_env  # noqa: E402

# (name, model, row groupings, column groupings, measures)
VIEWS = (
    (
        "aging pivot (customer x bucket)",
        "dunning.aging.report",
        ["partner_id"],
        ["bucket"],
        ["amount_residual:sum"],
    ),
    (
        "aging pivot (collector x bucket)",
        "dunning.aging.report",
        ["responsible_id"],
        ["bucket"],
        ["amount_residual:sum"],
    ),
    (
        "aging graph (bucket x level)",
        "dunning.aging.report",
        ["bucket", "level_id"],
        None,
        ["amount_residual:sum"],
    ),
    ("DSO graph", "dunning.dso.report", ["date:month"], None, ["dso:sum"]),
    (
        "effectiveness graph (level)",
        "dunning.effectiveness.report",
        ["level_id"],
        None,
        ["effectiveness:sum"],
    ),
)


def open_view(model, rows, cols, measures):
    """The read_group calls of a pivot (rows and columns) or a graph."""
    fields = [*measures, "__count"]
    if cols is None:
        return len(model.read_group([], fields, rows, lazy=False))
    groups = 0
    for groupby in ([], rows, cols, rows + cols):
        groups += len(model.read_group([], fields, groupby, lazy=False))
    return groups


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with odoo_env(args.db) as env:
        rows = env["dunning.aging.report"].search_count([])
        for name, model_name, groupby_rows, groupby_cols, measures in VIEWS:
            model = env[model_name]
            open_view(model, groupby_rows, groupby_cols, measures)  # warm-up
            times, queries = [], 0
            for _index in range(args.repeat):
                env.invalidate_all()
                before = env.cr.sql_log_count
                started = time.perf_counter()
                groups = open_view(model, groupby_rows, groupby_cols, measures)
                times.append(time.perf_counter() - started)
                queries = env.cr.sql_log_count - before
            emit(
                step="report",
                view=name,
                aging_rows=rows,
                groups=groups,
                seconds=round(statistics.median(times), 3),
                queries=queries,
            )


if __name__ == "__main__":
    main()
