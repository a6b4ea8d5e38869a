# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The short form of the kill -9 harness: a small data set, one real
``odoo-bin`` server SIGKILLed three times during the follow-up run, the
notices and the mail queue.  Fails on any notice lost or duplicated, any
mail lost, any late-fee invoice without its charges, any run left running,
or an end state other than the uninterrupted run's.

The seed is printed (and taken from ``DUNNING_REL_SEED`` when set) so a
failure can be replayed: ``python tests/reliability/harness.py --size 60
--kills 3 --scenario single --seed <seed>``.
"""

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT

HARNESS = ROOT / "tests" / "reliability" / "harness.py"
SIZE = os.environ.get("DUNNING_REL_SIZE", "60")


def _db_exists(name):
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


pytestmark = pytest.mark.skipif(
    not _db_exists("dunning_tpl_base"), reason="./setup/test.sh builds the template"
)


def _server_rc():
    """The server configuration, not the test-mode one (no mail is sent
    in test mode)."""
    env = dict(os.environ)
    env["ODOO_RC"] = str(ROOT / ".local" / "odoo.conf")
    return env


def test_three_kills_lose_and_duplicate_nothing(tmp_path):
    out = tmp_path / "figures.json"
    args = [
        sys.executable,
        str(HARNESS),
        "--size",
        SIZE,
        "--kills",
        "3",
        "--scenario",
        "single",
        "--timeout",
        "400",
        "--json",
        str(out),
    ]
    if os.environ.get("DUNNING_REL_SEED"):
        args += ["--seed", os.environ["DUNNING_REL_SEED"]]
    process = subprocess.run(
        args, capture_output=True, text=True, env=_server_rc(), check=False
    )
    print(process.stdout[-4000:])
    assert out.exists(), process.stdout[-3000:] + process.stderr[-3000:]
    figures = json.loads(out.read_text())
    single = figures["single"]
    assert figures["reference"]["notices"] > 0, "the data set made no notice"
    assert single["kills"], "no kill happened: the work ended before the first one"
    assert single["item_duplicates"] == 0
    assert single["mails_lost"] == 0
    assert single["notices"] == figures["reference"]["notices"]
    assert single["mails_expected"] == figures["reference"]["mails_expected"]
    assert not single["problems"], single["problems"]
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
