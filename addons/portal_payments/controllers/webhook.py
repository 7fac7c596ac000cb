"""Stripe webhook, hardened: verified before anything, recorded once."""

import json
import logging
import time

from werkzeug.exceptions import BadRequest, Forbidden

from odoo import http
from odoo.http import request

from odoo.addons.payment_stripe import utils as stripe_utils
from odoo.addons.payment_stripe.controllers.main import StripeController

from ..utils import webhook as webhook_utils

_logger = logging.getLogger(__name__)


class StripeWebhookController(StripeController):
    @http.route()
    def stripe_webhook(self):
        """Verify, record and dispatch a Stripe event.

        Unlike stock, the signature is checked before the event is looked at,
        for every event type, against every enabled Stripe provider; an empty
        secret never accepts. An event id already recorded is acknowledged
        without being handled again.

        :raise Forbidden: when the request is not a fresh, genuine Stripe event
        :raise BadRequest: when the body is not a Stripe event
        """
        raw = request.httprequest.get_data()
        provider = self._portal_payments_verified_provider(raw)
        try:
            event = json.loads(raw)
            event_id = event["id"]
        except (ValueError, KeyError, TypeError) as exc:
            raise BadRequest() from exc
        Event = request.env["portal.payments.stripe.event"].sudo()
        if not Event._record(event, provider):
            _logger.info("Stripe event %s already handled; ignored", event_id)
            return request.make_json_response("")
        if event.get("type", "").startswith("charge.dispute."):
            request.env["payment.provider"].sudo()._portal_payments_handle_dispute(
                provider, event
            )
            return request.make_json_response("")
        if event.get("type") == "charge.failed":
            # not handled by stock: an ACH return after success
            request.env[
                "payment.transaction"
            ].sudo()._portal_payments_handle_charge_failed(
                provider, event["data"]["object"]
            )
            return request.make_json_response("")
        return super().stripe_webhook()

    def _portal_payments_verified_provider(self, raw):
        """Return the Stripe provider whose webhook secret signed ``raw``.

        :raise Forbidden: when no provider's secret verifies the request
        """
        providers = (
            request.env["payment.provider"]
            .sudo()
            .search([("code", "=", "stripe"), ("state", "!=", "disabled")])
        )
        header = request.httprequest.headers.get("Stripe-Signature", "")
        reason = "no enabled Stripe provider"
        for provider in providers:
            try:
                webhook_utils.verify(
                    raw,
                    header,
                    [stripe_utils.get_webhook_secret(provider)],
                    self.WEBHOOK_AGE_TOLERANCE,
                    time.time(),
                )
                return provider
            except webhook_utils.SignatureError as exc:
                reason = str(exc)
        _logger.warning("rejected Stripe webhook request: %s", reason)
        raise Forbidden()

    def _verify_notification_signature(self, tx_sudo):
        # Stock keeps only the last v1 signature and accepts everything when
        # the secret is empty; check the transaction's provider strictly.
        try:
            webhook_utils.verify(
                request.httprequest.get_data(),
                request.httprequest.headers.get("Stripe-Signature", ""),
                [stripe_utils.get_webhook_secret(tx_sudo.provider_id)],
                self.WEBHOOK_AGE_TOLERANCE,
                time.time(),
            )
        except webhook_utils.SignatureError as exc:
            _logger.warning("rejected Stripe notification: %s", exc)
            raise Forbidden() from exc
