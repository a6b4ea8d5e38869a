# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Repository-level tests: they read the addons' files; none needs Odoo,
except the benchmark smoke test, which builds its own database."""

import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
ADDONS = ("dunning_followup", "dunning_escalation", "dunning_factoring")


@pytest.fixture(scope="session")
def root():
    return ROOT
