# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Kill -9 harness: the follow-up survives a real Odoo server killed at
random moments, two servers at once, and the wizard racing the cron.

Usage (from the repository, with the virtualenv's python)::

    python tests/reliability/harness.py --size 5000 --kills 20 --seed 7
    python tests/reliability/harness.py --size 200 --kills 3 --scenario all

What it does, for each scenario:

1. builds (once, cached by the addons' sources) ``dunning_rel_data_<size>``:
   a copy of ``dunning_tpl_base`` with the benchmark's customers
   (``tests/benchmarks/bench.py generate``), our addons installed and a
   policy whose levels all send e-mail at once, one with a fixed late fee
   on posted late-fee invoices;
2. runs the reference: a copy of it, one ``odoo-bin`` server, the daily
   cron and the mail queue triggered, never interrupted;
3. runs the scenario on another copy: ``odoo-bin`` servers
   (``--max-cron-threads=1``, outgoing mail to the harness's own SMTP sink)
   SIGKILLed after a random delay (seeded RNG, seed printed), restarted,
   ``--kills`` times; then left to finish;
4. checks and prints: each (installment, level) once; every notice of the
   reference exists; every notice e-mail reached the sink, each Message-Id
   once (copies resent by Odoo's mail queue after a kill between the SMTP
   acceptance and its commit are counted apart: the documented "at most
   once per Message-Id" case); every late-fee invoice has its charges and
   no charge is invoiced twice; no run left running; the same business
   columns as the reference.

Scenarios: ``single`` (one server killed), ``two`` (two servers on the
database, one of them killed each time), ``wizard`` (one server killed
while the wizard sends to customers through XML-RPC).

Exit status 0 when no notice is lost or duplicated and the end state is
the reference's; 1 otherwise.  ``--json`` writes the figures.
"""

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xmlrpc.client
from collections import Counter
from datetime import date

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from smtp_sink import SmtpSink  # noqa: E402

ADDONS = ("dunning_followup", "dunning_escalation", "dunning_factoring")
DB_PREFIX = "dunning_rel_"
ODOO_SRC = os.environ.get("ODOO_SRC_DIR") or "/opt/odoo/18.0"
DATA_DIR = os.environ.get("DUNNING_DATA_DIR") or os.path.expanduser(
    "~/.local/share/dunning-odoo"
)

CONFIGURE = """
policy = env.ref("dunning_followup.dunning_policy_default")
policy.write({"level_mode": "jump", "fee_move_state": "posted"})
for level in policy.level_ids:
    level.write({"send_letter": False, "attach_statement": False,
                 "auto_execute": True})
for xmlid in ("dunning_followup.dunning_level_call",):
    env.ref(xmlid).write({"send_email": True, "activity_type_id": False,
        "mail_template_id": env.ref("dunning_followup.dunning_level_first")
        .mail_template_id.id})
env.ref("dunning_followup.dunning_level_first").write(
    {"fee_type": "fixed", "fee_amount": 10.0})
env.company.dunning_batch_size = %(batch)d
keep = [env.ref(x).id for x in (
    "dunning_followup.ir_cron_dunning_run",
    "mail.ir_cron_mail_scheduler_action")]
env["ir.cron"].search([("id", "not in", keep)]).write({"active": False})
env["ir.cron"].browse(keep).write({"active": True})
env["res.users"].browse(2).groups_id |= env.ref(
    "dunning_followup.group_dunning_manager")
env.cr.commit()
"""


# -- processes and databases ----------------------------------------------------


def log(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def psql(sql, db="postgres"):
    return subprocess.run(
        ["psql", "-d", db, "-Atqc", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def rows(db, sql):
    out = psql(sql, db)
    return [tuple(line.split("|")) for line in out.splitlines() if line]


def db_exists(name):
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


def drop_db(name):
    assert name.startswith(DB_PREFIX), name  # only ours
    if db_exists(name):
        subprocess.run(["dropdb", "--force", name], check=True)
    shutil.rmtree(os.path.join(DATA_DIR, "filestore", name), ignore_errors=True)


_COPYING = threading.Lock()


def copy_db(template, name):
    drop_db(name)
    with _COPYING:  # a template copied by one CREATE DATABASE at a time
        subprocess.run(["createdb", "-T", template, name], check=True)
    source = os.path.join(DATA_DIR, "filestore", template)
    if os.path.isdir(source):
        shutil.copytree(source, os.path.join(DATA_DIR, "filestore", name))


def write_rc(workdir):
    """A server configuration from the project's, with this checkout's
    addons and without the test mode (in test mode Odoo sends no mail)."""
    base = os.environ.get("ODOO_RC") or os.path.join(ROOT, ".local", "odoo.conf")
    if not os.path.exists(base):
        sys.exit(
            f"{base} not found: run ./setup/test.sh (or ./setup/run.sh) once, "
            "or point ODOO_RC at an Odoo configuration"
        )
    lines = []
    with open(base, encoding="utf-8") as handle:
        for line in handle:
            key = line.split("=", 1)[0].strip()
            if key in ("test_enable", "addons_path", "log_level", "data_dir"):
                continue
            lines.append(line.rstrip("\n"))
    lines.append(f"addons_path = {ODOO_SRC}/addons,{ODOO_SRC}/odoo/addons,{ROOT}")
    lines.append(f"data_dir = {DATA_DIR}")
    lines.append("log_level = info")
    rc = os.path.join(workdir, "odoo.conf")
    with open(rc, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return rc


def odoo(rc, *args, stdin=None, command=()):
    process = subprocess.run(
        [sys.executable, os.path.join(ODOO_SRC, "odoo-bin"), *command, "-c", rc, *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if process.returncode:
        raise RuntimeError(process.stdout[-2000:] + process.stderr[-3000:])
    return process.stdout


def sources_key(size, batch):
    digest = hashlib.sha256()
    for addon in ADDONS:
        for folder, _dirs, files in sorted(os.walk(os.path.join(ROOT, addon))):
            for name in sorted(files):
                if name.endswith((".py", ".xml", ".csv")):
                    with open(os.path.join(folder, name), "rb") as handle:
                        digest.update(handle.read())
    digest.update(CONFIGURE.encode())
    return f"dunning-rel {size} {batch} {date.today()} {digest.hexdigest()[:16]}"


def ensure_data(rc, size, batch):
    name = f"{DB_PREFIX}data_{size}"
    key = sources_key(size, batch)
    if db_exists(name):
        comment = psql(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
            f" WHERE datname = '{name}'"
        )
        if comment == key:
            return name
    log(f"building {name}: {size} customers, our addons, the harness policy")
    copy_db("dunning_tpl_base", name)
    env = {**os.environ, "ODOO_RC": rc}
    subprocess.run(
        [
            sys.executable,
            os.path.join(ROOT, "tests", "benchmarks", "bench.py"),
            "generate",
            "--db",
            name,
            "--customers",
            str(size),
            "--today",
            date.today().isoformat(),
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    odoo(rc, "-d", name, "-i", ",".join(ADDONS), "--stop-after-init", "--no-http")
    odoo(
        rc,
        "-d",
        name,
        "--no-http",
        command=("shell",),
        stdin=CONFIGURE % {"batch": batch},
    )
    psql("ANALYZE", name)
    psql(f"COMMENT ON DATABASE \"{name}\" IS '{key}'")
    return name


def wait_listening(process, port, logfile, timeout=120):
    """Return once the server ``process`` accepts connections on ``port``."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"odoo-bin exited; see {logfile}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"odoo-bin did not listen on {port}")


class Server:
    """One ``odoo-bin`` process on ``db``, killed with SIGKILL."""

    def __init__(self, rc, db, port, smtp_port, logfile):
        self.rc, self.db, self.port, self.smtp_port = rc, db, port, smtp_port
        self.logfile = logfile
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [
                sys.executable,
                os.path.join(ODOO_SRC, "odoo-bin"),
                "-c",
                self.rc,
                "-d",
                self.db,
                f"--db-filter=^{self.db}$",
                "--http-interface=127.0.0.1",
                f"--http-port={self.port}",
                "--max-cron-threads=1",
                "--smtp=127.0.0.1",
                "--email-from=credit@harness.example.com",
                f"--smtp-port={self.smtp_port}",
                f"--logfile={self.logfile}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_listening(self.process, self.port, self.logfile)

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def kill(self):
        if self.alive():
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self):
        if self.alive():
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- driving the work ------------------------------------------------------------------


def cron_ids(db):
    ids = dict(
        rows(
            db,
            "SELECT name, res_id FROM ir_model_data WHERE (module, name) IN"
            " (('dunning_followup', 'ir_cron_dunning_run'),"
            " ('mail', 'ir_cron_mail_scheduler_action'))",
        )
    )
    return {
        "run": ids["ir_cron_dunning_run"],
        "mail": ids["ir_cron_mail_scheduler_action"],
    }


def trigger(db, crons):
    """As ``ir.cron._trigger`` does: a trigger row and a NOTIFY.  A row,
    not an update of the job's ``nextcall``: a running job holds its row."""
    values = ", ".join(f"({cid}, now() at time zone 'utc')" for cid in crons)
    psql(f"INSERT INTO ir_cron_trigger (cron_id, call_at) VALUES {values}", db)
    wake(db)


def wake(db):
    """Wake the servers' cron threads now (they poll every minute)."""
    psql(f"NOTIFY cron_trigger, '{db}'")


def work_left(db):
    """Why the work is not over yet, or '' when it is."""
    today = date.today().isoformat()
    state = rows(
        db,
        "SELECT"
        f" (SELECT COUNT(*) FROM dunning_run WHERE trigger = 'cron' AND date = '{today}'),"
        " (SELECT COUNT(*) FROM dunning_run WHERE state = 'running'),"
        " (SELECT COUNT(*) FROM mail_mail WHERE state = 'outgoing')",
    )[0]
    runs, running, outgoing = map(int, state)
    if not runs:
        return "no run yet"
    if running:
        return "run running"
    if outgoing:
        return f"{outgoing} mails outgoing"
    return ""


def phase(db):
    """What the server's transactions are doing right now, from their SQL."""
    queries = " ".join(
        q
        for (q,) in rows(
            db,
            "SELECT regexp_replace(left(query, 400), '[|\\n]', ' ', 'g')"
            f" FROM pg_stat_activity WHERE datname = '{db}' AND state <> 'idle'"
            " AND pid <> pg_backend_pid()",
        )
    ).lower()
    if not work_left(db).startswith("run"):
        return "mail queue" if queries.strip() else "idle (mail queue)"
    for needle, name in (
        ("dunning_charge", "late-fee invoicing"),
        ('insert into "account_move', "late-fee invoicing"),
        ("insert into account_move", "late-fee invoicing"),
        ("mail_", "notice rendering"),
        ("ir_attachment", "notice rendering"),
        ("dunning_partner_state", "follow-up run"),
        ("dunning_action", "follow-up run"),
        ("ir_cron", "cron bookkeeping"),
    ):
        if needle in queries:
            return name
    return "idle" if not queries.strip() else "other"


def wizard_sends(port, db, partner_ids, figures, chunk=20):
    """The wizard's Send for chunks of customers, through XML-RPC, as a
    collector would click it while the cron works; a chunk cut by a kill
    is sent again once the server is back."""
    url = f"http://127.0.0.1:{port}/xmlrpc/2/"
    for start in range(0, len(partner_ids), chunk):
        ids = partner_ids[start : start + chunk]
        for _attempt in range(60):
            try:
                common = xmlrpc.client.ServerProxy(url + "common")
                uid = common.authenticate(db, "admin", "admin", {})
                models = xmlrpc.client.ServerProxy(url + "object", allow_none=True)
                wizard = models.execute_kw(
                    db,
                    uid,
                    "admin",
                    "dunning.followup",
                    "create",
                    [{"partner_ids": [(6, 0, ids)]}],
                )
                models.execute_kw(
                    db, uid, "admin", "dunning.followup", "action_send", [[wizard]]
                )
                figures["sent"] += len(ids)
                break
            except xmlrpc.client.Fault as fault:
                # nothing due left (the cron was first), or customers busy
                figures["refused"] += len(ids)
                figures["faults"][fault.faultString.strip().splitlines()[-1][:120]] += 1
                break
            except (OSError, xmlrpc.client.ProtocolError):
                figures["cut_by_kill"] += 1  # the server was killed under it
                time.sleep(1)


# -- checks ------------------------------------------------------------------------------

BUSINESS = {
    "actions": "SELECT a.partner_id, a.level_id, a.state, a.date, a.send_email,"
    " a.amount_due FROM dunning_action a",
    "items": "SELECT l.move_line_id, l.level_id, a.partner_id FROM dunning_action_line l"
    " JOIN dunning_action a ON a.id = l.action_id",
    "charges": "SELECT c.kind, c.move_id, c.level_id, c.partner_id, c.amount, c.state,"
    " c.fee_move_id IS NOT NULL FROM dunning_charge c",
    "fee_invoices": "SELECT m.partner_id, m.amount_total, m.state, m.payment_state,"
    " m.move_type FROM account_move m WHERE m.dunning_action_id IS NOT NULL",
}


def end_state(db):
    return {name: Counter(rows(db, sql)) for name, sql in BUSINESS.items()}


def diff_states(ours, ref):
    out = {}
    for name in BUSINESS:
        missing = ref[name] - ours[name]
        extra = ours[name] - ref[name]
        out[name] = {
            "missing": sum(missing.values()),
            "extra": sum(extra.values()),
            "sample": [list(r) for r in list(missing)[:3] + list(extra)[:3]],
        }
    return out


def check(db, sink, ref_state):
    figures = {}
    figures["item_duplicates"] = int(
        psql(
            "SELECT COUNT(*) FROM (SELECT move_line_id, level_id FROM"
            " dunning_action_line GROUP BY 1, 2 HAVING COUNT(*) > 1) d",
            db,
        )
    )
    figures["notices"] = int(psql("SELECT COUNT(*) FROM dunning_action", db))
    figures["notices_not_done"] = dict(
        rows(
            db,
            "SELECT state, COUNT(*) FROM dunning_action WHERE state <> 'done'"
            " GROUP BY 1",
        )
    )
    expected = {
        mid
        for (mid,) in rows(
            db,
            "SELECT m.message_id FROM dunning_action a JOIN mail_message m"
            " ON m.id = a.message_id WHERE a.state = 'done' AND a.send_email",
        )
    }
    on_wire = sink.message_ids()
    figures["mails_expected"] = len(expected)
    figures["mails_on_wire"] = sink.total()
    figures["mails_lost"] = len(expected - set(on_wire))
    figures["mails_unknown"] = len(set(on_wire) - expected)
    figures["mails_resent_same_message_id"] = sum(
        times - 1 for times in sink.deliveries.values() if times > 1
    )
    figures["mails_left_in_queue"] = int(
        psql("SELECT COUNT(*) FROM mail_mail WHERE state <> 'sent'", db)
    )
    figures["fee_invoices_without_charges"] = int(
        psql(
            "SELECT COUNT(*) FROM account_move m WHERE m.dunning_action_id IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM dunning_charge c WHERE c.fee_move_id = m.id)",
            db,
        )
    )
    # a charge is on one invoice (one column); invoiced twice would show as
    # fee invoices whose total differs from their charges' sum
    figures["fee_invoices_not_matching_charges"] = int(
        psql(
            "SELECT COUNT(*) FROM account_move m WHERE m.dunning_action_id IS NOT NULL"
            " AND m.amount_total <> (SELECT COALESCE(SUM(c.amount), 0)"
            " FROM dunning_charge c WHERE c.fee_move_id = m.id)",
            db,
        )
    )
    figures["charges_pending"] = int(
        psql("SELECT COUNT(*) FROM dunning_charge WHERE state = 'pending'", db)
    )
    figures["runs_running"] = int(
        psql("SELECT COUNT(*) FROM dunning_run WHERE state = 'running'", db)
    )
    figures["runs"] = dict(
        rows(db, "SELECT state, COUNT(*) FROM dunning_run GROUP BY 1")
    )
    if ref_state is not None:
        figures["vs_reference"] = diff_states(end_state(db), ref_state)
    return figures


def verdict(figures, reference=True):
    problems = []
    for key in (
        "item_duplicates",
        "mails_lost",
        "mails_unknown",
        "mails_left_in_queue",
        "fee_invoices_without_charges",
        "fee_invoices_not_matching_charges",
        "charges_pending",
        "runs_running",
    ):
        if figures.get(key):
            problems.append(f"{key}={figures[key]}")
    if figures.get("notices_not_done"):
        problems.append(f"notices_not_done={figures['notices_not_done']}")
    if reference and figures.get("vs_reference"):
        for name, diff in figures["vs_reference"].items():
            if diff["missing"] or diff["extra"]:
                problems.append(
                    f"{name}: {diff['missing']} missing, {diff['extra']} extra "
                    f"vs reference {diff['sample']}"
                )
    return problems


# -- scenarios ----------------------------------------------------------------------------


def poke(db, crons):
    """Wake the cron threads; once the run is over, trigger the mail queue
    while mails wait in it (as the harness triggers the run at start)."""
    left = work_left(db)
    if left.endswith("mails outgoing") and not psql(
        f"SELECT 1 FROM ir_cron_trigger WHERE cron_id = {crons['mail']} LIMIT 1", db
    ):
        trigger(db, [crons["mail"]])
    else:
        wake(db)
    return left


def wait_done(db, servers, timeout, crons):
    """Let the servers finish; after a minute without progress of the run,
    trigger its job as an operator would (counted: it should not be needed)."""
    started = last_change = time.time()
    nudges, last = 0, None
    while time.time() - started < timeout:
        left = poke(db, crons)
        if not left:
            return time.time() - started, nudges
        progress = (left, psql("SELECT COUNT(*) FROM dunning_action", db))
        if progress != last:
            last, last_change = progress, time.time()
        elif time.time() - last_change > 60:
            trigger(db, [crons["run"]])
            nudges += 1
            last_change = time.time()
        for server in servers:
            if not server.alive():
                server.start()
        time.sleep(1)
    raise RuntimeError(f"{db}: not finished after {timeout} s ({work_left(db)})")


def run_scenario(rc, data_db, name, kills, rng, span, workdir, timeout):
    db = data_db.replace("_data_", "_") + f"_{name}"
    copy_db(data_db, db)
    crons = cron_ids(db)
    figures = {"scenario": name, "kills_asked": kills, "kills": []}
    with SmtpSink() as sink:
        count = 2 if name == "two" else 1
        servers = [
            Server(
                rc, db, free_port(), sink.port, os.path.join(workdir, f"{name}{i}.log")
            )
            for i in range(count)
        ]
        started = time.time()
        for server in servers:
            server.start()
        trigger(db, crons.values())
        wizard_partners = []
        if name == "wizard":
            wizard_partners = [
                int(p)
                for (p,) in rows(
                    db,
                    "SELECT DISTINCT commercial_partner_id FROM account_move"
                    " WHERE move_type = 'out_invoice' AND payment_state"
                    " IN ('not_paid', 'partial') ORDER BY 1 DESC LIMIT 200",
                )
            ]
            figures["wizard"] = {"sent": 0, "refused": 0, "cut_by_kill": 0}
            figures["wizard"]["faults"] = Counter()
            wizard = threading.Thread(
                target=wizard_sends,
                args=(servers[0].port, db, wizard_partners, figures["wizard"]),
                daemon=True,
            )
            wizard.start()
        try:
            for _k in range(kills):
                if not work_left(db):
                    break
                delay = rng.uniform(1.0, span)
                deadline = time.time() + delay
                while time.time() < deadline:
                    poke(db, crons)
                    time.sleep(min(1.0, max(deadline - time.time(), 0)))
                victim = rng.choice(servers)
                moment = phase(db)
                victim.kill()
                figures["kills"].append(
                    {"after_s": round(delay, 1), "phase": moment, "left": work_left(db)}
                )
                log(
                    f"{name}: kill {len(figures['kills'])} after {delay:.1f} s in {moment}"
                )
                time.sleep(rng.uniform(0, 1.0))
                victim.start()
            if wizard_partners:
                wizard.join(600)
            seconds, nudges = wait_done(db, servers, timeout, crons)
            figures["final_uninterrupted_s"] = round(seconds, 1)
            figures["operator_nudges"] = nudges
            figures["total_s"] = round(time.time() - started, 1)
        finally:
            for server in servers:
                server.stop()
        return db, sink, figures


def reference(rc, data_db, workdir, timeout):
    db = data_db.replace("_data_", "_") + "_reference"
    copy_db(data_db, db)
    crons = cron_ids(db)
    with SmtpSink() as sink:
        server = Server(
            rc, db, free_port(), sink.port, os.path.join(workdir, "ref.log")
        )
        server.start()
        started = time.time()
        trigger(db, crons.values())
        try:
            wait_done(db, [server], timeout, crons)
        finally:
            server.stop()
        seconds = time.time() - started
        state = end_state(db)
        figures = check(db, sink, None)
    figures["seconds"] = round(seconds, 1)
    return db, state, figures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=5000, help="customers")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--batch", type=int, default=0, help="batch size (size/20)")
    parser.add_argument(
        "--scenario", default="all", help="single, two, wizard or all (comma list)"
    )
    parser.add_argument("--timeout", type=int, default=3600)
    parser.add_argument(
        "--span",
        type=float,
        default=0,
        help="seconds: kill within this delay after each start, and run the "
        "reference at the same time (default: after it, span from its length)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(10**6)
    log(f"seed {seed} (rerun with --seed {seed})")
    rng = random.Random(seed)
    batch = args.batch or max(args.size // 20, 10)
    scenarios = (
        ["single", "two", "wizard"]
        if args.scenario == "all"
        else args.scenario.split(",")
    )
    workdir = tempfile.mkdtemp(prefix="dunning_rel_")
    rc = write_rc(workdir)
    data_db = ensure_data(rc, args.size, batch)
    results = {"seed": seed, "size": args.size, "batch": batch, "logs": workdir}
    if args.span:
        # the reference runs alongside the scenarios (wall time halved on a
        # machine with two cores or more); kills spread over ``--span``
        ref_result = {}

        def run_reference():
            db, state, figures = reference(rc, data_db, workdir, args.timeout)
            ref_result.update(db=db, state=state, figures=figures)

        ref_thread = threading.Thread(target=run_reference, daemon=True)
        ref_thread.start()
        span = args.span
    else:
        ref_db, ref_state, ref_figures = reference(rc, data_db, workdir, args.timeout)
        ref_result = {"db": ref_db, "state": ref_state, "figures": ref_figures}
        # kills spread over about the length of an uninterrupted run
        span = max(3.0, 1.5 * ref_figures["seconds"] / max(args.kills, 1))
    failed = False
    dbs = []
    runs = []
    for name in scenarios:
        db, sink, figures = run_scenario(
            rc, data_db, name, args.kills, rng, span, workdir, args.timeout
        )
        dbs.append(db)
        figures.update(check(db, sink, None))
        runs.append((db, sink, figures))
    if args.span:
        ref_thread.join(args.timeout)
        if "figures" not in ref_result:
            raise RuntimeError("the reference run failed; see its log above")
    results["reference"] = ref_result["figures"]
    dbs.append(ref_result["db"])
    log(f"reference: {json.dumps(ref_result['figures'], default=str)}")
    for db, _sink, figures in runs:
        name = figures["scenario"]
        figures["vs_reference"] = diff_states(end_state(db), ref_result["state"])
        problems = verdict(figures, reference=True)
        figures["problems"] = problems
        failed = failed or bool(problems)
        results[name] = figures
        log(f"{name}: {json.dumps(figures, default=str)}")
        log(f"{name}: {'FAILED ' + '; '.join(problems) if problems else 'OK'}")
    if not args.keep:
        for db in dbs:
            drop_db(db)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2, default=str)
    print("RESULT " + json.dumps(results, default=str), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
