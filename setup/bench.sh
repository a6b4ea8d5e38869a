#!/usr/bin/env bash
# Benchmarks: the follow-up run, the notices and the sale order hold check at
# scale, side by side with OCA's account_credit_control on the same data.
#   ./setup/bench.sh                         1,000 and 20,000 customers
#   ./setup/bench.sh --sizes 1000 --no-oca   a quick look
# See tests/benchmarks/README.md for what each figure means.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
prepare_all
ensure_template dunning_tpl_base "account,sale" 0
export ODOO_SRC_DIR ODOO_RC="$ODOO_RC_FILE"
exec "$(venv_python)" "${REPO_ROOT}/tests/benchmarks/bench.py" all "$@"
