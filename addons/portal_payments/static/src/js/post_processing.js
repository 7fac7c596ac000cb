/** @odoo-module **/

import paymentPostProcessing from "@payment/js/post_processing";

paymentPostProcessing.include({
    /**
     * A Stripe bank debit (ACH) stays processing for days: send the customer back to
     * the landing page (the account page shows "Payment processing") instead of
     * polling until it settles.
     *
     * @override method from `@payment/js/post_processing`
     * @param {string} providerCode - The code of the provider handling the transaction.
     */
    _getFinalStates(providerCode) {
        const finalStates = this._super(...arguments);
        if (providerCode === "stripe") {
            finalStates.add("pending");
        }
        return finalStates;
    },
});
