# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The bulk-SQL data of the benchmarks is what the ORM makes.

A few customers are made by the ORM (invoices, a payment in full, a payment
in part); the generator copies them in SQL.  Every copied row must equal its
ORM-made model, column by column, but for the remapped keys, the names made
unique and the dates shifted on purpose.
"""

import subprocess

import pytest

from conftest import ROOT

from .helpers import bench_env, db_exists, run_bench

pytestmark = pytest.mark.skipif(
    not db_exists("dunning_tpl_base"), reason="./setup/test.sh builds the template"
)


def test_copies_equal_their_orm_models():
    db = "dunning_bench_generator_check"
    subprocess.run(["dropdb", "--if-exists", "--force", db], check=True)
    subprocess.run(["createdb", "-T", "dunning_tpl_base", db], check=True)
    try:
        result = run_bench(
            "generate",
            "--db",
            db,
            "--customers",
            "7",
            "--today",
            "2026-06-30",
            "--check",
        )
    finally:
        subprocess.run(["dropdb", "--if-exists", "--force", db], check=True)
    assert result["differences"] == []
    assert result["invoices"] == 7 * 5
    # a third of the customers paid one invoice in full and one in part
    assert result["payment_states"]["paid"] == 2
    assert result["payment_states"]["partial"] == 2
    assert bench_env()["ODOO_RC"].endswith("odoo.conf")
    assert (ROOT / "tests" / "benchmarks" / "README.md").is_file()


def test_new_invoices_post_after_the_copies():
    """Odoo numbers new entries after the copies' (late-fee invoices and
    payments are posted on benchmark data): the copies are numbered as Odoo
    numbers, their prefixes follow their shifted dates across a new year."""
    db = "dunning_bench_generator_post"
    subprocess.run(["dropdb", "--if-exists", "--force", db], check=True)
    subprocess.run(["createdb", "-T", "dunning_tpl_base", db], check=True)
    try:
        generated = run_bench(
            "generate",
            "--db",
            db,
            "--customers",
            "7",
            "--today",
            "2026-01-05",
            "--check",
        )
        posted = run_bench("post", "--db", db, "--today", "2026-01-05")
    finally:
        subprocess.run(["dropdb", "--if-exists", "--force", db], check=True)
    assert generated["differences"] == []
    # the first and last accounting dates of the data and today: three
    # invoices in two years, each with a new number of its year
    names = posted["names"]
    assert len(names) == 3
    assert names[0].startswith("INV/2025/")
    assert names[-1].startswith("INV/2026/")
    assert posted["states"][-1] in ("paid", "in_payment")
    assert posted["payment"]
