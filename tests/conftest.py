# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Repository-level tests: they read the addons' files; none needs a
database, except the benchmark smoke test, which builds its own.  The check
that Odoo's test loader selects every test method imports Odoo (configured
by pytest-odoo in ``./setup/test.sh``)."""

import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
ADDONS = ("dunning_followup", "dunning_escalation", "dunning_factoring")


@pytest.fixture(scope="session")
def root():
    return ROOT
