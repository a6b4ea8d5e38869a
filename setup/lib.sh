#!/usr/bin/env bash
# Shared helpers for the setup scripts; sourced, never run directly.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL_DIR="${REPO_ROOT}/.local"
VENV="${DUNNING_VENV:-${REPO_ROOT}/.venv}"
ODOO_RC_FILE="${LOCAL_DIR}/odoo.conf"
# The filestore belongs with the databases, which are per server, not per
# checkout: a fresh clone reuses the template databases and their files.
DATA_DIR="${DUNNING_DATA_DIR:-${HOME:-/tmp}/.local/share/dunning-odoo}"
ADDONS="dunning_followup,dunning_escalation,dunning_factoring"
ODOO_BRANCH="18.0"
ODOO_REPO_URL="https://github.com/odoo/odoo.git"

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[1;33m[setup] warning:\033[0m %s\n' "$*" >&2; }
die() {
  printf '\033[1;31m[setup] error:\033[0m %s\n' "$*" >&2
  exit 1
}

# --- Odoo source ---------------------------------------------------------
find_odoo_src() {
  local candidate
  for candidate in "${ODOO_SRC:-}" /opt/odoo/18.0 "${REPO_ROOT}/.odoo"; do
    if [[ -n "$candidate" && -f "$candidate/odoo/release.py" ]]; then
      if grep -q "version_info = (18, 0" "$candidate/odoo/release.py"; then
        echo "$candidate"
        return 0
      fi
      [[ "$candidate" == "${ODOO_SRC:-}" ]] &&
        die "ODOO_SRC=$candidate is not an Odoo 18.0 source tree"
    fi
  done
  if [[ -n "${ODOO_SRC:-}" ]]; then
    die "ODOO_SRC=$ODOO_SRC has no odoo/release.py: point it at an Odoo 18.0 checkout"
  fi
  say "no Odoo 18.0 source found; trying a shallow clone of $ODOO_REPO_URL ($ODOO_BRANCH)"
  if timeout 900 git clone --quiet --depth 1 --branch "$ODOO_BRANCH" "$ODOO_REPO_URL" \
    "${REPO_ROOT}/.odoo.part" 2>/dev/null; then
    mv "${REPO_ROOT}/.odoo.part" "${REPO_ROOT}/.odoo"
    echo "${REPO_ROOT}/.odoo"
    return 0
  fi
  rm -rf "${REPO_ROOT}/.odoo.part"
  die "Odoo 18.0 source is needed and could not be cloned (no network?).
  Provide it in one of these ways, then run this command again:
    - export ODOO_SRC=/path/to/odoo   (a checkout of branch 18.0 of odoo/odoo)
    - put the source tree at /opt/odoo/18.0
    - git clone --depth 1 --branch 18.0 $ODOO_REPO_URL ${REPO_ROOT}/.odoo"
}

# --- Python virtual environment -------------------------------------------
venv_python() { echo "${VENV}/bin/python"; }

ensure_venv() {
  local odoo_src="$1" stamp want py
  py="${PYTHON:-python3}"
  command -v "$py" >/dev/null || die "python3 is needed (3.10 to 3.12)"
  "$py" -c 'import sys; sys.exit(not ((3, 10) <= sys.version_info[:2] <= (3, 12)))' ||
    die "Odoo 18.0 needs Python 3.10 to 3.12; $py is $("$py" --version 2>&1)"
  mkdir -p "$LOCAL_DIR"
  "$py" "${REPO_ROOT}/setup/odoo_requirements.py" "$odoo_src/requirements.txt" \
    >"${LOCAL_DIR}/requirements-odoo.txt"
  want="$(cat "${LOCAL_DIR}/requirements-odoo.txt" "${REPO_ROOT}/setup/requirements-dev.txt" |
    sha256sum | cut -c1-16) ${odoo_src}"
  stamp="${VENV}/.dunning-stamp"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && "${VENV}/bin/python" -c "import odoo; odoo.SUPERUSER_ID" 2>/dev/null; then
    say "virtual environment ${VENV#"${REPO_ROOT}"/} is up to date"
    return 0
  fi
  say "preparing the virtual environment ${VENV} (Odoo requirements, pytest-odoo, dev tools)"
  [[ -x "${VENV}/bin/python" ]] || "$py" -m venv "$VENV"
  local log="${LOCAL_DIR}/pip.log"
  {
    "${VENV}/bin/pip" install --disable-pip-version-check -q --upgrade pip wheel "setuptools<81" &&
      "${VENV}/bin/pip" install --disable-pip-version-check -q -r "${LOCAL_DIR}/requirements-odoo.txt" &&
      "${VENV}/bin/pip" install --disable-pip-version-check -q -r "${REPO_ROOT}/setup/requirements-dev.txt" &&
      # compat: Odoo's source goes on sys.path as a plain path, so that an
      # addon installed from PyPI (odoo-addon-*, which makes site-packages/odoo
      # a namespace folder) does not hide the odoo package
      "${VENV}/bin/pip" install --disable-pip-version-check -q --no-deps --no-build-isolation \
        --config-settings editable_mode=compat -e "$odoo_src"
  } >"$log" 2>&1 || {
    tail -n 30 "$log" >&2
    die "pip failed; the full log is in $log"
  }
  echo "$want" >"$stamp"
  say "virtual environment ready"
}

# --- PostgreSQL ----------------------------------------------------------
# Sets PGHOST/PGPORT/PGUSER for the rest of the script and for Odoo.
pg_answers() { pg_isready -q -h "$1" -p "$2" 2>/dev/null || psql -h "$1" -p "$2" -d postgres -Atc 'select 1' >/dev/null 2>&1; }

find_pg_bin() {
  local bin
  for bin in "$(command -v initdb 2>/dev/null || true)" /usr/lib/postgresql/*/bin/initdb; do
    [[ -n "$bin" && -x "$bin" ]] && {
      dirname "$bin"
      return 0
    }
  done
  return 1
}

ensure_postgres() {
  export PGUSER="${PGUSER:-$(id -un)}"
  if [[ -n "${PGHOST:-}" ]] && pg_answers "$PGHOST" "${PGPORT:-5432}"; then
    export PGPORT="${PGPORT:-5432}"
    say "PostgreSQL from PGHOST=$PGHOST:$PGPORT (user $PGUSER)"
    return 0
  fi
  local host
  for host in /var/run/postgresql 127.0.0.1; do
    if pg_answers "$host" "${PGPORT:-5432}" && psql -h "$host" -p "${PGPORT:-5432}" -d postgres -Atc 'select 1' >/dev/null 2>&1; then
      export PGHOST="$host" PGPORT="${PGPORT:-5432}"
      say "PostgreSQL answers on $PGHOST:$PGPORT (user $PGUSER)"
      return 0
    fi
  done
  start_private_cluster
}

start_private_cluster() {
  local data="${REPO_ROOT}/.pgdata" bindir owner run
  bindir="$(find_pg_bin)" || die "no PostgreSQL server answers and none is installed.
  Install one (Debian/Ubuntu: apt-get install postgresql) or point PGHOST/PGPORT/PGUSER at a server."
  export PGHOST="${data}/run" PGPORT="${DUNNING_PGPORT:-5439}"
  owner="$(id -un)"
  run=()
  if [[ "$(id -u)" == 0 ]]; then
    # PostgreSQL refuses to run as root: the cluster belongs to an unprivileged
    # account (postgres if it exists, else a dedicated 'dunning' user).
    owner=postgres
    id -u "$owner" >/dev/null 2>&1 || {
      owner=dunning
      id -u "$owner" >/dev/null 2>&1 || useradd --system --no-create-home "$owner"
    }
    run=(runuser -u "$owner" --)
  fi
  if [[ ! -f "${data}/PG_VERSION" ]]; then
    say "no PostgreSQL server answers: initialising a private cluster in .pgdata/ (owner $owner)"
    mkdir -p "$data"
    [[ "$(id -u)" == 0 ]] && chown "$owner" "$data"
    "${run[@]}" "$bindir/initdb" -D "$data" -A trust -U "$owner" >"${LOCAL_DIR}/initdb.log" 2>&1 ||
      die "initdb failed; see ${LOCAL_DIR}/initdb.log"
  fi
  mkdir -p "$PGHOST"
  [[ "$(id -u)" == 0 ]] && chown "$owner" "$PGHOST" "$data"
  if ! pg_answers "$PGHOST" "$PGPORT"; then
    say "starting the private PostgreSQL cluster (.pgdata/, port $PGPORT)"
    "${run[@]}" "$bindir/pg_ctl" -D "$data" -l "${data}/server.log" -w \
      -o "-k ${PGHOST} -p ${PGPORT} -c listen_addresses=''" start >/dev/null ||
      die "the private cluster did not start; see ${data}/server.log"
    say "stop it with: ${run[*]} $bindir/pg_ctl -D $data stop"
  fi
  if ! PGUSER="$owner" psql -d postgres -Atc "select 1 from pg_roles where rolname='$PGUSER'" | grep -q 1; then
    PGUSER="$owner" psql -q -d postgres -c "create role \"$PGUSER\" superuser login" ||
      die "could not create the database role $PGUSER"
  fi
  if [[ "$PGUSER" == postgres ]]; then
    # Odoo refuses to connect as 'postgres'.
    export PGUSER=odoo
    psql -U postgres -d postgres -Atc "select 1 from pg_roles where rolname='odoo'" | grep -q 1 ||
      psql -U postgres -q -d postgres -c 'create role odoo superuser login'
  fi
}

# --- wkhtmltopdf -----------------------------------------------------------
ensure_wkhtmltopdf() {
  command -v wkhtmltopdf >/dev/null && return 0
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    say "installing wkhtmltopdf (Debian package) for PDF letters"
    if (apt-get install -y -q wkhtmltopdf >/dev/null 2>&1 ||
      (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q wkhtmltopdf >/dev/null 2>&1)); then
      return 0
    fi
  fi
  warn "wkhtmltopdf is missing: PDF letters and statements fall back to HTML. Install it with your package manager."
}

# --- headless browser (Odoo tours) ---------------------------------------------
# The browser tests (HttpCase.start_tour) drive Debian's chromium through its
# DevTools websocket (Python package websocket-client).  Without them Odoo
# skips the tours, and test.sh fails on skipped tours: install both here.
ensure_browser() {
  if ! command -v chromium >/dev/null && ! command -v google-chrome >/dev/null; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
      say "installing chromium (Debian package) for the browser tours"
      apt-get install -y -q chromium >/dev/null 2>&1 ||
        (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1) ||
        warn "apt-get could not install chromium"
    fi
    command -v chromium >/dev/null || command -v google-chrome >/dev/null ||
      warn "chromium is missing: the browser tours cannot run and ./setup/test.sh fails. Install it with your package manager."
  fi
  # kept out of requirements-dev.txt on purpose: that file keys the
  # virtualenv's stamp, and the tours need only this one small package
  if ! "$(venv_python)" -c "import websocket" 2>/dev/null; then
    say "installing websocket-client (Odoo talks to chromium through it)"
    "${VENV}/bin/pip" install --disable-pip-version-check -q websocket-client >/dev/null 2>&1 ||
      warn "pip could not install websocket-client: the browser tours cannot run"
  fi
}

# --- addons for the tests ------------------------------------------------------
# OCA addons our addons can use without depending on them (queue_job): the
# test database installs them so the tests of that path run.  Like
# websocket-client, kept out of requirements-dev.txt: that file keys the
# virtualenv's stamp and is installed before Odoo, whose package these
# addons' metadata requires (hence --no-deps; their other requirements are
# Odoo's own).
TEST_ADDONS="queue_job"

ensure_test_addons() {
  local req="${REPO_ROOT}/setup/requirements-test-addons.txt"
  if ! "${VENV}/bin/pip" show -q odoo-addon-queue_job >/dev/null 2>&1; then
    say "installing the test addons of $(basename "$req") (queue_job)"
    "${VENV}/bin/pip" install --disable-pip-version-check -q --no-deps -r "$req" >/dev/null 2>&1 ||
      warn "pip could not install queue_job: its tests are skipped"
  fi
}

# The addons a test database gets besides ours, those that are installed.
test_addons() {
  "${VENV}/bin/pip" show -q odoo-addon-queue_job >/dev/null 2>&1 && echo ",${TEST_ADDONS}"
  return 0
}

# --- Odoo configuration -----------------------------------------------------
write_odoo_conf() {
  local odoo_src="$1"
  mkdir -p "$DATA_DIR"
  cat >"$ODOO_RC_FILE" <<CONF
; generated by setup/ on every run: edit setup/lib.sh instead
[options]
addons_path = ${odoo_src}/addons,${odoo_src}/odoo/addons,${REPO_ROOT}
data_dir = ${DATA_DIR}
db_host = ${PGHOST}
db_port = ${PGPORT}
db_user = ${PGUSER}
db_password = False
admin_passwd = admin
http_port = ${DUNNING_HTTP_PORT:-8069}
without_demo = False
max_cron_threads = 1
log_level = info
CONF
  # The tests need Odoo's test mode; the server must not run in it.
  sed -e 's/^log_level = info/log_level = warn/' "$ODOO_RC_FILE" >"${LOCAL_DIR}/odoo-test.conf"
  echo "test_enable = True" >>"${LOCAL_DIR}/odoo-test.conf"
  export ODOO_RC="$ODOO_RC_FILE"
}

odoo_bin() { "$(venv_python)" "$ODOO_SRC_DIR/odoo-bin" -c "$ODOO_RC_FILE" "$@"; }

db_exists() { psql -d postgres -Atc "select 1 from pg_database where datname='$1'" | grep -q 1; }

# Prepare everything; sets ODOO_SRC_DIR.
prepare_all() {
  ODOO_SRC_DIR="$(find_odoo_src)"
  say "Odoo 18.0 source: $ODOO_SRC_DIR"
  ensure_venv "$ODOO_SRC_DIR"
  migrate_old_data_dir
  ensure_postgres
  ensure_wkhtmltopdf
  ensure_browser
  ensure_test_addons
  write_odoo_conf "$ODOO_SRC_DIR"
}

# --- databases ---------------------------------------------------------------
# A template database per set of Odoo modules and demo flag, so that test and
# demo databases are copies made in seconds instead of fresh installs.
template_key() {
  # odoo release + source path + modules + demo flag
  printf '%s|%s|%s|%s' "$(sha256sum "$ODOO_SRC_DIR/odoo/release.py" | cut -c1-12)" \
    "$ODOO_SRC_DIR" "$1" "$2" | sha256sum | cut -c1-10
}

# ensure_template NAME MODULES DEMO(0|1)
ensure_template() {
  local name="$1" modules="$2" demo="$3" key comment
  key="$(template_key "$modules" "$demo")"
  comment="$(psql -d postgres -Atc "select shobj_description(oid, 'pg_database') from pg_database where datname='$name'" 2>/dev/null || true)"
  if [[ "$comment" == "dunning-template $key" && -d "${DATA_DIR}/filestore/$name" ]]; then
    say "template database $name is up to date ($modules)"
    return 0
  fi
  db_exists "$name" && dropdb "$name"
  say "building template database $name with $modules (demo=$demo); the first time takes a few minutes"
  local demo_flag=()
  [[ "$demo" == 1 ]] || demo_flag=(--without-demo=all)
  : >"${LOCAL_DIR}/template-${name}.log"
  odoo_bin -d "$name" -i "$modules" "${demo_flag[@]}" --stop-after-init --no-http \
    --log-level=warn --logfile="${LOCAL_DIR}/template-${name}.log" ||
    die "installing $modules into $name failed; see ${LOCAL_DIR}/template-${name}.log"
  psql -q -d postgres -c "comment on database \"$name\" is 'dunning-template $key'"
}

# copy_db TEMPLATE NAME: a fresh copy (drops NAME first).
copy_db() {
  db_exists "$2" && dropdb --force "$2"
  createdb -T "$1" "$2"
  # the filestore travels with the database
  rm -rf "${DATA_DIR}/filestore/$2"
  if [[ -d "${DATA_DIR}/filestore/$1" ]]; then
    cp -r "${DATA_DIR}/filestore/$1" "${DATA_DIR}/filestore/$2"
  fi
}

# install_addons DB MODULES LOGFILE: install, then fail on any WARNING/ERROR
# that one of our addons (or the install of their data) writes to the log.
install_addons() {
  local db="$1" modules="$2" log="$3"
  : >"$log"
  odoo_bin -d "$db" -i "$modules" --stop-after-init --no-http --logfile="$log" ||
    die "installing $modules failed; see $log"
  check_log "$log"
}

check_log() {
  local log="$1" bad
  # Lines from our addons' loggers, or from the loader/registry while it loads
  # our data files, that are WARNING or worse.
  bad="$(grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (WARNING|ERROR|CRITICAL) ' "$log" |
    grep -E 'odoo\.addons\.dunning_|dunning_(followup|escalation|factoring)' || true)"
  if [[ -n "$bad" ]]; then
    printf '%s\n' "$bad" >&2
    die "our addons wrote warnings or errors to the log while installing ($log)"
  fi
}

# --- prettier (XML) ------------------------------------------------------------
# Installed with npm under .local/node; without npm the XML check is skipped
# with a warning (ruff and pylint still run).
ensure_prettier() {
  local dir="${LOCAL_DIR}/node"
  PRETTIER="${dir}/node_modules/.bin/prettier"
  PRETTIER_XML="${dir}/node_modules/@prettier/plugin-xml/src/plugin.js"
  if [[ -x "$PRETTIER" && -f "$PRETTIER_XML" ]]; then
    return 0
  fi
  if ! command -v npm >/dev/null; then
    warn "npm is missing: the XML format check (prettier) is skipped"
    return 1
  fi
  say "installing prettier and its XML plugin under .local/node"
  mkdir -p "$dir"
  npm install --silent --no-audit --no-fund --prefix "$dir" prettier@3.3.3 @prettier/plugin-xml@3.4.1 >/dev/null 2>&1 || {
    warn "npm could not install prettier: the XML format check is skipped"
    return 1
  }
}

# Earlier versions kept the filestore under .local/data; carry it over once.
migrate_old_data_dir() {
  local old="${LOCAL_DIR}/data/filestore" db
  [[ -d "$old" ]] || return 0
  mkdir -p "${DATA_DIR}/filestore"
  for db in "$old"/*; do
    [[ -d "$db" && ! -e "${DATA_DIR}/filestore/$(basename "$db")" ]] &&
      cp -r "$db" "${DATA_DIR}/filestore/"
  done
  rm -rf "${LOCAL_DIR}/data"
}
