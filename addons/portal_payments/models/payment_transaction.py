import logging

from odoo import _, api, fields, models

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

    def _portal_payments_dispute_takes_money(self, status):
        """Whether a dispute of this payment's charge takes the money for good.

        A lost dispute does; so does any ACH dispute (an unauthorized return:
        R05, R07, R10, R29), which cannot be contested. A card dispute still
        open (``needs_response``, ``under_review``) or won does not: its
        payment stands.

        :param str status: the Stripe dispute's ``status``
        :rtype: bool
        """
        return status == const.DISPUTE_LOST or self._portal_payments_is_ach()

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
        still_open = self.state in ("draft", "pending", "authorized")
        res = super()._process_notification_data(notification_data)
        if status in stripe_const.STATUS_MAPPING["error"]:
            error = (intent.get("last_payment_error") or {}).get("message") or _(
                "The bank did not pay."
            )
            if was_done:
                self._portal_payments_handle_return(error)
            elif ach and still_open:
                # a replay after a return (the tx is in error already) is silent
                self._portal_payments_failure_activity(error)
        return res

    def _portal_payments_handle_return(self, reason):
        """The bank took back a settled payment: reverse it, tell the accountant.

        Stripe reports an ACH return after success by several roads (the
        charge's ``charge.failed``, the intent's ``payment_intent.payment_failed``,
        the payout's ``payment_failure_refund`` balance transaction); whichever
        comes first reverses, the others find the transaction no longer done.

        :param str reason: why, as the bank or Stripe put it
        :return: whether the payment was reversed by this call
        :rtype: bool
        """
        self.ensure_one()
        if self.state != "done":
            return False
        self._portal_payments_reverse(reason)
        self._portal_payments_failure_activity(reason, returned=True)
        return True

    def _portal_payments_reverse(self, reason):
        """Undo a settled payment the bank took back: invoices open again.

        The payment's entry is reversed (dated today), not deleted: the
        return is a new fact, and later entries of the journal have consumed
        sequence numbers since. Unreconciling it first frees the invoices and
        the Stripe statement line of its charge, which the return's own
        statement line then meets. The payment ends *Rejected*.
        """
        payment = self.payment_id
        if payment and payment.state not in ("canceled", "rejected"):
            move = payment.move_id
            if move.state == "posted":
                move.line_ids.remove_move_reconcile()
                move._reverse_moves(
                    [
                        {
                            "ref": _("Returned: %s", move.name),
                            "date": fields.Date.context_today(self),
                        }
                    ],
                    cancel=True,
                )
                payment.action_reject()
            else:
                payment.action_cancel()
            payment.message_post(body=_("Returned by the bank: %s", reason))
        self._set_error(reason, extra_allowed_states=("done",))
        _logger.info("payment of transaction %s reversed: %s", self.reference, reason)

    def _portal_payments_handle_charge_failed(self, provider, charge):
        """A ``charge.failed`` event: a return when the payment had settled.

        A failure before settlement also comes as ``payment_intent.payment_failed``
        (handled by the stock flow above); only a charge that fails after
        success (an ACH return) needs this road.

        :param provider: the Stripe provider that verified the event
        :param dict charge: the event's charge
        :return: the transaction concerned, possibly empty
        """
        tx = self._portal_payments_from_charge(provider, charge)
        reason = (
            charge.get("failure_message")
            or charge.get("failure_code")
            or _("The bank returned the debit.")
        )
        if tx:
            tx._portal_payments_handle_return(reason)
        return tx

    @api.model
    def _portal_payments_from_charge(self, provider, charge):
        """The transaction of a Stripe charge (by its intent, else its id)."""
        refs = [ref for ref in (charge.get("payment_intent"), charge.get("id")) if ref]
        return self.sudo().search(
            [
                ("provider_id", "=", provider.id),
                ("provider_reference", "in", refs),
                ("operation", "!=", "refund"),
            ],
            limit=1,
        )

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
