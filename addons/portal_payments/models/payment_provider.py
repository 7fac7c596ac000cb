import logging

from werkzeug.urls import url_join

from odoo import fields, models

from odoo.addons.payment.utils import to_major_currency_units

_logger = logging.getLogger(__name__)

STRIPE_API_BASE_URL = "https://api.stripe.com/v1/"
STRIPE_JS_URL = "https://js.stripe.com/v3/"


class PaymentProvider(models.Model):
    _inherit = "payment.provider"

    stripe_api_base_url = fields.Char(
        string="Stripe API base URL",
        default=STRIPE_API_BASE_URL,
        groups="base.group_system",
        help="Where Stripe API calls go. Stripe's own URL in production; a local "
        "Stripe test server (localstripe) in tests and in the demo.",
    )
    stripe_js_url = fields.Char(
        string="Stripe.js URL",
        default=STRIPE_JS_URL,
        help="Script loaded by the payment form. Stripe's CDN in production; the "
        "Stripe.js stand-in of the local test server in tests and in the demo.",
    )

    portal_payments_accountant_id = fields.Many2one(
        "res.users",
        string="Payments accountant",
        domain=[("share", "=", False)],
        help="Gets the activities of disputes, failed and returned payments. "
        "The administrator when empty.",
    )

    def _stripe_api_url(self, endpoint):
        """Return the absolute URL of a Stripe API endpoint for this provider.

        :param str endpoint: endpoint relative to ``/v1/`` (``payment_intents``)
        :return: the URL under :attr:`stripe_api_base_url`
        :rtype: str
        """
        self.ensure_one()
        base = self.sudo().stripe_api_base_url or STRIPE_API_BASE_URL
        if not base.endswith("/"):
            base += "/"
        return url_join(base, endpoint)

    def _stripe_make_request(
        self, endpoint, payload=None, method="POST", offline=False, idempotency_key=None
    ):
        # Stock joins the endpoint to https://api.stripe.com/v1/; an absolute URL
        # wins in that join, so the configured base applies to every call.
        if self.code == "stripe" and "://" not in endpoint:
            endpoint = self._stripe_api_url(endpoint)
        return super()._stripe_make_request(
            endpoint,
            payload=payload,
            method=method,
            offline=offline,
            idempotency_key=idempotency_key,
        )

    def _portal_payments_stripe_js_url(self):
        """Stripe.js URL for the payment form showing these providers."""
        stripe = self.filtered(lambda provider: provider.code == "stripe")[:1]
        return stripe.stripe_js_url or STRIPE_JS_URL

    # --- disputes (webhook) ---

    def _portal_payments_handle_dispute(self, provider, event):
        """A ``charge.dispute.*`` event: tell the accountant, suspend autopay,
        and reverse the payment when the money is lost (a lost dispute, any
        ACH dispute).

        :param provider: the Stripe provider that received the event
        :param dict event: the verified Stripe event
        :return: the customer (commercial partner) concerned, possibly empty
        """
        dispute = event["data"]["object"]
        tx = self.env["payment.transaction"]._portal_payments_from_charge(
            provider,
            {
                "payment_intent": dispute.get("payment_intent"),
                "id": dispute.get("charge"),
            },
        )
        # The money is gone for good when the dispute is lost, and an ACH
        # dispute (an unauthorized return: R05, R07, R10, R29) cannot be
        # contested: reverse the payment so the invoices are open again.
        reversed_now = False
        if tx.state == "done" and tx._portal_payments_dispute_takes_money(
            dispute.get("status")
        ):
            tx._portal_payments_reverse(
                self.env._("Stripe dispute %s", dispute.get("id"))
            )
            reversed_now = True
        customer = tx.partner_id.commercial_partner_id
        if customer.portal_autopay_state == "enrolled":
            customer.portal_autopay_state = "suspended"
        record = tx.invoice_ids[:1] or customer
        if record:
            amount = to_major_currency_units(dispute.get("amount") or 0, tx.currency_id)
            record.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Stripe dispute: %(type)s", type=event["type"]),
                note=self.env._(
                    "Dispute %(dispute)s on payment %(ref)s (%(amount)s %(currency)s), "
                    "reason: %(reason)s, status: %(status)s.%(reversed)s",
                    dispute=dispute.get("id"),
                    ref=tx.reference or dispute.get("charge"),
                    amount=amount,
                    currency=(dispute.get("currency") or "").upper(),
                    reason=dispute.get("reason") or "-",
                    status=dispute.get("status") or "-",
                    reversed=self.env._(
                        " The payment is reversed: its invoices are open again."
                    )
                    if reversed_now
                    else "",
                ),
                user_id=(
                    provider.portal_payments_accountant_id
                    or self.env.ref("base.user_admin")
                ).id,
            )
        else:
            _logger.warning(
                "Stripe dispute %s matches no transaction", dispute.get("id")
            )
        return customer
