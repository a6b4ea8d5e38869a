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
    "data": [],
    "installable": True,
}
