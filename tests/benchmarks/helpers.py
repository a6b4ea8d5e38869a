# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Run the benchmark script from the tests, with the server configuration
(not the test-mode one: the benchmarks measure real rendering)."""

import json
import os
import subprocess
import sys

from conftest import ROOT

BENCH = ROOT / "tests" / "benchmarks" / "bench.py"


def bench_env():
    env = dict(os.environ)
    env["ODOO_RC"] = str(ROOT / ".local" / "odoo.conf")
    return env


def db_exists(name):
    result = subprocess.run(
        [
            "psql",
            "-d",
            "postgres",
            "-Atc",
            f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() == "1"


def run_bench(*args):
    process = subprocess.run(
        [sys.executable, str(BENCH), *args],
        capture_output=True,
        text=True,
        env=bench_env(),
        check=False,
    )
    for line in process.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise AssertionError(process.stdout[-3000:] + process.stderr[-3000:])
