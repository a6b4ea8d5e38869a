# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmarks of the follow-up at scale, side by side with OCA's credit control.

Usage (through ./setup/bench.sh, which prepares the environment):

    bench.py all --sizes 1000,20000 [--no-oca] [--json results.json]

Each size is built once as a template database (``dunning_bench_<n>_data``:
account + sale + the generated customers and invoices, none of our addons),
then copied for every measurement so that each starts from the same state.
Every measurement runs in its own process (its peak memory is its own) and
prints one JSON line.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import clone  # noqa: E402

GENERATOR_VERSION = "5"
OUR_ADDONS = "dunning_followup,dunning_escalation,dunning_factoring"
INVOICES_PER_CUSTOMER = 5
DUE_OFFSETS = (-150, -105, -60, -15, 30)  # days from today, before the copy shift
SHIFT_SQL = "((g.g * 37) % 41) - 20"  # spreads due dates by -20..+20 days


# -- environment -------------------------------------------------------------


def rc_file():
    return os.environ.get("ODOO_RC") or os.path.join(
        HERE, "..", "..", ".local", "odoo.conf"
    )


def odoo_bin():
    src = os.environ.get("ODOO_SRC_DIR") or "/opt/odoo/18.0"
    return [sys.executable, os.path.join(src, "odoo-bin")]


def psql(*args, db="postgres"):
    return subprocess.run(
        ["psql", "-d", db, "-Atq", *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def db_exists(name):
    return psql("-c", f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


def drop_db(name):
    if db_exists(name):
        subprocess.run(["dropdb", "--force", name], check=True)


def copy_db(template, name):
    drop_db(name)
    subprocess.run(["createdb", "-T", template, name], check=True)


def odoo_env(dbname):
    """An environment on ``dbname`` (superuser), as a context manager."""
    import odoo
    from odoo import api

    args = ["-c", rc_file(), "--log-level=warn"]
    if os.environ.get("DUNNING_ADDONS_PATH"):
        args.append("--addons-path=" + os.environ["DUNNING_ADDONS_PATH"])
    odoo.tools.config.parse_config(args)
    registry = odoo.modules.registry.Registry(dbname)

    class _Env:
        def __enter__(self):
            self.cr = registry.cursor()
            return api.Environment(self.cr, odoo.SUPERUSER_ID, {})

        def __exit__(self, exc_type, *rest):
            if exc_type:
                self.cr.rollback()
            else:
                self.cr.commit()
            self.cr.close()

    return _Env()


def emit(**figures):
    figures["peak_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1
    )
    print("RESULT " + json.dumps(figures, default=str), flush=True)


def run_step(*args, env=None):
    """Run a step of this script in its own process; its RESULT line."""
    process = subprocess.run(
        [sys.executable, __file__, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    for line in process.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    sys.stderr.write(process.stdout[-3000:] + process.stderr[-3000:])
    raise RuntimeError(f"step {args[0]} failed")


# -- data ----------------------------------------------------------------------


def make_models(env, today):
    """Two model customers made by the ORM: one unpaid, one that paid an
    invoice in full and another in part."""
    from odoo import Command

    company = env.company
    if not company.chart_template:
        env["account.chart.template"].try_loading(
            "generic_coa", company, install_demo=False
        )
    partners = []
    for label, pay in (("Unpaid", False), ("Payer", True)):
        partner = env["res.partner"].create(
            {"name": f"Bench {label}", "is_company": True, "email": "bench@example.com"}
        )
        moves = env["account.move"]
        for index, offset in enumerate(DUE_OFFSETS):
            due = today + timedelta(days=offset)
            moves |= env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": due - timedelta(days=30),
                    "invoice_date_due": due,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Service",
                                "quantity": 1,
                                "price_unit": 100.0 * (index + 1),
                                "tax_ids": [],
                            }
                        )
                    ],
                }
            )
        moves.action_post()
        if pay:
            for move, share in ((moves[0], 1.0), (moves[1], 0.5)):
                env["account.payment.register"].with_context(
                    active_model="account.move", active_ids=move.ids
                ).create(
                    {
                        "amount": move.amount_total * share,
                        "payment_date": move.invoice_date_due,
                    }
                ).action_create_payments()
        partners.append(partner)
    env.flush_all()
    return partners


def generate(env, customers, today, check=False):
    """``customers`` customers with 5 invoices each; a third of them paid
    one invoice in full and another in part.  With ``check``, compare every
    copy with its ORM-made model and return the differences."""
    unpaid, payer = make_models(env, today)
    payers = max(customers // 3, 1)
    cr = env.cr
    started = time.time()
    differences = []
    for model, total in ((unpaid, customers - payers), (payer, payers)):
        rows = clone.model_rows(cr, [model.id])
        if total > 1:
            layout = clone.clone(cr, rows, total - 1, SHIFT_SQL)
            if check:
                for copy in range(1, total):
                    shift = ((copy * 37) % 41) - 20  # SHIFT_SQL, in Python
                    differences += clone.compare_copy(cr, rows, layout, copy, shift)
    env.invalidate_all()
    return time.time() - started, differences


def step_generate(args):
    today = date.fromisoformat(args.today)
    with odoo_env(args.db) as env:
        seconds, differences = generate(env, args.customers, today, check=args.check)
        env.cr.execute(
            "SELECT payment_state, COUNT(*) FROM account_move"
            " WHERE move_type = 'out_invoice' GROUP BY 1"
        )
        states = dict(env.cr.fetchall())
    emit(
        step="generate",
        seconds=round(seconds, 2),
        invoices=sum(states.values()),
        payment_states=states,
        differences=[list(map(str, d)) for d in differences[:20]],
    )


def step_post(args):
    """Post new invoices on generated data, on its first and last accounting
    dates and on ``--today``, and pay the last one: Odoo's numbering must go
    on after the copies' numbers (late-fee invoices are posted this way)."""
    from odoo import Command

    today = date.fromisoformat(args.today)
    with odoo_env(args.db) as env:
        env.cr.execute(
            "SELECT MIN(date), MAX(date) FROM account_move"
            " WHERE move_type = 'out_invoice'"
        )
        dates = sorted({*env.cr.fetchone(), today})
        partner = (
            env["account.move"]
            .search([("move_type", "=", "out_invoice")], order="id desc", limit=1)
            .partner_id
        )
        moves = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": day,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Late fee", "price_unit": 40.0, "tax_ids": []}
                        )
                    ],
                }
                for day in dates
            ]
        )
        for move in moves:  # one by one, as notices post their fee invoices
            move.action_post()
        payment = (
            env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=moves[-1].ids)
            .create({"payment_date": dates[-1]})
            ._create_payments()
        )
        env.flush_all()
        emit(
            step="post",
            names=moves.mapped("name"),
            states=moves.mapped("payment_state"),
            payment=payment.move_id.name,
        )


# -- our measurements --------------------------------------------------------------


def step_run(args):
    """The follow-up run over every customer: levels and actions, no rendering."""
    with odoo_env(args.db) as env:
        company = env.company
        env["dunning.policy"]._get_company_default(company).write(
            {"level_mode": "jump"}
        )
        run = env["dunning.run"].create({"company_id": company.id, "trigger": "cron"})
        env.flush_all()
        queries = env.cr.sql_log_count
        started = time.time()
        batches = 0
        while run.state == "running":
            run.with_context(dunning_plan_only=True)._process_batch(
                company.dunning_batch_size
            )
            # as the cron does: one transaction per batch
            env.cr.commit()
            batches += 1
        env.flush_all()
        seconds = time.time() - started
        queries = env.cr.sql_log_count - queries
        env.cr.execute(
            "SELECT COUNT(*) FROM dunning_action_line WHERE action_id IN"
            " (SELECT id FROM dunning_action WHERE run_id = %s)",
            [run.id],
        )
        keys = env.cr.fetchone()[0]
        env.cr.execute(
            "SELECT COUNT(*) FROM account_move_line aml JOIN account_move m"
            " ON m.id = aml.move_id WHERE aml.display_type = 'payment_term'"
            " AND NOT aml.reconciled AND aml.amount_residual > 0"
            " AND m.move_type = 'out_invoice' AND aml.parent_state = 'posted'"
        )
        open_lines = env.cr.fetchone()[0]
        customers, actions = run.partner_done, run.action_count
    emit(
        step="run",
        seconds=round(seconds, 2),
        queries=queries,
        batches=batches,
        customers=customers,
        actions=actions,
        items=keys,
        open_lines=open_lines,
    )


def step_second_day(args):
    """The next day's run after a first run (``run`` step) whose notices
    all went out: what a company pays every day when few levels change.

    The statistics are those autovacuum takes after the first run (its
    notices all waiting); the notices are then sent, so the planner
    believes sent notices rare, as it may the next morning."""
    with odoo_env(args.db) as env:
        company = env.company
        env.cr.execute("ANALYZE")
        env.cr.execute(
            "UPDATE dunning_action SET state = 'done',"
            " executed_date = now() at time zone 'UTC' WHERE state = 'to_review'"
        )
        env.invalidate_all()
        first = env["dunning.run"].search([], order="id desc", limit=1)
        tomorrow = first.date + timedelta(days=1)
        env.flush_all()
        # the first day's notices are sent before the second day starts
        env.cr.commit()
        # a server up since the first day has long built its registry's
        # field triggers (at its first write, 40 ms here): so does this
        # fresh process, before the timer
        env.registry.get_trigger_tree(list(env["dunning.action"]._fields.values()))
        queries = env.cr.sql_log_count
        started = time.time()
        run = env["dunning.run"].create(
            {"company_id": company.id, "trigger": "cron", "date": tomorrow}
        )
        env.cr.commit()
        batches = 0
        while run.state == "running":
            run.with_context(dunning_plan_only=True)._process_batch(
                company.dunning_batch_size
            )
            env.cr.commit()
            batches += 1
        env.flush_all()
        seconds = time.time() - started
        queries = env.cr.sql_log_count - queries
        customers, actions = run.partner_done, run.action_count
    emit(
        step="second_day",
        seconds=round(seconds, 2),
        queries=queries,
        batches=batches,
        customers=customers,
        actions=actions,
    )


def step_notices(args):
    """E-mail + letter + statement for a sample of customers, in one batch."""
    with odoo_env(args.db) as env:
        actions = env["dunning.action"].search(
            [("state", "=", "to_review")], limit=args.sample, order="id"
        )
        actions.write(
            {"send_email": True, "send_letter": True, "attach_statement": True}
        )
        env.flush_all()
        queries = env.cr.sql_log_count
        started = time.time()
        done = actions._execute()
        env.flush_all()
        seconds = time.time() - started
        queries = env.cr.sql_log_count - queries
        mails = env["mail.mail"].search_count([("state", "=", "outgoing")])
        pdfs = sum(
            1 for a in done if a.letter_attachment_id.mimetype == "application/pdf"
        )
        count, done = len(actions), len(done)
    emit(
        step="notices",
        seconds=round(seconds, 2),
        customers=count,
        done=done,
        per_customer=round(seconds / max(count, 1), 3),
        queries=queries,
        queries_per_customer=round(queries / max(count, 1), 1),
        mails_queued=mails,
        pdf_letters=pdfs,
    )


def _confirm_times(env, orders, patch_check):
    SaleOrder = type(env["sale.order"])
    original = getattr(SaleOrder, "_dunning_check_credit_hold", None)
    if patch_check and original:
        SaleOrder._dunning_check_credit_hold = lambda self: self.browse()
    try:
        times, queries = [], []
        for order in orders:
            env.flush_all()
            env.invalidate_all()
            count = env.cr.sql_log_count
            started = time.perf_counter()
            order.action_confirm()
            env.flush_all()
            times.append((time.perf_counter() - started) * 1000)
            queries.append(env.cr.sql_log_count - count)
        return statistics.median(times), statistics.median(queries)
    finally:
        if patch_check and original:
            SaleOrder._dunning_check_credit_hold = original


def _check_only(env, orders):
    times, queries = [], []
    for order in orders:
        env.invalidate_all()
        order.read(["partner_id", "company_id", "amount_total", "state", "currency_id"])
        count = env.cr.sql_log_count
        started = time.perf_counter()
        order._dunning_check_credit_hold()
        times.append((time.perf_counter() - started) * 1000)
        queries.append(env.cr.sql_log_count - count)
    return statistics.median(times), statistics.median(queries)


def step_confirm(args):
    """Median sale order confirmation with and without the hold check."""
    from odoo import Command

    with odoo_env(args.db) as env:
        product = env["product.product"].create(
            {"name": "Bench widget", "list_price": 10}
        )
        env.cr.execute(
            "SELECT id FROM res_partner WHERE name LIKE 'Bench %%' ORDER BY id LIMIT 1"
        )
        partner = env["res.partner"].browse(env.cr.fetchone()[0])

        def orders(count):
            return env["sale.order"].create(
                [
                    {
                        "partner_id": partner.id,
                        "order_line": [
                            Command.create({"product_id": product.id, "price_unit": 10})
                        ],
                    }
                    for _i in range(count)
                ]
            )

        with_check = _confirm_times(env, orders(args.count), patch_check=False)
        without = _confirm_times(env, orders(args.count), patch_check=True)
        check_ms, check_queries = _check_only(env, orders(args.count))
        env.cr.rollback()
    emit(
        step="confirm",
        with_check_ms=round(with_check[0], 2),
        without_check_ms=round(without[0], 2),
        check_only_ms=round(check_ms, 3),
        check_queries=check_queries,
        confirm_queries=with_check[1],
    )


# -- OCA ---------------------------------------------------------------------------


def step_oca_run(args):
    """OCA account_credit_control: a credit control run on the same data."""
    with odoo_env(args.db) as env:
        company = env.company
        policy = env.ref("account_credit_control.credit_control_3_time")
        receivables = env["account.account"].search(
            [
                ("account_type", "=", "asset_receivable"),
                ("company_ids", "in", company.ids),
            ]
        )
        policy.write(
            {"account_ids": [(6, 0, receivables.ids)], "company_id": company.id}
        )
        company.credit_policy_id = policy
        run = env["credit.control.run"].create(
            {"date": date.fromisoformat(args.today), "policy_ids": [(6, 0, policy.ids)]}
        )
        env.flush_all()
        queries = env.cr.sql_log_count
        started = time.time()
        run.generate_credit_lines()
        env.flush_all()
        seconds = time.time() - started
        queries = env.cr.sql_log_count - queries
        lines = len(run.line_ids)
    emit(step="oca_run", seconds=round(seconds, 2), queries=queries, lines=lines)


def step_oca_notices(args):
    """OCA: their communications (e-mail with PDF) for a sample of customers."""
    with odoo_env(args.db) as env:
        lines = env["credit.control.line"].search(
            [("state", "=", "draft"), ("channel", "=", "email")], order="id"
        )
        partners = lines.partner_id[: args.sample]
        lines = lines.filtered(lambda line: line.partner_id in partners)
        lines.write({"state": "to_be_sent"})
        env.flush_all()
        queries = env.cr.sql_log_count
        started = time.time()
        comms = env["credit.control.communication"]._generate_comm_from_credit_lines(
            lines
        )
        comms._generate_emails()
        env.flush_all()
        seconds = time.time() - started
        queries = env.cr.sql_log_count - queries
    emit(
        step="oca_notices",
        seconds=round(seconds, 2),
        customers=len(partners),
        per_customer=round(seconds / max(len(partners), 1), 3),
        queries=queries,
    )


# -- orchestration -------------------------------------------------------------------


def timed_install(db, modules, addons_path=None):
    rc = rc_file()
    args = [
        *odoo_bin(),
        "-c",
        rc,
        "-d",
        db,
        "-i",
        modules,
        "--stop-after-init",
        "--no-http",
        "--log-level=warn",
    ]
    if addons_path:
        args.append(f"--addons-path={addons_path}")
    started = time.time()
    subprocess.run(args, check=True, capture_output=True)
    return round(time.time() - started, 2)


def ensure_data(size, today):
    name = f"dunning_bench_{size}_data"
    key = f"dunning-bench {GENERATOR_VERSION} {size} {today}"
    if db_exists(name):
        comment = psql(
            "-c",
            f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{name}'",
        )
        if comment == key:
            return name, None
    copy_db("dunning_tpl_base", name)
    result = run_step(
        "generate", "--db", name, "--customers", str(size), "--today", today
    )
    psql("-c", "ANALYZE", db=name)  # as autovacuum would have by then
    psql("-c", f"COMMENT ON DATABASE \"{name}\" IS '{key}'")
    return name, result


def oca_addons_path():
    target = os.path.join(HERE, "..", "..", ".local", "oca")
    addons = os.path.join(target, "odoo", "addons")
    if not os.path.isdir(os.path.join(addons, "account_credit_control")):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "-q",
                "--no-deps",
                "--target",
                target,
                "odoo-addon-account-credit-control==18.0.*",
            ],
            check=True,
            capture_output=True,
        )
    src = os.environ.get("ODOO_SRC_DIR") or "/opt/odoo/18.0"
    return ",".join([f"{src}/addons", f"{src}/odoo/addons", os.path.abspath(addons)])


def bench_size(size, today, oca=True, sample=50, confirm_count=100):
    figures = {"size": size, "today": today}
    data_db, generated = ensure_data(size, today)
    figures["generate"] = generated
    ours = f"dunning_bench_{size}_ours"
    copy_db(data_db, ours)
    figures["install_seconds"] = timed_install(ours, OUR_ADDONS)
    figures["run"] = run_step("run", "--db", ours)
    figures["notices"] = run_step("notices", "--db", ours, "--sample", str(sample))
    figures["confirm"] = run_step(
        "confirm", "--db", ours, "--count", str(confirm_count)
    )
    drop_db(ours)
    if oca:
        theirs = f"dunning_bench_{size}_oca"
        try:
            path = oca_addons_path()
            copy_db(data_db, theirs)
            figures["oca_install_seconds"] = timed_install(
                theirs, "account_credit_control", addons_path=path
            )
            env = {"DUNNING_ADDONS_PATH": path}
            figures["oca_run"] = run_step(
                "oca-run", "--db", theirs, "--today", today, env=env
            )
            figures["oca_notices"] = run_step(
                "oca-notices", "--db", theirs, "--sample", str(sample), env=env
            )
        except Exception as exc:  # report, do not hide our own figures
            figures["oca_error"] = str(exc)
        finally:
            drop_db(theirs)
    return figures


def ratio(ours, theirs):
    return f"{ours / theirs:.3f}" if ours and theirs else "n/a"


def report(all_figures):
    lines = []
    for f in all_figures:
        run, notices, confirm = f["run"], f["notices"], f["confirm"]
        lines.append(
            f"== {f['size']} customers, {run['open_lines']} open receivable lines =="
        )
        lines.append(
            f"follow-up run (levels + actions): {run['seconds']} s, {run['queries']} queries "
            f"in {run['batches']} batches, {run['actions']} actions / {run['items']} items, "
            f"peak RSS {run['peak_rss_mb']} MB"
        )
        lines.append(
            f"notices (e-mail + letter + statement PDF): {notices['per_customer']} s/customer "
            f"over {notices['customers']}, {notices['queries_per_customer']} queries/customer, "
            f"{notices['pdf_letters']} PDF letters, peak RSS {notices['peak_rss_mb']} MB"
        )
        lines.append(
            f"install of our addons on the filled database: {f['install_seconds']} s"
        )
        lines.append(
            f"sale order confirmation (median of 100): {confirm['with_check_ms']} ms with the "
            f"hold check, {confirm['without_check_ms']} ms without; the check alone "
            f"{confirm['check_only_ms']} ms, {confirm['check_queries']} queries"
        )
        if f.get("oca_run"):
            o = f["oca_run"]
            lines.append(
                f"OCA credit control run: {o['seconds']} s, {o['queries']} queries, "
                f"{o['lines']} lines; ratio ours/theirs time {ratio(run['seconds'], o['seconds'])}, "
                f"queries {ratio(run['queries'], o['queries'])}"
            )
            lines.append(f"OCA install: {f['oca_install_seconds']} s")
        if f.get("oca_notices"):
            o = f["oca_notices"]
            lines.append(
                f"OCA notices: {o['per_customer']} s/customer; ratio ours/theirs "
                f"{ratio(notices['per_customer'], o['per_customer'])}"
            )
        if f.get("oca_error"):
            lines.append(f"OCA: not measured ({f['oca_error']})")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_all = sub.add_parser("all")
    p_all.add_argument("--sizes", default="1000,20000")
    p_all.add_argument("--no-oca", action="store_true")
    p_all.add_argument("--sample", type=int, default=50)
    p_all.add_argument("--json")
    p_all.add_argument("--today", default=date.today().isoformat())
    for name in (
        "generate",
        "post",
        "run",
        "second-day",
        "notices",
        "confirm",
        "oca-run",
        "oca-notices",
    ):
        p = sub.add_parser(name)
        p.add_argument("--db", required=True)
        p.add_argument("--customers", type=int, default=1000)
        p.add_argument("--today", default=date.today().isoformat())
        p.add_argument("--sample", type=int, default=50)
        p.add_argument("--count", type=int, default=100)
        p.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    if args.command != "all":
        steps = {
            "generate": step_generate,
            "post": step_post,
            "run": step_run,
            "second-day": step_second_day,
            "notices": step_notices,
            "confirm": step_confirm,
            "oca-run": step_oca_run,
            "oca-notices": step_oca_notices,
        }
        steps[args.command](args)
        return 0
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        results.append(
            bench_size(size, args.today, oca=not args.no_oca, sample=args.sample)
        )
        print(report(results[-1:]), flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
