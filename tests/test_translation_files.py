# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The shipped German and French translations: every addon has them, they
cover every term of its ``.pot``, and each translation keeps the
placeholders, QWeb expressions and HTML tags of its source, so Odoo formats
and renders it as it does the English."""

import re
import shutil
import subprocess

import pytest

from conftest import ADDONS, ROOT

polib = pytest.importorskip("polib")

LANGS = ("de", "fr")
# %(name)s, %s, %d, %%, {{ expression }}, and every HTML / QWeb tag with
# its attributes (t-out, t-if, style...)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|%%|\{\{.*?\}\}|<[^>]+>", re.DOTALL)


def po_files():
    return [(addon, lang) for addon in ADDONS for lang in LANGS]


def load(addon, lang):
    path = ROOT / addon / "i18n" / f"{lang}.po"
    assert path.exists(), f"{path.relative_to(ROOT)} is missing"
    return polib.pofile(str(path))


@pytest.mark.parametrize(("addon", "lang"), po_files())
def test_po_is_complete(addon, lang):
    """No empty, fuzzy or obsolete entry, and every term of the .pot is
    there (run setup/i18n_update.sh after changing strings)."""
    po = load(addon, lang)
    assert po.metadata["Language"] == lang
    empty = [e.msgid[:60] for e in po if not e.msgstr]
    assert not empty, f"{len(empty)} untranslated terms, e.g. {empty[:5]}"
    assert not [e.msgid[:60] for e in po.fuzzy_entries()]
    assert not [e.msgid[:60] for e in po.obsolete_entries()]
    pot = polib.pofile(str(ROOT / addon / "i18n" / f"{addon}.pot"))
    missing = {e.msgid for e in pot} - {e.msgid for e in po}
    assert not missing, f"not in {lang}.po: {sorted(missing)[:5]}"


@pytest.mark.parametrize(("addon", "lang"), po_files())
def test_po_keeps_placeholders(addon, lang):
    wrong = [
        e.msgid[:60]
        for e in load(addon, lang)
        if sorted(PLACEHOLDER.findall(e.msgid)) != sorted(PLACEHOLDER.findall(e.msgstr))
    ]
    assert not wrong, f"placeholders or tags differ: {wrong}"


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="gettext is not installed")
@pytest.mark.parametrize(("addon", "lang"), po_files())
def test_po_compiles(addon, lang):
    path = ROOT / addon / "i18n" / f"{lang}.po"
    result = subprocess.run(
        ["msgfmt", "-c", "--check-format", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
