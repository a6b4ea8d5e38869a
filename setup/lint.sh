#!/usr/bin/env bash
# Lint: ruff (lint + format check) and pylint-odoo's mandatory checks.  The
# same hooks are in .pre-commit-config.yaml as local hooks (no network).
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN="${VENV}/bin"
cd "$REPO_ROOT"
status=0
"$BIN/ruff" check . || status=1
"$BIN/ruff" format --check . || status=1
"$BIN/pylint" --rcfile=.pylintrc-mandatory dunning_followup dunning_escalation dunning_factoring || status=1
exit $status
