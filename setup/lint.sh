#!/usr/bin/env bash
# Lint: ruff (lint + format check), pylint-odoo's mandatory checks and
# prettier (XML).  The same hooks are in .pre-commit-config.yaml as local
# hooks, so they need no network access to GitHub.
#   ./setup/lint.sh          check
#   ./setup/lint.sh --fix    let ruff and prettier rewrite what they can
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
FIX=0
[[ "${1:-}" == "--fix" ]] && FIX=1
BIN="${VENV}/bin"
cd "$REPO_ROOT"
status=0
if [[ "$FIX" == 1 ]]; then
  "$BIN/ruff" format -q . && "$BIN/ruff" check -q --fix . || status=1
else
  "$BIN/ruff" check . || status=1
  "$BIN/ruff" format --check -q . || status=1
fi
"$BIN/pylint" --rcfile=.pylintrc-mandatory dunning_followup dunning_escalation dunning_factoring || status=1
if ensure_prettier; then
  mode=--check
  [[ "$FIX" == 1 ]] && mode=--write
  "$PRETTIER" --plugin="$PRETTIER_XML" $mode --log-level warn "dunning_*/**/*.xml" || status=1
fi
[[ $status == 0 ]] && say "lint: clean"
exit $status
