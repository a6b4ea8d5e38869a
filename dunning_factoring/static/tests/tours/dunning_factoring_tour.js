/** @odoo-module */
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// Browser test of an agency batch, run by tests/test_tours.py.

import {registry} from "@web/core/registry";

// A new batch for the factor: propose the invoices, export them.
registry.category("web_tour.tours").add("dunning_agency_batch_tour", {
    steps: () => [
        {
            content: "New batch",
            trigger: ".o_control_panel .o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=agency_id] input",
            run: "edit Fast Factor",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Fast Factor)",
            run: "click",
        },
        {
            content: "Propose the invoices the factor may take",
            trigger: ".o_form_view button[name=action_propose]",
            run: "click",
        },
        {
            content: "The customer's invoice is proposed",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:contains(Tour Debtor)",
        },
        {
            content: "Export",
            trigger: ".o_form_view button[name=action_export]",
            run: "click",
        },
        {
            content: "Confirm the hand-over",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Exported, the file on the batch",
            trigger: ".o_statusbar_status button[aria-checked=true]:contains(Exported)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=attachment_id]:contains(.xml)",
        },
    ],
});
