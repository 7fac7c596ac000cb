import logging

from odoo import _, fields, models

from odoo.addons.payment_stripe import const as stripe_const

from .. import const

_logger = logging.getLogger(__name__)


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    portal_payments_mandate_text = fields.Text(
        string="Mandate",
        readonly=True,
        help="Debit authorization the customer accepted (ACH Direct Debit).",
    )

    def _portal_payments_is_ach(self):
        return self.payment_method_id.code == const.ACH_CODE or (
            self.payment_method_code == const.ACH_CODE
        )

    def _portal_payments_mandate(self):
        return const.ACH_MANDATE_TEXT.format(company=self.company_id.name)

    def _process_notification_data(self, notification_data):
        """Stripe: ACH debits are saved and reversible.

        - a debit that starts *processing* is tokenized right away when asked
          (stock waits for success, which for ACH comes days later) and keeps
          the mandate the customer accepted;
        - a debit that fails after it succeeded (an ACH return) reverses the
          customer payment, so its invoices are open again;
        - any failure of a debit gives the payments accountant an activity.
        """
        if self.provider_code != "stripe" or self.operation == "refund":
            return super()._process_notification_data(notification_data)
        intent = notification_data.get("payment_intent") or {}
        status = intent.get("status")
        was_done = self.state == "done"
        ach = self._portal_payments_is_ach()
        if ach and status in stripe_const.STATUS_MAPPING["pending"]:
            if self.tokenize:
                self._stripe_tokenize_from_notification_data(notification_data)
            self.portal_payments_mandate_text = self._portal_payments_mandate()
            if self.token_id and not self.token_id.portal_payments_mandate_text:
                self.token_id.portal_payments_mandate_text = (
                    self.portal_payments_mandate_text
                )
        res = super()._process_notification_data(notification_data)
        if status in stripe_const.STATUS_MAPPING["error"]:
            error = (intent.get("last_payment_error") or {}).get("message") or _(
                "The bank did not pay."
            )
            if was_done:
                self._portal_payments_reverse(error)
            if ach or was_done:
                self._portal_payments_failure_activity(error, returned=was_done)
        return res

    def _portal_payments_reverse(self, reason):
        """Undo a settled payment the bank took back: invoices open again."""
        payment = self.payment_id
        if payment and payment.state != "canceled":
            payment.action_draft()
            payment.action_cancel()
            payment.message_post(body=_("Returned by the bank: %s", reason))
        self._set_error(reason, extra_allowed_states=("done",))
        _logger.info("payment of transaction %s reversed: %s", self.reference, reason)

    def _portal_payments_failure_activity(self, reason, returned=False):
        records = self.invoice_ids or self.partner_id.commercial_partner_id
        accountant = self.provider_id.portal_payments_accountant_id or self.env.ref(
            "base.user_admin"
        )
        summary = (
            _("Payment returned: %s", self.reference)
            if returned
            else _("Payment failed: %s", self.reference)
        )
        for record in records:
            record.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=summary,
                note=reason,
                user_id=accountant.id,
            )


class PaymentToken(models.Model):
    _inherit = "payment.token"

    portal_payments_mandate_text = fields.Text(string="Mandate", readonly=True)
