#!/usr/bin/env bash
# Install whatever is missing: Odoo source, virtual environment, PostgreSQL,
# wkhtmltopdf, and the Odoo configuration in .local/odoo.conf.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
prepare_all
say "ready: ODOO_RC=$ODOO_RC_FILE"
