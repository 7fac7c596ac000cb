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
