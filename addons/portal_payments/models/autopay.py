"""Autopay: enrolled customers' open invoices are charged on their due date."""

import logging
from datetime import timedelta

import requests

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.queue_job.exception import RetryableJobError

_logger = logging.getLogger(__name__)

#: attempts per invoice, one a day at most; then the accountant takes over
MAX_ATTEMPTS = 3


class ResPartner(models.Model):
    _inherit = "res.partner"

    portal_autopay_token_id = fields.Many2one(
        "payment.token",
        string="Autopay payment method",
        ondelete="set null",
        help="Saved card or bank account charged on the due date of each invoice.",
    )

    def _commercial_fields(self):
        return super()._commercial_fields() + ["portal_autopay_token_id"]

    def _portal_autopay_enrol(self, token):
        """Enrol this commercial partner with one of its saved payment methods."""
        self.ensure_one()
        if token.partner_id.commercial_partner_id != self or not token.active:
            raise ValueError("token of another customer")
        self.write(
            {"portal_autopay_state": "enrolled", "portal_autopay_token_id": token.id}
        )
        self.message_post(
            body=_("Autopay enrolled with %s.", token.display_name),
            subtype_xmlid="mail.mt_note",
        )


class PortalPaymentsAutopayAttempt(models.Model):
    """One off-session charge of an invoice: at most one per invoice and attempt."""

    _name = "portal.payments.autopay.attempt"
    _inherit = ["portal.payments.claim.mixin"]
    _description = "Autopay attempt"
    _order = "id desc"

    move_id = fields.Many2one(
        "account.move", required=True, ondelete="cascade", index=True, readonly=True
    )
    attempt = fields.Integer(required=True, readonly=True)
    attempted_on = fields.Date(required=True, readonly=True)
    transaction_id = fields.Many2one("payment.transaction", readonly=True)
    state = fields.Selection(related="transaction_id.state", string="Result")

    _sql_constraints = [
        (
            "move_attempt_unique",
            "UNIQUE(move_id, attempt)",
            "This autopay attempt already exists.",
        )
    ]

    @api.model
    def _cron_autopay(self, today=None):
        """Charge the due invoices of enrolled customers, once a day at most.

        Each attempt is claimed by its unique row before Stripe is called, and
        its transaction reference (so its Stripe idempotency key) is unique per
        invoice and attempt. After :data:`MAX_ATTEMPTS` failures the invoice is
        left to the accountant.

        :return: the attempts made
        """
        today = today or fields.Date.context_today(self)
        invoices = self.env["account.move"].search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<=", today),
                ("commercial_partner_id.portal_autopay_state", "=", "enrolled"),
                ("commercial_partner_id.portal_autopay_token_id", "!=", False),
            ]
        )
        made = self.browse()
        for invoice in invoices:
            if invoice.portal_payment_status not in ("open", "partial"):
                continue
            previous = self.search([("move_id", "=", invoice.id)])
            if previous.filtered(lambda a: a.attempted_on >= today):
                continue  # one attempt a day
            unsettled = previous.filtered(lambda a: not a._declined())
            if unsettled:
                # an earlier charge may have gone through (its job has not run
                # yet, or it failed after Stripe answered): a new attempt, with
                # a new reference and so a new idempotency key, could charge
                # the customer twice; its job, or the accountant, settles it
                unsettled.filtered(
                    lambda a: not a.transaction_id and a.attempted_on < today
                )._notify_no_outcome()
                continue
            if len(previous) >= MAX_ATTEMPTS:
                continue
            attempt = self._claim(
                {
                    "move_id": invoice.id,
                    "attempt": len(previous) + 1,
                    "attempted_on": today,
                }
            )
            if attempt:
                attempt.with_delay(
                    description=f"Autopay: {invoice.name}, attempt {attempt.attempt}",
                    identity_key=f"portal-payments-autopay-{attempt.id}",
                )._charge()
                made |= attempt
        return made

    def _charge(self):
        """Job: charge the invoice of this attempt with the customer's autopay method.

        :raise RetryableJobError: when Stripe cannot be reached
        :return: the transaction
        """
        self.ensure_one()
        invoice = self.move_id
        customer = invoice.commercial_partner_id
        token = customer.portal_autopay_token_id
        tx = (
            self.env["payment.transaction"]
            .sudo()
            .create(
                {
                    "provider_id": token.provider_id.id,
                    "payment_method_id": token.payment_method_id.id,
                    "token_id": token.id,
                    "amount": invoice.amount_residual,
                    "currency_id": invoice.currency_id.id,
                    "partner_id": token.partner_id.id,
                    "operation": "offline",
                    "reference": self._reference(),
                    "invoice_ids": [fields.Command.set(invoice.ids)],
                }
            )
        )
        self.transaction_id = tx
        try:
            tx._send_payment_request()
        except (ValidationError, requests.exceptions.RequestException) as exc:
            # Stripe unreachable, or no answer in time (Odoo turns only a
            # connection error into a ValidationError): the whole job rolls
            # back and runs again later; the same reference gives Stripe the
            # same idempotency key, so a charge that went through is not made
            # twice.
            raise RetryableJobError(str(exc), seconds=60) from exc
        if tx.state == "done":
            try:
                with self.env.cr.savepoint():
                    tx._post_process()
            except Exception:
                # the charge is made: keep its transaction; Odoo's payment
                # post-processing cron records the payment later
                _logger.exception("Autopay %s: post-processing failed", tx.reference)
        elif tx.state == "error":
            self._notify_failure()
        return tx

    def _notify_no_outcome(self):
        """Ask the accountant, once, to settle attempts whose job has not
        charged the invoice a day later (not run, or failed)."""
        for attempt in self:
            invoice = attempt.move_id
            summary = _(
                "Autopay stopped: %(invoice)s (attempt %(n)s has no result)",
                invoice=invoice.name,
                n=attempt.attempt,
            )
            if summary in invoice.activity_ids.mapped("summary"):
                continue
            invoice.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=summary,
                note=_(
                    "Its charge job has not run or has failed (see the job queue). "
                    "Look for reference %s in Stripe before charging the customer "
                    "again: autopay makes no new attempt meanwhile.",
                    attempt._reference(),
                ),
                user_id=attempt._accountant().id,
            )

    def _reference(self):
        """:return: the reference of this attempt's transaction: Stripe's
        idempotency key, and what the accountant looks up in Stripe"""
        self.ensure_one()
        return f"{self.move_id.name}-AUTOPAY-{self.attempt}"

    def _accountant(self):
        """:return: who settles this attempt's invoice when autopay cannot."""
        token = self.move_id.commercial_partner_id.portal_autopay_token_id
        return token.provider_id.portal_payments_accountant_id or self.env.ref(
            "base.user_admin"
        )

    def _declined(self):
        """:return: whether this attempt ended without a charge, for sure."""
        self.ensure_one()
        return self.transaction_id.state in ("error", "cancel")

    def _notify_failure(self):
        invoice = self.move_id
        customer = invoice.commercial_partner_id
        last = self.attempt >= MAX_ATTEMPTS
        next_try = self.attempted_on + timedelta(days=1)
        body = _(
            "The automatic payment of %(invoice)s with %(method)s failed: %(reason)s.",
            invoice=invoice.name,
            method=customer.portal_autopay_token_id.display_name,
            reason=self.transaction_id.state_message or _("declined"),
        )
        body += " " + (
            _("Please pay it from your account page.")
            if last
            else _("We will try again on %s.", next_try)
        )
        invoice.message_post(
            body=body,
            partner_ids=customer.ids,
            subtype_xmlid="mail.mt_comment",
            message_type="comment",
        )
        invoice.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=_("Autopay gave up: %s", invoice.name)
            if last
            else _(
                "Autopay failed: %(invoice)s (attempt %(n)s)",
                invoice=invoice.name,
                n=self.attempt,
            ),
            note=body,
            user_id=self._accountant().id,
        )
