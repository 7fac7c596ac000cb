import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("portal_payments_pay_two_by_card", {
    url: "/my/account/balance",
    steps: () => [
        {
            content: "Tick the older invoice",
            trigger: ".o_portal_payments_open tr:nth-child(1) input.o_pay_select",
            run: "click",
        },
        {
            content: "Tick the newer invoice",
            trigger: ".o_portal_payments_open tr:nth-child(2) input.o_pay_select",
            run: "click",
        },
        {
            content: "Lower the amount",
            trigger: "input.o_pay_amount",
            run: "edit 150",
        },
        {
            content: "Pay the selection",
            trigger: "button.o_pay_selected",
            run: "click",
        },
        {
            content: "The allocation settles the older invoice first",
            trigger: ".o_portal_payments_allocation",
        },
        {
            content: "Choose card",
            trigger: "input[name='o_payment_radio'][data-payment-method-code='card']",
            run: "click",
        },
        {
            content: "Card number",
            trigger: "input[name='o2c_card_number']",
            run: "edit 4242424242424242",
        },
        {
            content: "Expiry",
            trigger: "input[name='o2c_card_expiry']",
            run: "edit 12 / 34",
        },
        {
            content: "CVC",
            trigger: "input[name='o2c_card_cvc']",
            run: "edit 123",
        },
        {
            content: "Pay",
            trigger: "button[name='o_payment_submit_button']",
            run: "click",
        },
        {
            content: "Back on the account page, the newer invoice is partially paid",
            trigger: ".o_portal_payments_open .o_status_partial",
            timeout: 20000,
        },
        {
            content: "The payment is in the history with the invoices it settled",
            trigger: ".o_portal_payments_history td:contains('INV/')",
        },
    ],
});
