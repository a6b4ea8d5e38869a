#!/usr/bin/env bash
# The demo: a database with the three addons and demo data (customers with
# invoices not yet due, days, weeks and months late, some partly paid), the
# daily follow-up run once, then Odoo at http://localhost:8069 (admin/admin).
#
#   ./setup/run.sh               demo database + server
#   ./setup/run.sh --no-server   demo database + summary, then exit
#   ./setup/run.sh --reset       drop and rebuild the demo database first
# Environment: DUNNING_DEMO_DB (default dunning_demo), DUNNING_HTTP_PORT (8069).
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SERVER=1 RESET=0
while [[ $# -gt 0 ]]; do
  case "$1" in
  --no-server) SERVER=0 ;;
  --reset) RESET=1 ;;
  -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
  *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

START=$(date +%s)
prepare_all
DB="${DUNNING_DEMO_DB:-dunning_demo}"
STAMP_FILE="${LOCAL_DIR}/${DB}.addons-hash"
addons_hash() {
  (cd "$REPO_ROOT" && find dunning_followup dunning_escalation dunning_factoring -type f \
    \( -name '*.py' -o -name '*.xml' -o -name '*.csv' \) -print0 | sort -z | xargs -0 sha256sum |
    sha256sum | cut -c1-16)
}

if [[ "$RESET" == 1 ]] && db_exists "$DB"; then
  say "dropping $DB (--reset)"
  dropdb --force "$DB"
  rm -f "$STAMP_FILE"
fi
if ! db_exists "$DB"; then
  ensure_template dunning_tpl_demo "account,sale_management" 1
  say "creating the demo database $DB"
  copy_db dunning_tpl_demo "$DB"
  install_addons "$DB" "$ADDONS" "${LOCAL_DIR}/install-${DB}.log"
  addons_hash >"$STAMP_FILE"
elif [[ "$(cat "$STAMP_FILE" 2>/dev/null)" != "$(addons_hash)" ]]; then
  say "the addons changed since $DB was built: updating them"
  odoo_bin -d "$DB" -u "$ADDONS" --stop-after-init --no-http \
    --logfile="${LOCAL_DIR}/update-${DB}.log" || die "update failed; see ${LOCAL_DIR}/update-${DB}.log"
  addons_hash >"$STAMP_FILE"
else
  say "demo database $DB is up to date"
fi

say "running the daily follow-up once"
"$(venv_python)" "${REPO_ROOT}/setup/demo_summary.py" "$ODOO_RC_FILE" "$DB"
say "ready in $(($(date +%s) - START)) s"

if [[ "$SERVER" == 1 ]]; then
  say "serving Odoo at http://localhost:${DUNNING_HTTP_PORT:-8069} (login admin / admin); Ctrl-C stops it"
  exec "$(venv_python)" "$ODOO_SRC_DIR/odoo-bin" -c "$ODOO_RC_FILE" -d "$DB" --db-filter="^${DB}\$"
fi
