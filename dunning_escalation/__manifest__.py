# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Dunning Escalation",
    "summary": "Late fees, statutory interest, credit holds and payment plans",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/dunning-odoo/dunning",
    "author": "Dunning for Odoo developers",
    "license": "LGPL-3",
    "depends": ["dunning_followup", "sale"],
    "data": [
        "security/dunning_escalation_security.xml",
        "security/ir.model.access.csv",
        "security/dunning_escalation_rules.xml",
        "views/dunning_level_views.xml",
        "views/dunning_partner_state_views.xml",
        "views/res_partner_views.xml",
        "views/sale_order_views.xml",
        "views/res_config_settings_views.xml",
        "wizard/dunning_credit_hold_views.xml",
        "views/dunning_escalation_menus.xml",
    ],
    "installable": True,
}
