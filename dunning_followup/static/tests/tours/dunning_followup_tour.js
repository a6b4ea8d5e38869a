/** @odoo-module */
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// Browser tests of the follow-up screens, run by tests/test_tours.py.

import {registry} from "@web/core/registry";

// Records the report actions the web client executes (and lets them run),
// so that a tour can tell that a button returned a PDF report.
window.__dunningReports = [];
registry.category("ir.actions.report handlers").add("dunning_tour_spy", (action) => {
    window.__dunningReports.push(action.report_name);
    return false;
});

const CUSTOMER = "Tour Customer";

registry.category("web_tour.tours").add("dunning_followup_tour", {
    url: "/odoo/action-dunning_followup.dunning_partner_state_action",
    steps: () => [
        {
            content: "The customer to follow up is listed",
            trigger: `.o_list_view .o_data_row td[name=partner_id]:contains(${CUSTOMER})`,
            run: "click",
        },
        {
            content: "Clicking the row opens the customer's follow-up",
            trigger: `.o_form_view .o_field_widget[name=partner_id]:contains(${CUSTOMER})`,
        },
        {
            trigger: ".o_form_view button[name=action_dunning_promise]",
        },
        {
            content: "Back to the list",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "Select the customer",
            trigger: `.o_data_row:contains(${CUSTOMER}) .o_list_record_selector input`,
            run: "click",
        },
        {
            content: "Open the Actions menu",
            trigger: ".o_cp_action_menus i.fa-cog",
            run: "click",
        },
        {
            content: "Follow up from the Actions menu",
            trigger: ".o-dropdown--menu .o_menu_item:contains(Follow up)",
            run: "click",
        },
        {
            content: "The wizard has a title, not 'Odoo'",
            trigger: ".modal .modal-title:contains(Follow up customers)",
        },
        {
            trigger: `.modal .o_field_widget[name=partner_ids]:contains(${CUSTOMER})`,
        },
        {
            content: "Print the letters",
            trigger: ".modal-footer button[name=action_print]",
            run: "click",
        },
        {
            content: "The wizard closes once the PDF is downloaded",
            trigger: "body:not(:has(.modal))",
            run() {
                const printed = window.__dunningReports;
                if (!printed.includes("dunning_followup.report_dunning_letter")) {
                    throw new Error(
                        `Print letters returned no letter report: ${JSON.stringify(printed)}`
                    );
                }
            },
        },
        {
            content: "Still on the list: no list of actions opened",
            trigger: `.o_list_view .o_data_row:contains(${CUSTOMER})`,
        },
    ],
});

registry.category("web_tour.tours").add("dunning_promise_tour", {
    steps: () => [
        {
            content: "The invoice has a Promise to pay button",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_dunning_promise]",
            run: "click",
        },
        {
            content: "The promise is pre-filled with the overdue invoices",
            trigger: ".modal .o_field_widget[name=move_ids] .o_data_row:nth-child(2)",
        },
        {
            trigger: ".modal .o_field_widget[name=amount] input",
            run: "edit 450",
        },
        {
            content: "Save the promise",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
    ],
});
