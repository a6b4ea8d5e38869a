# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""pytest settings for the whole repository (the addons' Odoo tests and tests/).

- The browser tests (Odoo tours, ``HttpCase``) talk to an Odoo HTTP server
  that pytest-odoo starts with ``--odoo-http`` on a random port; parallel
  test runs on one machine each get their own port from
  ``DUNNING_HTTP_PORT`` instead, the port ``setup/`` writes in their config.
- A browser test that is skipped (no chromium, no websocket-client, no
  ``--odoo-http``) is reported as a failure: a suite whose tours did not run
  proves nothing about what a user sees.

- pytest-odoo imports ``odoo.tests`` as soon as it has read the Odoo
  configuration, where ``test_enable`` is still off (it switches test mode
  on only around the test modules, so that loading the registry does not run
  every addon's tests); Odoo then logs ``ERROR ... Importing test framework``
  with a stack on every run.  We import it first, in test mode, so a clean
  run prints no ERROR line.
"""

import os

import pytest

try:
    import pytest_odoo
except ImportError:  # tests/ alone, without Odoo
    pytest_odoo = None


def _import_test_framework_in_test_mode():
    from odoo.tools import config

    saved = config["test_enable"]
    config["test_enable"] = True
    try:
        import odoo.tests  # noqa: F401
    finally:
        config["test_enable"] = saved


if pytest_odoo is not None:
    _import_test_framework_in_test_mode()

if pytest_odoo is not None and os.environ.get("DUNNING_HTTP_PORT"):
    _PORT = int(os.environ["DUNNING_HTTP_PORT"])
    pytest_odoo._get_available_random_port = lambda: _PORT

if pytest_odoo is not None:

    @pytest.fixture(scope="session", autouse=True)
    def _http_statics_computed_once():
        """Odoo's HTTP server maps the addons' static folders on its first
        request, reading every manifest with ``ast.literal_eval``; a tour's
        browser makes its first requests at once, in several server threads,
        and on this project's Python (3.11.7) threads parsing at the same
        time can fail ("SystemError: AST constructor recursion depth
        mismatch": a tour fails at random).  Map them once, here, before any
        browser starts."""
        import odoo.http

        odoo.http.root.statics  # noqa: B018 (a lazy property: computed here)
        yield


BROWSER_HINT = (
    "a browser test was skipped ({reason}); the tours need Debian's chromium, "
    "the Python package websocket-client and pytest-odoo's --odoo-http: "
    "run ./setup/install.sh, then ./setup/test.sh"
)


def _is_browser_test(item):
    instance = getattr(item, "instance", None)
    if instance is None:
        return False
    from odoo.tests.common import HttpCase

    return isinstance(instance, HttpCase)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and pytest_odoo is not None and _is_browser_test(item):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        report.outcome = "failed"
        report.longrepr = BROWSER_HINT.format(reason=reason)
