import { registry } from "@web/core/registry";

// Customer service opens the review queue, picks the product for the unknown SKU
// and processes the order again.
registry.category("web_tour.tours").add("ecom_intake_review_tour", {
    url: "/odoo/action-ecom_order_intake.action_order_intake_review",
    steps: () => [
        {
            content: "Open the order waiting for review",
            trigger: ".o_data_row td:contains('TOUR-1')",
            run: "click",
        },
        {
            content: "The problem is listed in words",
            trigger: ".o_field_widget[name=problem_ids] td:contains('TOUR-SKU-404')",
        },
        {
            content: "Open the Lines tab",
            trigger: ".o_notebook a:contains('Lines')",
            run: "click",
        },
        {
            content: "Edit the line with the unknown SKU",
            trigger: ".o_field_widget[name=line_ids] .o_data_row td[name=product_id]",
            run: "click",
        },
        {
            content: "Choose the product",
            trigger: ".o_field_widget[name=line_ids] .o_data_row [name=product_id] input",
            run: "edit O2C-PAPER-A4",
        },
        {
            content: "Pick it from the list",
            trigger: ".o-autocomplete--dropdown-menu li a:contains('O2C-PAPER-A4')",
            run: "click",
        },
        {
            content: "Process again",
            trigger: "button[name=action_reprocess]",
            run: "click",
        },
        {
            content: "The order was created",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Order created')",
        },
        {
            content: "The sale order button shows",
            trigger: "button[name=action_open_sale_order]:visible",
        },
    ],
});
