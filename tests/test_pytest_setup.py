# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The repository's pytest set-up (conftest.py at the root)."""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent

pytest.importorskip("odoo")


def test_test_framework_imported_without_error():
    """pytest-odoo imports odoo.tests before switching test mode on; Odoo then
    logged 'ERROR ... Importing test framework' with a stack on every run.
    The root conftest imports it first, in test mode."""
    code = (
        "import sys; sys.path.insert(0, %r); import conftest; "
        "from odoo.tests.case import TestCase" % str(ROOT)
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Importing test framework" not in result.stderr, result.stderr
