import { registry } from "@web/core/registry";

const tickAndPay = [
    {
        content: "Tick the open invoice",
        trigger: ".o_portal_payments_open tr:nth-child(1) input.o_pay_select",
        run: "click",
    },
    {
        content: "Pay the selection",
        trigger: "button.o_pay_selected",
        run: "click",
    },
    {
        content: "The pay page shows the debit mandate",
        trigger: ".o_portal_payments_ach_mandate:contains('authorize')",
    },
];

const backOnAccountPage = [
    {
        content: "Pay",
        trigger: "button[name='o_payment_submit_button']",
        run: "click",
    },
    {
        content: "Back on the account page, the invoice is processing, not paid",
        trigger: ".o_portal_payments_open .o_status_processing",
        timeout: 20000,
    },
];

registry.category("web_tour.tours").add("portal_payments_ach_save", {
    url: "/my/account/balance",
    steps: () => [
        ...tickAndPay,
        {
            content: "Choose US bank account",
            trigger: "input[name='o_payment_radio'][data-payment-method-code='ach_direct_debit']",
            run: "click",
        },
        {
            content: "Routing number",
            trigger: "input[name='o2c_routing_number']",
            run: "edit 110000000",
        },
        {
            content: "Account number",
            trigger: "input[name='o2c_account_number']",
            run: "edit 000123456789",
        },
        {
            content: "Save the bank account",
            trigger: "input[name='o_payment_tokenize_checkbox']:visible",
            run: "click",
        },
        ...backOnAccountPage,
    ],
});

registry.category("web_tour.tours").add("portal_payments_ach_saved_method", {
    url: "/my/account/balance",
    steps: () => [
        ...tickAndPay,
        {
            content: "Choose the saved bank account",
            trigger: "input[name='o_payment_radio'][data-payment-option-type='token']",
            run: "click",
        },
        ...backOnAccountPage,
    ],
});
