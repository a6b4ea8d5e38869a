# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Dunning Factoring",
    "summary": "Hand receivables over to factoring companies and collection agencies",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/dunning-odoo/dunning",
    "author": "Dunning for Odoo developers",
    "license": "LGPL-3",
    "depends": ["dunning_followup"],
    "external_dependencies": {"python": ["xlsxwriter", "lxml"]},
    "data": [
        "security/dunning_factoring_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/mail_template_data.xml",
        "views/dunning_agency_views.xml",
        "views/dunning_export_batch_views.xml",
        "views/res_config_settings_views.xml",
        "wizard/dunning_export_import_views.xml",
        "wizard/dunning_write_off_views.xml",
        "views/dunning_factoring_menus.xml",
    ],
    "assets": {
        "web.assets_tests": ["dunning_factoring/static/tests/tours/*.js"],
    },
    "installable": True,
}
