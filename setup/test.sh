#!/usr/bin/env bash
# Run every test: repository checks, lint, and the addons' Odoo tests on a
# fresh database (pytest-odoo).  Exits non-zero on any failure, and on any
# WARNING/ERROR our addons write to the log while installing.
#
#   ./setup/test.sh                 everything
#   ./setup/test.sh --lint          lint only
#   ./setup/test.sh --no-lint       skip lint
#   ./setup/test.sh --keep          reuse the test database if it exists
#   ./setup/test.sh --no-matrix     skip installing each addon alone / with demo
#   ./setup/test.sh -- ARGS         extra pytest arguments (e.g. -k promise)
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LINT=1 ODOO_TESTS=1 KEEP=0 MATRIX=1 EXTRA=()
while [[ $# -gt 0 ]]; do
  case "$1" in
  --lint) ODOO_TESTS=0 ;;
  --no-lint) LINT=0 ;;
  --keep) KEEP=1 MATRIX=0 ;;
  --no-matrix) MATRIX=0 ;;
  --) shift; EXTRA=("$@"); break ;;
  -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
  *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

START=$(date +%s)
prepare_all
PY="$(venv_python)"
TEST_DB="${DUNNING_TEST_DB:-dunning_test}"
status=0

if [[ "$LINT" == 1 ]]; then
  say "lint: ruff, pylint-odoo (mandatory checks)"
  "${REPO_ROOT}/setup/lint.sh" || status=1
fi

if [[ "$ODOO_TESTS" == 1 ]]; then
  ensure_template dunning_tpl_base "account,sale" 0
  # with queue_job (when pip has it) so that the tests of our queue path
  # run; the matrix below installs our addons without it
  EXTRA_ADDONS="$(test_addons)"
  if [[ "$KEEP" == 1 ]] && db_exists "$TEST_DB"; then
    say "reusing database $TEST_DB (--keep): updating our addons"
    install_flag=()
    [[ -n "$EXTRA_ADDONS" ]] && install_flag=(-i "${EXTRA_ADDONS#,}")
    odoo_bin -d "$TEST_DB" -u "$ADDONS" "${install_flag[@]}" --stop-after-init --no-http \
      --logfile="${LOCAL_DIR}/install-${TEST_DB}.log" || die "update failed"
  else
    say "fresh test database $TEST_DB: installing ${ADDONS}${EXTRA_ADDONS}"
    copy_db dunning_tpl_base "$TEST_DB"
    install_addons "$TEST_DB" "${ADDONS}${EXTRA_ADDONS}" "${LOCAL_DIR}/install-${TEST_DB}.log"
  fi
  if [[ "$MATRIX" == 1 ]]; then
    # Each addon installs alone (with its dependencies), and all three install
    # on a database with demo data; every install log must be clean.
    for addon in ${ADDONS//,/ }; do
      say "install matrix: $addon alone, without demo data"
      copy_db dunning_tpl_base "dunning_matrix_${addon}"
      install_addons "dunning_matrix_${addon}" "$addon" "${LOCAL_DIR}/install-matrix-${addon}.log"
      dropdb --force "dunning_matrix_${addon}"
    done
    ensure_template dunning_tpl_demo "account,sale_management" 1
    say "install matrix: all addons with demo data"
    copy_db dunning_tpl_demo dunning_matrix_demo
    install_addons dunning_matrix_demo "$ADDONS" "${LOCAL_DIR}/install-matrix-demo.log"
    dropdb --force dunning_matrix_demo
  fi
  say "running the tests (pytest-odoo on $TEST_DB, and tests/)"
  cd "$REPO_ROOT"
  set +e
  ODOO_RC="${LOCAL_DIR}/odoo-test.conf" DUNNING_TEST_DB="$TEST_DB" "$PY" -m pytest -p no:cacheprovider --odoo-database="$TEST_DB" \
    --odoo-log-level=warn --odoo-http \
    dunning_followup dunning_escalation dunning_factoring tests "${EXTRA[@]}"
  rc=$?
  set -e
  # 5 = no test collected: a failure too, a suite that runs nothing proves nothing
  [[ $rc == 0 ]] || status=1
fi

say "done in $(($(date +%s) - START)) s"
exit $status
