"""localstripe, completed where Odoo's Stripe provider needs more (test peer).

Run it as a script: ``python stripe_server.py --port N [--store PATH]``. It
serves localstripe's Stripe API and Stripe.js stand-in, plus, in Stripe's
documented shapes, what localstripe 1.15 lacks for our flows:

* PaymentIntents accept the parameters Odoo 18 sends (``description``,
  ``setup_future_usage``, ``shipping[...]``, ``mandate``...) and keep the
  ``description`` (Odoo's transaction reference) like Stripe does;
* a Payment Element for Stripe.js (``elements({mode})``, ``create('payment')``,
  ``submit()``, ``confirmPayment()``) at ``/js.stripe.com/v3/o2c/``, which
  confirms through ``/_config/o2c/payment_intents/{id}/confirm`` (the
  browser-side half of ``confirmPayment`` that real Stripe.js does with the
  publishable key and the client secret);
* the store lives in memory (or in ``--store``), never in the shared
  ``/tmp/localstripe.pickle``.

Nothing of our addon is imported or replaced here: this is the far side.
"""

import argparse
import json
import logging
import os
import pickle
import socket
import urllib.parse

from aiohttp import web
from localstripe import resources, server
from localstripe.webhooks import register_webhook
from multidict import MultiDict, MultiDictProxy

STANDIN_JS = os.path.join(os.path.dirname(__file__), "stripe_payment_element.js")

# --- GET parameters in a form body ---------------------------------------------
# Odoo's provider sends GET parameters (``expand[]``) as a form body, which
# Stripe reads like a query string; localstripe reads only the query string.


@web.middleware
async def get_body_as_query(request, handler):
    if request.method == "GET" and request.can_read_body:
        body = await request.text()
        if body:
            params = MultiDict(request.rel_url.query)
            params.extend(urllib.parse.parse_qsl(body))
            # `request.query` is cached: seed the cache with the merged parameters
            request._cache["query"] = MultiDictProxy(params)  # noqa: SLF001
    return await handler(request)


server.app.middlewares.insert(0, get_body_as_query)

# --- idempotency keys received (what a test may check) -------------------------
IDEMPOTENCY_KEYS = []


@web.middleware
async def record_idempotency_key(request, handler):
    key = request.headers.get("Idempotency-Key")
    if key:
        IDEMPOTENCY_KEYS.append({"path": request.path, "key": key})
    return await handler(request)


server.app.middlewares.insert(0, record_idempotency_key)


async def idempotency_keys(request):
    return web.json_response(IDEMPOTENCY_KEYS)


# --- store: per instance -----------------------------------------------------

_STORE_PATH = None


def _load(self):
    if _STORE_PATH and os.path.exists(_STORE_PATH):
        with open(_STORE_PATH, "rb") as f:
            self.clear()
            self.update(pickle.load(f))


def _dump(self):
    if _STORE_PATH:
        with open(_STORE_PATH, "wb") as f:
            pickle.dump(dict(self), f, protocol=pickle.HIGHEST_PROTOCOL)


resources.Store.try_load_from_disk = _load
resources.Store.dump_to_disk = _dump

# --- PaymentIntent: the parameters Odoo sends ----------------------------------

_pi_init = resources.PaymentIntent.__init__
ODOO_PI_EXTRAS = (
    "description",
    "setup_future_usage",
    "shipping",
    "mandate",
    "statement_descriptor",
    "automatic_payment_methods",
    "return_url",
)


def _payment_intent_init(self, *args, **kwargs):
    extras = {key: kwargs.pop(key) for key in ODOO_PI_EXTRAS if key in kwargs}
    _pi_init(self, *args, **kwargs)
    self.description = extras.get("description")
    self.setup_future_usage = extras.get("setup_future_usage")
    self.payment_method_types = kwargs.get("payment_method_types") or ["card"]


resources.PaymentIntent.__init__ = _payment_intent_init

_create_charge = resources.PaymentIntent._create_charge


def _pi_create_charge(self, on_failure_now):
    _create_charge(self, on_failure_now)
    # Stripe copies the intent's description on its charge (and the
    # balance transaction shows it): payouts are matched through it.
    self.latest_charge.description = self.description


resources.PaymentIntent._create_charge = _pi_create_charge

_pi_api_create = resources.PaymentIntent._api_create.__func__


@classmethod
def _pi_create(cls, confirm=None, off_session=None, **data):
    obj = _pi_api_create(cls, confirm=confirm, off_session=off_session, **data)
    if obj.latest_charge is not None and obj.customer and obj.payment_method:
        obj.latest_charge.customer = obj.customer
    return obj


resources.PaymentIntent._api_create = _pi_create

# --- fees, payouts and their balance transactions ------------------------------
# Stripe's documented shapes: a charge's balance transaction carries the fee
# (2.9% + 30 cents, `fee_details` type `stripe_fee`); an automatic payout sweeps
# the available balance transactions, has its own balance transaction (type
# `payout`, negative) and `GET /v1/balance_transactions?payout=po_...` lists what
# it contains, the payout's own transaction included.

_bt_init = resources.BalanceTransaction.__init__
resources.BalanceTransaction.net = None  # a plain attribute instead of the property


def _fee_details(fee, currency, description):
    """Stripe's ``fee_details`` of a balance transaction with one Stripe fee."""
    return [
        {
            "amount": fee,
            "currency": currency,
            "description": description,
            "type": "stripe_fee",
        }
    ]


def _balance_transaction_init(self, *args, **kwargs):
    _bt_init(self, *args, **kwargs)
    self._payout = None
    if self.type == "charge":
        self.fee = round(self.amount * 0.029) + 30
        self.fee_details = _fee_details(
            self.fee, self.currency, "Stripe processing fees"
        )
    self.net = self.amount - self.fee


resources.BalanceTransaction.__init__ = _balance_transaction_init


def _balance_transaction(amount, currency, source, type, reporting_category, **extra):  # noqa: A002
    """A balance transaction of a type localstripe does not know, Stripe's shape."""
    txn = resources.BalanceTransaction.__new__(resources.BalanceTransaction)
    resources.StripeObject.__init__(txn)
    txn.amount = amount
    txn.available_on = txn.created
    txn.currency = currency
    txn.description = extra.get("description")
    txn.exchange_rate = 1.0
    txn.fee = extra.get("fee", 0)
    txn.fee_details = extra.get("fee_details", [])
    txn.net = amount - txn.fee
    txn.reporting_category = reporting_category
    txn.source = source
    txn.status = "available"
    txn.type = type
    txn._payout = None
    return txn


def _payout_balance_transaction(payout):
    """The payout's own balance transaction (localstripe only fakes its id)."""
    txn = _balance_transaction(
        -payout.amount,
        payout.currency,
        payout.id,
        "payout",
        "payout",
        description="STRIPE PAYOUT",
    )
    txn._payout = payout.id
    return txn


_bt_list = resources.BalanceTransaction._api_list_all.__func__


@classmethod
def _balance_transaction_list(
    cls, url, limit=None, starting_after=None, payout=None, type=None, **kwargs
):
    result = _bt_list(cls, url, limit=1000, starting_after=starting_after, **kwargs)
    result._list = [
        txn
        for txn in result._list
        if (payout is None or txn._payout == payout)
        and (type is None or txn.type == type)
    ]
    return result


resources.BalanceTransaction._api_list_all = _balance_transaction_list
_payout_init = resources.Payout.__init__


def _payout_init_any_currency(self, *args, currency=None, **kwargs):
    _payout_init(self, *args, currency="eur", **kwargs)
    self.currency = currency or "usd"


resources.Payout.__init__ = _payout_init_any_currency


#: what an automatic payout sweeps: charges and refunds of cards ("charge",
#: "refund") and of local methods such as ACH ("payment", "payment_refund"),
#: ACH returns ("payment_failure_refund") and disputes ("adjustment")
PAID_OUT_TYPES = (
    "charge",
    "refund",
    "payment",
    "payment_refund",
    "payment_failure_refund",
    "adjustment",
)


async def automatic_payout(request):
    """Pay out the available balance like Stripe's automatic payouts do."""
    pending = [
        obj
        for key, obj in list(resources.store.items())
        if key.startswith("balance_transaction:")
        and obj.type in PAID_OUT_TYPES
        and obj._payout is None
    ]
    if not pending:
        raise resources.UserError(400, "Nothing to pay out")
    amount = sum(txn.net for txn in pending)
    payout = resources.Payout(
        amount=amount, currency=pending[0].currency, status="paid"
    )
    payout.automatic = True
    payout.balance_transaction = _payout_balance_transaction(payout).id
    for txn in pending:
        txn._payout = payout.id
    return server.json_response(payout._export())


# --- US bank accounts (ACH Direct Debit) ----------------------------------------
# A `us_bank_account` payment method; its charges stay `pending` (the intent is
# `processing`) until the bank settles or returns them:
# `POST /_config/o2c/payment_intents/{id}/settle` with `{"outcome": "succeeded"}`
# or `{"outcome": "failed"}` (also after success: an ACH return) plays the bank.

_pm_init = resources.PaymentMethod.__init__


def _payment_method_init(self, type=None, us_bank_account=None, **kwargs):  # noqa: A002
    if type != "us_bank_account":
        _pm_init(self, type=type, **kwargs)
        return
    account = us_bank_account or {}
    number = str(account.get("account_number") or "")
    if not number.isdigit() or len(str(account.get("routing_number") or "")) != 9:
        raise resources.UserError(400, "Bad request")
    _pm_init(
        self, type="sepa_debit", sepa_debit={"iban": "DE89370400440532013000"}, **kwargs
    )
    del self.sepa_debit
    self.type = "us_bank_account"
    self._account_number = number
    self.us_bank_account = {
        "account_holder_type": account.get("account_holder_type", "company"),
        "account_type": "checking",
        "bank_name": "STRIPE TEST BANK",
        "last4": number[-4:],
        "routing_number": account["routing_number"],
        "fingerprint": resources.fingerprint(number),
    }


resources.PaymentMethod.__init__ = _payment_method_init
_pm_declined = resources.PaymentMethod._charging_is_declined


def _charging_is_declined(self):
    if self.type == "us_bank_account":
        return False
    return _pm_declined(self)


resources.PaymentMethod._charging_is_declined = _charging_is_declined
_charge_trigger = resources.Charge._trigger_payment


def _charge_trigger_payment(self, on_success=None):
    method = resources.PaymentMethod._api_retrieve(self.payment_method)
    if method.type != "us_bank_account":
        return _charge_trigger(self, on_success)
    self.status = "pending"  # the bank answers in days: see settle_payment_intent
    self.payment_method_details = {
        "type": "us_bank_account",
        "us_bank_account": {
            "last4": method.us_bank_account["last4"],
            "routing_number": method.us_bank_account["routing_number"],
            "mandate": f"mandate_{self.id[3:]}",
        },
    }


resources.Charge._trigger_payment = _charge_trigger_payment


class Dispute(resources.StripeObject):
    """A dispute (localstripe has none): for ACH, an unauthorized return; for a
    card, a chargeback the card network decides (see ``dispute_charge``)."""

    object = "dispute"
    _id_prefix = "dp_"

    def __init__(self, charge, reason, status):
        super().__init__()
        self.amount = charge.amount
        self.currency = charge.currency
        self.charge = charge.id
        self.payment_intent = charge.payment_intent
        self.reason = reason
        self.status = status
        self.balance_transactions = []
        self.is_charge_refundable = False


#: ACH Direct Debit pricing: 0.8%, at most $5
def _ach_fee(amount):
    return min(round(amount * 0.008), 500)


#: Stripe's dispute fee, taken with the disputed amount
DISPUTE_FEE = 1500


async def settle_payment_intent(request):
    """The bank's answer for an ACH debit, in Stripe's shapes.

    * ``succeeded``: the charge succeeds; its balance transaction is of type
      ``payment`` (a local payment method's charge), ACH fee deducted;
    * ``failed`` while processing: the charge fails, the intent asks for a new
      payment method; no money moved;
    * ``failed`` after success (an ACH return, R01...): the charge turns
      ``failed`` and a ``payment_failure_refund`` balance transaction (reporting
      category ``charge_failure``, source: the charge) takes the amount back;
    * ``disputed`` after success (an unauthorized return, R05/R07/R10/R29): a
      dispute, already lost (ACH disputes cannot be contested), and an
      ``adjustment`` balance transaction (category ``dispute``, source: the
      dispute) takes the amount and the dispute fee. Answers the dispute.
    """
    data = json.loads(await request.text() or "{}")
    intent = resources.PaymentIntent._api_retrieve(request.match_info["id"])
    charge = intent.latest_charge
    outcome = data.get("outcome")
    if outcome == "succeeded":
        fee = _ach_fee(charge.amount)
        txn = _balance_transaction(
            charge.amount,
            charge.currency,
            charge.id,
            "payment",
            "charge",
            description=charge.description,
            fee=fee,
            fee_details=_fee_details(fee, charge.currency, "Stripe processing fees"),
        )
        charge.balance_transaction = txn.id
        charge.status = "succeeded"
    elif outcome == "disputed":
        if charge.status != "succeeded":
            raise resources.UserError(400, "Only a settled debit can be disputed")
        dispute = Dispute(charge, "debit_not_authorized", "lost")
        txn = _dispute_withdrawal(charge, dispute)
        dispute.balance_transactions = [txn._export()]
        charge.disputed = True
        return server.json_response(dispute._export())
    else:
        if charge.status == "succeeded":
            _balance_transaction(
                -charge.amount,
                charge.currency,
                charge.id,
                "payment_failure_refund",
                "charge_failure",
                description=f"Payment failure refund for {charge.id}",
            )
        charge.status = "failed"
        charge.failure_code = "insufficient_funds"
        charge.failure_message = "The customer's account has insufficient funds (R01)."
    return server.json_response(intent._export(expand=["payment_method"]))


# --- card disputes -------------------------------------------------------------
# Stripe's dispute lifecycle for a card charge: when the cardholder disputes,
# Stripe withdraws the amount and the dispute fee at once (an ``adjustment`` of
# category ``dispute``, source: the dispute) while the dispute is
# ``needs_response``; evidence makes it ``under_review``; the card network then
# decides ``won`` (Stripe reinstates the amount: an ``adjustment`` of category
# ``dispute_reversal``; the dispute fee is not given back) or ``lost`` (nothing
# more moves). The dispute lists these balance transactions.
#: what the card network may decide, after the dispute opened
DISPUTE_STATUSES = ("under_review", "won", "lost")


def _dispute_withdrawal(charge, dispute):
    return _balance_transaction(
        -charge.amount,
        charge.currency,
        dispute.id,
        "adjustment",
        "dispute",
        description=f"Chargeback withdrawal for {charge.id}",
        fee=DISPUTE_FEE,
        fee_details=_fee_details(DISPUTE_FEE, charge.currency, "Dispute fee"),
    )


async def dispute_charge(request):
    """The cardholder disputes a settled card charge: the dispute opens
    (``needs_response``) and its funds are withdrawn. Answers the dispute."""
    data = json.loads(await request.text() or "{}")
    charge = resources.Charge._api_retrieve(request.match_info["id"])
    if charge.status != "succeeded" or getattr(charge, "disputed", False):
        raise resources.UserError(400, "Only a settled charge can be disputed")
    dispute = Dispute(charge, data.get("reason", "fraudulent"), "needs_response")
    dispute.balance_transactions = [_dispute_withdrawal(charge, dispute)._export()]
    charge.disputed = True
    return server.json_response(dispute._export())


async def decide_dispute(request):
    """The dispute moves on: ``under_review``, ``won`` (the funds are
    reinstated) or ``lost``. Answers the dispute."""
    data = json.loads(await request.text() or "{}")
    dispute = Dispute._api_retrieve(request.match_info["id"])
    status = data.get("status")
    if status not in DISPUTE_STATUSES or dispute.status in ("won", "lost"):
        raise resources.UserError(400, "Bad request")
    dispute.status = status
    if status == "won":
        charge = resources.Charge._api_retrieve(dispute.charge)
        reinstated = _balance_transaction(
            charge.amount,
            charge.currency,
            dispute.id,
            "adjustment",
            "dispute_reversal",
            description=f"Chargeback reversal for {charge.id}",
        )
        dispute.balance_transactions.append(reinstated._export())
    return server.json_response(dispute._export())


# --- browser half of confirmPayment --------------------------------------------


async def confirm_payment_intent(request):
    """Create the PaymentMethod of the element and confirm the intent with it."""
    # text/plain from the browser: a simple CORS request, no preflight
    data = json.loads(await request.text())
    intent = resources.PaymentIntent._api_retrieve(request.match_info["id"])
    if data.get("client_secret") != intent.client_secret:
        raise resources.UserError(401, "Unauthorized")
    pm_data = data.get("payment_method_data") or {}
    kind = pm_data.get("type", "card")
    method = resources.PaymentMethod._api_create(
        type=kind,
        billing_details=pm_data.get("billing_details") or None,
        **{kind: pm_data.get(kind)},
    )
    if intent.customer:
        resources.PaymentMethod._api_attach(method.id, customer=intent.customer)
    intent.payment_method = method.id
    intent._confirm(on_failure_now=intent._report_async_failure)
    return server.json_response(intent._export())


async def stripe_js(request):
    with open(
        os.path.join(os.path.dirname(resources.__file__), "localstripe-v3.js")
    ) as f:
        base = f.read()
    with open(STANDIN_JS) as f:
        extension = f.read()
    # localstripe's script declares a global `class Element`, which shadows the
    # DOM's Element for every script of the page (Bootstrap breaks): scope it.
    text = f"(function () {{\n{base}\n{extension}\n}})();\n"
    return web.Response(text=text, content_type="application/javascript")


server.app.router.add_post(
    "/_config/o2c/payment_intents/{id}/confirm", confirm_payment_intent
)
server.app.router.add_get("/js.stripe.com/v3/o2c/", stripe_js)
server.app.router.add_post("/_config/o2c/payouts", automatic_payout)
server.app.router.add_get("/_config/o2c/idempotency_keys", idempotency_keys)
server.app.router.add_post(
    "/_config/o2c/payment_intents/{id}/settle", settle_payment_intent
)
server.app.router.add_get(
    "/v1/disputes/{id}", server.api_retrieve(Dispute, "/v1/disputes")
)
server.app.router.add_post("/_config/o2c/charges/{id}/dispute", dispute_charge)
server.app.router.add_post("/_config/o2c/disputes/{id}", decide_dispute)


def main():
    global _STORE_PATH  # noqa: PLW0603 - set once, before serving
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--store", help="pickle file keeping the data between runs")
    parser.add_argument("--webhook-url", help="where to send signed events")
    parser.add_argument("--webhook-secret", help="secret signing the events")
    args = parser.parse_args()
    _STORE_PATH = args.store
    if args.webhook_url and args.webhook_secret:
        register_webhook("o2c", args.webhook_url, args.webhook_secret, None)
    resources.store.try_load_from_disk()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    logging.basicConfig(level=logging.WARNING)
    web.run_app(server.app, sock=sock, print=None, access_log=None)


if __name__ == "__main__":
    main()
