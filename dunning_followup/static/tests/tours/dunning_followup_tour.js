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

// Accounting > Configuration > Follow-ups > Follow-up policies: a manager
// adds a level to the policy.
registry.category("web_tour.tours").add("dunning_configure_level_tour", {
    steps: () => [
        {
            content: "Open the Configuration menu",
            trigger: ".o_main_navbar [data-menu-xmlid='account.menu_finance_configuration']",
            run: "click",
        },
        {
            content: "Follow-up policies",
            trigger: ".dropdown-item[data-menu-xmlid='dunning_followup.dunning_policy_menu']",
            run: "click",
        },
        {
            content: "Open the policy",
            trigger: ".o_list_view .o_data_row td[name=name]:contains(Test policy)",
            run: "click",
        },
        {
            content: "The levels are listed by days",
            trigger: ".o_field_widget[name=level_ids] .o_data_row:contains(Reminder)",
        },
        {
            content: "Add a level",
            trigger: ".o_field_widget[name=level_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=name] input",
            run: "edit Last call",
        },
        {
            trigger: ".modal .o_field_widget[name=days] input",
            run: "edit 60",
        },
        {
            content: "No e-mail at this level: a letter",
            trigger: ".modal .o_field_widget[name=send_email] input:checked",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=send_letter] input:not(:checked)",
            run: "click",
        },
        {
            content: "Save the level",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The new level is in the ladder",
            trigger:
                "body:not(:has(.modal)) .o_field_widget[name=level_ids] .o_data_row:contains(Last call)",
        },
        {
            content: "Save the policy",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_form_saved",
        },
    ],
});

// A collector follows up a customer from the list and sends the notice.
registry.category("web_tour.tours").add("dunning_wizard_send_tour", {
    steps: () => [
        {
            content: "The row's Follow up button opens the wizard",
            trigger: `.o_data_row:contains(${CUSTOMER}) button[name=action_followup]`,
            run: "click",
        },
        {
            trigger: `.modal .o_field_widget[name=partner_ids]:contains(${CUSTOMER})`,
        },
        {
            content: "The preview shows the customer's notice",
            trigger: `.modal .o_field_widget[name=preview] h4:contains(${CUSTOMER})`,
        },
        {
            content: "Send",
            trigger: ".modal-footer button[name=action_send]",
            run: "click",
        },
        {
            content: "The wizard closes",
            trigger: "body:not(:has(.modal))",
        },
    ],
});

// The reports open: aging pivot and graph, DSO graph, effectiveness graph,
// then a collector's day.
registry.category("web_tour.tours").add("dunning_dashboards_tour", {
    steps: () => [
        {
            content: "The aging opens as a pivot, with the customer's 450.00 overdue",
            trigger: ".o_pivot th:contains(1-30)",
        },
        {
            trigger: ".o_pivot td:contains(450.00)",
        },
        {
            content: "and as a graph",
            trigger: ".o_switch_view.o_graph",
            run: "click",
        },
        {
            trigger: ".o_graph_renderer canvas",
        },
        {
            trigger: ".o_main_navbar [data-menu-xmlid='account.menu_finance_reports']",
            run: "click",
        },
        {
            content: "Days sales outstanding",
            trigger: ".dropdown-item[data-menu-xmlid='dunning_followup.dunning_dso_report_menu']",
            run: "click",
        },
        {
            trigger: ".o_graph_renderer canvas",
        },
        {
            trigger: ".o_breadcrumb:contains(Days sales outstanding)",
        },
        {
            trigger: ".o_main_navbar [data-menu-xmlid='account.menu_finance_reports']",
            run: "click",
        },
        {
            content: "Follow-up effectiveness",
            trigger:
                ".dropdown-item[data-menu-xmlid='dunning_followup.dunning_effectiveness_report_menu']",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb:contains(Follow-up effectiveness)",
        },
        {
            trigger: ".o_graph_renderer canvas",
        },
        {
            trigger: ".o_main_navbar [data-menu-xmlid='account.menu_finance_receivables']",
            run: "click",
        },
        {
            content: "Today",
            trigger: ".dropdown-item[data-menu-xmlid='dunning_followup.dunning_collector_day_menu']",
            run: "click",
        },
        {
            content: "The customer to act on, with its next actions",
            trigger: `.o_kanban_record:contains(${CUSTOMER}) button[name=action_followup]`,
        },
    ],
});
