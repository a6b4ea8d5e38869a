/** @odoo-module */
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
// Browser tests of credit holds and payment plans, run by tests/test_tours.py.

import {registry} from "@web/core/registry";

// A salesperson confirms an order of a customer on credit hold: refused,
// with who can help.
registry.category("web_tour.tours").add("dunning_hold_refused_tour", {
    steps: () => [
        {
            content: "The order warns of the hold",
            trigger: ".o_form_view .alert-warning:contains(credit hold)",
        },
        {
            content: "Confirm",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_confirm]:not(.o_invisible_modifier)",
            run: "click",
        },
        {
            content: "Refused: the message says who can confirm",
            trigger: ".modal .modal-body:contains(Olga Override)",
        },
        {
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
    ],
});

// An overrider confirms the same order with a reason.
registry.category("web_tour.tours").add("dunning_hold_override_tour", {
    steps: () => [
        {
            content: "Confirm despite the hold",
            trigger: ".o_form_view button[name=action_dunning_override]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=reason] input",
            run: "edit Paid cash at the counter",
        },
        {
            trigger: ".modal-footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The order is confirmed, the reason on it",
            trigger: ".o_form_view .o_field_widget[name=dunning_hold_override_reason]:contains(Paid cash)",
        },
        {
            trigger: ".o_statusbar_status button[aria-checked=true]:contains(Sales Order)",
        },
    ],
});

// A collector makes a payment plan from the invoice and confirms it.
registry.category("web_tour.tours").add("dunning_plan_from_invoice_tour", {
    steps: () => [
        {
            content: "Payment plan on the invoice",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_dunning_plan]",
            run: "click",
        },
        {
            content: "The plan's form, with the invoice's amount",
            trigger: ".o_form_view .o_field_widget[name=amount_total]:contains(900.00)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=installment_count] input",
            run: "edit 3",
        },
        {
            content: "Compute the schedule",
            trigger: ".o_form_view button[name=action_compute_schedule]",
            run: "click",
        },
        {
            content: "Three installments of 300.00",
            trigger: ".o_form_view .o_field_widget[name=line_ids] .o_data_row:nth-child(3):contains(300.00)",
        },
        {
            content: "Confirm and send",
            trigger: ".o_form_view button[name=action_confirm]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button[aria-checked=true]:contains(Running)",
        },
    ],
});
