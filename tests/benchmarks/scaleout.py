# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One follow-up run worked by one or several Odoo servers (issue 14, 2).

Usage (from the repository, with the virtualenv's python; the data template
``dunning_bench_<size>_data`` must exist, see bench.py)::

    python tests/benchmarks/scaleout.py --size 20000 \\
        --scenario one,two --prefix dunning_so_20k --json out.json

For each scenario, on a fresh copy of a prepared database (the template,
our addons installed, the daily cron's run made plan only: every level
waits for review, so a batch computes levels, writes the actions and
their (installment, level) keys and refreshes the customers' states, and
renders nothing):

- ``one``: one ``odoo-bin`` with ``--max-cron-threads=1``, "Follow-up
  workers" 1 (the daily cron alone);
- ``two``: two ``odoo-bin`` processes with one cron thread each,
  "Follow-up workers" 2 (the daily cron and worker 2);
- ``threads``: one ``odoo-bin`` with ``--max-cron-threads=2``, 2 workers;
- ``prefork``: one ``odoo-bin --workers=2 --max-cron-threads=2``, 2 workers;
- ``queue``: queue_job installed and chosen, one ``odoo-bin`` running
  queue_job's runner (``--load=base,web,queue_job``), channel
  ``root.dunning`` of capacity 2: the cron enqueues, the jobs work.

The daily cron is triggered as the kill -9 harness does (a trigger row and
``NOTIFY cron_trigger``; the cron threads are woken every second, as
Odoo's own ``ODOO_NOTIFY_CRON_CHANGES`` would after each pass of ten
batches); the time is from the trigger to the run's ``done``.  Then:
duplicates of the unique (installment, level) key, customers with more
than one action that day, the batches per worker, the mean time of a
batch (the servers' "Job ... done in" log lines, one per batch), and
the CPU seconds of the Odoo processes and of their PostgreSQL backends.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ODOO_SRC = os.environ.get("ODOO_SRC_DIR") or "/opt/odoo/18.0"
ADDONS = "dunning_followup,dunning_escalation,dunning_factoring"
CLOCK = os.sysconf("SC_CLK_TCK")

# the kill -9 harness's helpers: one way to start and reach a server
sys.path.insert(0, os.path.join(ROOT, "tests", "reliability"))
from harness import free_port, log, psql, wait_listening  # noqa: E402

CONFIGURE = """
policy = env["dunning.policy"]._get_company_default(env.company)
policy.write({"level_mode": "jump"})
env["dunning.level"].search([]).write({"auto_execute": False})
env["res.company"].search([]).write({"dunning_batch_size": %(batch)d})
main = env.ref("dunning_followup.ir_cron_dunning_run")
env["ir.cron"].search([("id", "!=", main.id)]).write({"active": False})
env["dunning.run"]._sync_worker_crons(%(workers)d)
crons = main | env["ir.cron"].union(*env["dunning.run"]._worker_crons().values())
# only the harness's trigger starts the run
crons.write({"nextcall": "2099-01-01 00:00:00", "active": True})
env.cr.commit()
"""

SCENARIOS = {
    "one": {"servers": 1, "workers": 1, "args": ["--max-cron-threads=1"]},
    "two": {"servers": 2, "workers": 2, "args": ["--max-cron-threads=1"]},
    "threads": {"servers": 1, "workers": 2, "args": ["--max-cron-threads=2"]},
    # queue_job installed and chosen: one job per batch, run by queue_job's
    # runner in the server (two at a time on root.dunning)
    "queue": {
        "servers": 1,
        "workers": 1,
        "args": ["--max-cron-threads=1", "--load=base,web,queue_job"],
        "queue": "root:2,root.dunning:2",
    },
    "prefork": {
        "servers": 1,
        "workers": 2,
        "args": ["--workers=2", "--max-cron-threads=2"],
    },
}


def copy_db(template, name, prefix):
    assert name.startswith(prefix), name  # only ours
    subprocess.run(["dropdb", "--if-exists", "--force", name], check=True)
    subprocess.run(["createdb", "-T", template, name], check=True)


def rc_file():
    return os.environ.get("ODOO_RC") or os.path.join(ROOT, ".local", "odoo.conf")


def odoo(*args, stdin=None, command=()):
    process = subprocess.run(
        [
            sys.executable,
            os.path.join(ODOO_SRC, "odoo-bin"),
            *command,
            "-c",
            rc_file(),
            *args,
        ],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if process.returncode:
        raise RuntimeError(process.stdout[-2000:] + process.stderr[-3000:])


def prepare(size, prefix, batch):
    """Our addons on a copy of the data template (once per day)."""
    name = f"{prefix}_base"
    key = f"scaleout {size} {batch} {date.today()}"
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
    if exists and psql(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
        f" WHERE datname = '{name}'"
    ).endswith(key):
        return name
    template = f"dunning_bench_{size}_data"
    if (
        psql(f"SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '{template}'")
        != "0"
    ):
        raise RuntimeError(f"someone is connected to {template}: try again later")
    copy_db(template, name, prefix)
    log(f"{name}: installing our addons")
    odoo("-d", name, "-i", ADDONS, "--stop-after-init", "--no-http")
    psql("ANALYZE", name)
    psql(f"COMMENT ON DATABASE \"{name}\" IS '{key}'")
    return name


class Server:
    def __init__(self, db, args, logfile, environ=None):
        self.db, self.args, self.logfile = db, args, logfile
        self.environ = {**os.environ, **(environ or {})}
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [
                sys.executable,
                os.path.join(ODOO_SRC, "odoo-bin"),
                "-c",
                rc_file(),
                "-d",
                self.db,
                f"--db-filter=^{self.db}$",
                "--http-interface=127.0.0.1",
                f"--http-port={self.port}",
                # prefork: its own port for the longpolling/gevent worker
                f"--gevent-port={free_port()}",
                f"--logfile={self.logfile}",
                "--log-level=info",
                *self.args,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env=self.environ,
        )
        wait_listening(self.process, self.port, self.logfile)

    def cpu_seconds(self):
        """User + system CPU of the server and its children (prefork)."""
        total = 0
        pids = [self.process.pid, *children(self.process.pid)]
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
            except (OSError, IndexError):
                pass
        return total / CLOCK

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def children(pid):
    try:
        out = subprocess.run(
            ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
        ).stdout
    except OSError:
        return []
    return [int(p) for p in out.split()]


def backend_cpu_seconds(db):
    total = 0
    for pid in psql(
        f"SELECT pid FROM pg_stat_activity WHERE datname = '{db}'"
        " AND pid <> pg_backend_pid()"
    ).split():
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            pass  # another user's cluster: not readable
    return total / CLOCK


def main_cron_id(db):
    return psql(
        "SELECT res_id FROM ir_model_data WHERE module = 'dunning_followup'"
        " AND name = 'ir_cron_dunning_run'",
        db,
    )


def run_scenario(base, prefix, name, spec, workdir, timeout, batch, wake=True):
    db = f"{prefix}_{name}"
    copy_db(base, db, prefix)
    configure = CONFIGURE % {"batch": batch, "workers": spec["workers"]}
    environ = {}
    if spec.get("queue"):
        odoo("-d", db, "-i", "queue_job", "--stop-after-init", "--no-http")
        configure += (
            'env["ir.config_parameter"].set_param("dunning_followup.use_queue_job",'
            ' "True")\nenv.cr.commit()\n'
        )
        environ["ODOO_QUEUE_JOB_CHANNELS"] = spec["queue"]
    odoo("-d", db, "--no-http", stdin=configure, command=("shell",))
    servers = [
        Server(db, spec["args"], os.path.join(workdir, f"{name}{i}.log"), environ)
        for i in range(spec["servers"])
    ]
    try:
        for server in servers:
            server.start()
        time.sleep(2)
        cpu_before = sum(server.cpu_seconds() for server in servers)
        load_before = os.getloadavg()[0]
        started = time.time()
        psql(
            "INSERT INTO ir_cron_trigger (cron_id, call_at)"
            f" VALUES ({main_cron_id(db)}, now() at time zone 'utc')",
            db,
        )
        state, samples, waiting = "", 0, 0
        psql(f"NOTIFY cron_trigger, '{db}'")
        while time.time() - started < timeout:
            if wake or not state:
                # until the run exists: a server's cron thread may not be
                # listening yet when its HTTP port answers
                psql(f"NOTIFY cron_trigger, '{db}'")
            state, waits = psql(
                "SELECT (SELECT state FROM dunning_run WHERE trigger = 'cron'),"
                " (SELECT COUNT(*) FROM pg_stat_activity WHERE datname ="
                f" '{db}' AND wait_event_type = 'Lock')",
                db,
            ).split("|")
            samples, waiting = samples + 1, waiting + int(waits)
            if state == "done":
                break
            time.sleep(0.5)
        seconds = time.time() - started
        if state != "done":
            raise RuntimeError(f"{db}: run not done after {timeout} s")
        figures = {
            "scenario": name,
            "servers": spec["servers"],
            "workers": spec["workers"],
            "args": " ".join(spec["args"]),
            "seconds_to_done": round(seconds, 1),
            "woken_every_second": wake,
            "odoo_cpu_s": round(
                sum(server.cpu_seconds() for server in servers) - cpu_before, 1
            ),
            "postgres_cpu_s": round(backend_cpu_seconds(db), 1),
            "load_average_1min_before": round(load_before, 2),
            "load_average_1min_after": round(os.getloadavg()[0], 2),
            # backends seen waiting on a lock, every half second
            "lock_wait_samples": f"{waiting} in {samples}",
        }
    finally:
        for server in servers:
            server.stop()
    figures.update(check(db))
    figures["batch_seconds"] = batch_times(servers)
    if spec.get("queue"):
        jobs, mean, top = psql(
            "SELECT COUNT(*), ROUND(AVG(exec_time)::numeric, 3),"
            " ROUND(MAX(exec_time)::numeric, 3) FROM queue_job"
            " WHERE identity_key LIKE 'dunning.run(%' AND state = 'done'",
            db,
        ).split("|")
        figures["batch_seconds"]["queue jobs"] = {
            "calls": int(jobs),
            "mean_s": float(mean or 0),
            "max_s": float(top or 0),
        }
        figures["jobs_not_done"] = int(
            psql(
                "SELECT COUNT(*) FROM queue_job WHERE identity_key LIKE"
                " 'dunning.run(%' AND state <> 'done'",
                db,
            )
        )
    return figures


def check(db):
    def one(sql):
        return int(psql(sql, db) or 0)

    by_worker = {}
    for line in psql(
        "SELECT regexp_replace(regexp_replace(worker, ' \\(.*', ''),"
        " '^job .*', 'queue jobs'), COUNT(*), SUM(partner_count)"
        " FROM dunning_run_batch GROUP BY 1 ORDER BY 1",
        db,
    ).splitlines():
        worker, batches, customers = line.split("|")
        by_worker[worker] = {"batches": int(batches), "customers": int(customers)}
    return {
        "customers": one(
            "SELECT partner_total FROM dunning_run WHERE trigger = 'cron'"
        ),
        "customers_processed": one("SELECT SUM(partner_count) FROM dunning_run_batch"),
        "actions": one("SELECT COUNT(*) FROM dunning_action"),
        "items": one("SELECT COUNT(*) FROM dunning_action_line"),
        "duplicate_items": one(
            "SELECT COUNT(*) FROM (SELECT move_line_id, level_id FROM"
            " dunning_action_line GROUP BY 1, 2 HAVING COUNT(*) > 1) d"
        ),
        "customers_with_two_actions": one(
            "SELECT COUNT(*) FROM (SELECT partner_id FROM dunning_action"
            " GROUP BY partner_id, company_id, date HAVING COUNT(*) > 1) d"
        ),
        "batches_by_worker": by_worker,
        "busy_customers_seen": one("SELECT SUM(busy_count) FROM dunning_run_batch"),
    }


JOB_DONE = re.compile(r"Job '([^']*)' \(\d+\) done in ([0-9.]+)s")


def batch_times(servers):
    """Mean and count of the cron calls' times per cron, from the logs."""
    times = {}
    for server in servers:
        with open(server.logfile, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                match = JOB_DONE.search(line)
                if match and "follow-up run" in match.group(1):
                    times.setdefault(match.group(1), []).append(float(match.group(2)))
    return {
        cron: {
            "calls": len(values),
            "mean_s": round(sum(values) / len(values), 3),
            "max_s": round(max(values), 3),
        }
        for cron, values in times.items()
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--scenario", default="one,two")
    parser.add_argument("--prefix", default="dunning_scaleout")
    parser.add_argument("--timeout", type=int, default=1800)
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument(
        "--no-wake",
        action="store_true",
        help="notify the cron threads until the run starts, not every second",
    )
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    workdir = tempfile.mkdtemp(prefix="dunning_scaleout_")
    base = prepare(args.size, args.prefix, args.batch)
    results = []
    for name in args.scenario.split(","):
        log(f"{name}: starting")
        figures = run_scenario(
            base,
            args.prefix,
            name,
            SCENARIOS[name],
            workdir,
            args.timeout,
            args.batch,
            wake=not args.no_wake,
        )
        log(json.dumps(figures))
        results.append(figures)
        if not args.keep:
            subprocess.run(["dropdb", "--force", f"{args.prefix}_{name}"], check=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(
                {"size": args.size, "logs": workdir, "results": results},
                handle,
                indent=1,
            )
    bad = [
        r for r in results if r["duplicate_items"] or r["customers_with_two_actions"]
    ]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
