"""Constants of portal_payments."""

#: Payment method (Odoo code) of US bank account debits through Stripe
ACH_CODE = "ach_direct_debit"

#: Mandate shown before an ACH debit and stored with the transaction and token,
#: after Stripe's ACH Direct Debit mandate guidance.
ACH_MANDATE_TEXT = (
    "By paying by bank account, you authorize {company} to debit the bank account "
    "you provide for this payment and, if you save it, for future payments of "
    "your invoices with {company}, according to the terms of your account, until "
    "you cancel this authorization by notifying {company} in writing. Debits that "
    "are returned by your bank may be re-presented."
)

# --- Stripe balance transactions of a payout (``type``) ---
#: money in: card charges ("charge") and local-method charges such as ACH ("payment")
BT_CHARGE_TYPES = ("charge", "payment")
#: refunds the merchant sent (source: the refund)
BT_REFUND_TYPES = ("refund", "payment_refund")
#: an ACH (or other delayed-notification) debit that failed or was returned
#: after the money was credited; source: the charge
BT_RETURN_TYPES = ("payment_failure_refund",)
#: disputes are ``adjustment`` balance transactions of this reporting category;
#: source: the dispute (for ACH: an unauthorized return). Stripe withdraws the
#: disputed amount (and its dispute fee) when a card dispute OPENS, before it
#: is decided.
BT_DISPUTE_CATEGORY = "dispute"
#: a won dispute gives the funds back: an ``adjustment`` of this reporting
#: category; source: the dispute
BT_DISPUTE_REVERSAL_CATEGORY = "dispute_reversal"
BT_DISPUTE_CATEGORIES = (BT_DISPUTE_CATEGORY, BT_DISPUTE_REVERSAL_CATEGORY)
#: the dispute status that keeps the money with the customer for good
DISPUTE_LOST = "lost"
