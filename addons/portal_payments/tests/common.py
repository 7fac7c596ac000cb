"""Test helpers of portal_payments, for this addon and addons built on it.

``LocalStripe`` runs the Stripe test server (``stripe_server.py``: localstripe
plus what Odoo's provider needs) on a free port of 127.0.0.1;
``PortalPaymentsCase`` points Odoo's Stripe provider at it and gives the demo
customers, their portal users and helpers to sign webhook events.
"""

import json
import os
import socket
import subprocess
import sys
import time
import uuid

import requests

from odoo.tests import HttpCase

from ..utils import webhook as webhook_utils

SERVER = os.path.join(os.path.dirname(__file__), "stripe_server.py")
TEST_BANK_ACCOUNT = {
    "account_number": "000123456789",
    "routing_number": "110000000",
    "account_holder_type": "company",
}
TEST_CARD = {
    "number": "4242424242424242",
    "exp_month": "12",
    "exp_year": "34",
    "cvc": "123",
}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalStripe:
    """A Stripe test server in a subprocess; ``url`` is its base URL."""

    secret_key = "sk_test_portal_payments"
    publishable_key = "pk_test_portal_payments"

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 - our own test server
            [sys.executable, SERVER, "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/js.stripe.com/v3/", timeout=1)
                return self
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the Stripe test server did not start")

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def confirm_with_bank_account(self, client_secret):
        """What Stripe.js does for a US bank account (ACH Direct Debit)."""
        intent_id = client_secret.split("_secret_")[0]
        return self._configure(
            f"payment_intents/{intent_id}/confirm",
            {
                "client_secret": client_secret,
                "payment_method_data": {
                    "type": "us_bank_account",
                    "us_bank_account": TEST_BANK_ACCOUNT,
                },
            },
        )

    def settle(self, intent_id, outcome="succeeded"):
        """The bank's answer to an ACH debit: ``succeeded`` or ``failed``."""
        return self._configure(
            f"payment_intents/{intent_id}/settle", {"outcome": outcome}
        )

    def dispute(self, charge_id, reason="fraudulent"):
        """The cardholder disputes a card charge: the dispute opens
        (``needs_response``) and Stripe withdraws its funds. :return: the dispute"""
        return self._configure(f"charges/{charge_id}/dispute", {"reason": reason})

    def decide_dispute(self, dispute_id, status):
        """The dispute moves on: ``under_review``, ``won`` (funds reinstated) or
        ``lost``. :return: the dispute"""
        return self._configure(f"disputes/{dispute_id}", {"status": status})

    def confirm_with_card(self, client_secret, card=None):
        """What Stripe.js does in the browser: pay the intent with a card."""
        intent_id = client_secret.split("_secret_")[0]
        return self._configure(
            f"payment_intents/{intent_id}/confirm",
            {
                "client_secret": client_secret,
                "payment_method_data": {"type": "card", "card": card or TEST_CARD},
            },
        )

    def _configure(self, path, payload):
        """POST to the test server's own control API (``/_config/o2c/...``):
        what Stripe.js, the bank or the card network do outside the API."""
        response = requests.post(
            f"{self.url}/_config/o2c/{path}", data=json.dumps(payload), timeout=10
        )
        response.raise_for_status()
        return response.json()

    def api(self, method, endpoint, **params):
        """Call the server's Stripe API with the secret key (as Stripe's peers do)."""
        response = requests.request(
            method,
            f"{self.url}/v1/{endpoint}",
            data=params if method != "GET" else None,
            params=params if method == "GET" else None,
            headers={"Authorization": f"Bearer {self.secret_key}"},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()


class PortalPaymentsCase(HttpCase):
    webhook_secret = "whsec_portal_payments_test"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stripe_server = LocalStripe().start()
        cls.addClassCleanup(cls.stripe_server.stop)
        cls.stripe = cls.env.ref("payment.payment_provider_stripe")
        cls.stripe.write(
            {
                "state": "test",
                "is_published": True,
                "allow_tokenization": True,
                "stripe_publishable_key": LocalStripe.publishable_key,
                "stripe_secret_key": LocalStripe.secret_key,
                "stripe_webhook_secret": cls.webhook_secret,
                "stripe_api_base_url": f"{cls.stripe_server.url}/v1/",
                "stripe_js_url": f"{cls.stripe_server.url}/js.stripe.com/v3/o2c/",
            }
        )
        # Other providers would compete in the payment form.
        cls.env["payment.provider"].search(
            [("id", "!=", cls.stripe.id), ("code", "!=", "custom")]
        ).write({"state": "disabled"})
        cls.card = cls.env.ref("payment.payment_method_card")
        cls.card.active = True
        cls.acme = cls.env.ref("o2c_base.customer_acme")
        cls.bluebird = cls.env.ref("o2c_base.customer_bluebird")
        cls.dana = cls.env.ref("portal_payments.user_portal_acme")
        cls.robin = cls.env.ref("portal_payments.user_portal_bluebird")
        cls.product = cls.env.ref("o2c_base.product_paper_a4")

    @classmethod
    def make_invoice(
        cls,
        partner,
        amount,
        days_ago=0,
        term="account.account_payment_term_30days",
        refund=False,
    ):
        """Post an invoice (or credit note) of ``amount``, ``days_ago`` days old."""
        date = time.strftime("%Y-%m-%d", time.localtime(time.time() - days_ago * 86400))
        move = cls.env["account.move"].create(
            {
                "move_type": "out_refund" if refund else "out_invoice",
                "partner_id": partner.id,
                "invoice_date": date,
                "invoice_payment_term_id": cls.env.ref(term).id,
                "invoice_line_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": cls.product.id,
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [],
                        },
                    )
                ],
            }
        )
        move.action_post()
        return move

    # --- webhooks ---

    def stripe_event(self, event_type, obj, event_id=None):
        return {
            "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
            "object": "event",
            "type": event_type,
            "livemode": False,
            "created": int(time.time()),
            "data": {"object": obj},
        }

    def post_webhook(self, event, secrets=None, timestamp=None, header=None):
        """POST ``event`` to the webhook, signed with each of ``secrets``."""
        payload = json.dumps(event)
        timestamp = timestamp or int(time.time())
        if header is None:
            signatures = ",".join(
                f"v1={webhook_utils.sign(payload, secret, timestamp)}"
                for secret in (
                    secrets if secrets is not None else [self.webhook_secret]
                )
            )
            header = f"t={timestamp},{signatures}"
        return self.url_open(
            "/payment/stripe/webhook",
            data=payload,
            headers={"Content-Type": "application/json", "Stripe-Signature": header},
        )

    @classmethod
    def create_portal_customer(cls, name, contact_name, login):
        """A customer company and a portal user of one of its contacts.

        :return: ``(company, contact)``; the user's password is its login
        """
        domain = login.replace("_", "-")
        company = cls.env["res.partner"].create(
            {"name": name, "is_company": True, "email": f"ap@{domain}.example"}
        )
        contact = cls.env["res.partner"].create(
            {
                "name": contact_name,
                "parent_id": company.id,
                "email": f"{login}@{domain}.example",
            }
        )
        cls.env["res.users"].create(
            {
                "name": contact_name,
                "login": login,
                "password": login,
                "partner_id": contact.id,
                "groups_id": [(6, 0, [cls.env.ref("base.group_portal").id])],
            }
        )
        return company, contact

    def start_transaction(self, invoices, login, **params):
        """Create the transaction of ``invoices`` through the account pay route.

        :param params: payment-form parameters overriding the defaults (card,
            direct flow, the open amount)
        :return: ``(transaction, processing values)``
        """
        self.authenticate(login, login)
        ids = "-".join(str(i) for i in invoices.ids)
        result = self.make_jsonrpc_request(
            f"/my/account/transaction/{ids}",
            {
                "provider_id": self.stripe.id,
                "payment_method_id": self.card.id,
                "token_id": None,
                "amount": sum(invoices.mapped("amount_residual")),
                "flow": "direct",
                "tokenization_requested": False,
                "landing_route": "/my/account/balance",
                "is_validation": False,
                "payment_reference": None,
                **params,
            },
        )
        tx = self.env["payment.transaction"].search(
            [("reference", "=", result["reference"])]
        )
        return tx, result

    def pay_by_card(self, invoices, amount, login):
        """Pay ``invoices`` by card as portal user ``login`` (server side of the form).

        Creates the transaction through the account pay route, confirms the
        intent like Stripe.js does, returns through Odoo's Stripe return route
        and post-processes. :return: the transaction
        """
        tx, result = self.start_transaction(invoices, login, amount=amount)
        intent = self.stripe_server.confirm_with_card(result["client_secret"])
        self.url_open(
            f"/payment/stripe/return?reference={tx.reference}"
            f"&payment_intent={intent['id']}"
        )
        tx._post_process()
        return tx

    # --- ACH Direct Debit ---

    @classmethod
    def enable_ach(cls):
        """Activate ACH Direct Debit on the Stripe provider; :return: the method."""
        ach = cls.env.ref("payment.payment_method_ach_direct_debit")
        ach.active = True
        cls.stripe.payment_method_ids |= ach
        return ach

    def intent_event(self, intent_id, event_type):
        """A signed-webhook-ready event carrying the intent as the server has it."""
        intent = self.stripe_server.api("GET", f"payment_intents/{intent_id}")
        return self.stripe_event(event_type, intent)

    def charge_id(self, tx):
        """The id of the latest charge of ``tx``'s intent on the test server."""
        intent = self.stripe_server.api(
            "GET", f"payment_intents/{tx.provider_reference}"
        )
        latest = intent["latest_charge"]  # expanded by the test server
        return latest["id"] if isinstance(latest, dict) else latest

    def charge_event(self, tx, event_type):
        """An event carrying the latest charge of ``tx``'s intent."""
        charge = self.stripe_server.api("GET", f"charges/{self.charge_id(tx)}")
        return self.stripe_event(event_type, charge)

    def dispute_event(self, dispute_id, event_type):
        """An event carrying the dispute as the server has it now."""
        dispute = self.stripe_server.api("GET", f"disputes/{dispute_id}")
        return self.stripe_event(event_type, dispute)

    def pay_by_bank_account(self, invoices, login):
        """Pay ``invoices`` by US bank account as ``login``; the bank settles.

        The debit is confirmed like Stripe.js does, processes, then the bank
        settles it and the signed ``payment_intent.succeeded`` webhook makes the
        transaction done. :return: the transaction, post-processed
        """
        ach = self.env.ref("payment.payment_method_ach_direct_debit")
        tx, result = self.start_transaction(invoices, login, payment_method_id=ach.id)
        intent = self.stripe_server.confirm_with_bank_account(result["client_secret"])
        self.url_open(
            f"/payment/stripe/return?reference={tx.reference}&payment_intent={intent['id']}"
        )
        self.stripe_server.settle(intent["id"], "succeeded")
        self.post_webhook(self.intent_event(intent["id"], "payment_intent.succeeded"))
        tx._post_process()
        return tx
