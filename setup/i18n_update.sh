#!/usr/bin/env bash
# Refresh the translations after strings changed: export each addon's .pot
# from a database with the three addons installed, then merge the German
# and French .po files with it (new terms arrive untranslated, vanished ones
# are dropped) and print each file's coverage.  Translate the empty entries
# afterwards: tests/test_translation_files.py refuses an empty msgstr.
#
#   ./setup/i18n_update.sh            database dunning_i18n (made if missing,
#                                     else the addons are updated)
#   DUNNING_I18N_DB=name ./setup/i18n_update.sh   another database
#
# Needs gettext (msgmerge, msgattrib, msgfmt).
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LANGS=(de fr)
DB="${DUNNING_I18N_DB:-dunning_i18n}"
command -v msgmerge >/dev/null || die "msgmerge not found: install gettext (apt-get install gettext)"

prepare_all
if db_exists "$DB"; then
  say "updating our addons in $DB"
  odoo_bin -d "$DB" -u "$ADDONS" --stop-after-init --no-http \
    --logfile="${LOCAL_DIR}/i18n-${DB}.log" || die "update failed"
else
  ensure_template dunning_tpl_base "account,sale" 0
  say "fresh database $DB: installing $ADDONS"
  copy_db dunning_tpl_base "$DB"
  install_addons "$DB" "$ADDONS" "${LOCAL_DIR}/i18n-${DB}.log"
fi

for addon in ${ADDONS//,/ }; do
  dir="${REPO_ROOT}/${addon}/i18n"
  pot="${dir}/${addon}.pot"
  say "$addon: exporting $pot"
  odoo_bin -d "$DB" --i18n-export="$pot" --modules="$addon" --stop-after-init \
    --no-http --log-level=error || die "export of $addon failed"
  for lang in "${LANGS[@]}"; do
    po="${dir}/${lang}.po"
    if [[ -f "$po" ]]; then
      msgmerge --quiet --update --backup=none --no-fuzzy-matching "$po" "$pot"
      msgattrib --no-obsolete --output-file="$po" "$po"
    else
      msginit --no-translator --locale="$lang" --input="$pot" --output-file="$po"
    fi
    printf '%s/%s.po: ' "$addon" "$lang"
    msgfmt -c --check-format --statistics -o /dev/null "$po" 2>&1
  done
done
