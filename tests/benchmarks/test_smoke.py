# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The benchmark harness works end to end at a small size (no timing is
asserted: figures on a shared CI machine mean nothing)."""

import json
import subprocess
import sys

import pytest

from .helpers import BENCH, bench_env, db_exists

pytestmark = pytest.mark.skipif(
    not db_exists("dunning_tpl_base"), reason="./setup/test.sh builds the template"
)


def test_harness_at_small_size(tmp_path):
    out = tmp_path / "figures.json"
    process = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "all",
            "--sizes",
            "1000",
            "--no-oca",
            "--sample",
            "10",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=bench_env(),
        check=False,
    )
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    (figures,) = json.loads(out.read_text())
    assert figures["run"]["customers"] == 1000
    assert figures["run"]["actions"] > 0
    assert figures["run"]["open_lines"] > 3000
    assert figures["notices"]["done"] == 10
    assert figures["confirm"]["check_queries"] <= 2
    assert "follow-up run" in process.stdout
