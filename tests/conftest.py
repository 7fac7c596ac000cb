"""Tests from outside Odoo: a real server, real HTTP, real PostgreSQL.

``make test`` installs our addons into a database and passes its name in
``O2C_TEST_DB``; these tests copy it and start their own Odoo on a free port.
"""

import contextlib
import os
import time
import uuid

import pytest
import requests
from odoo_server import load_webhook_signature, served_copy

signature = load_webhook_signature()


@contextlib.contextmanager
def served_test_copy(suffix, **server_options):
    """Serve a copy of ``make test``'s database, named ``<prefix>_<suffix>``."""
    source = os.environ.get("O2C_TEST_DB")
    if not source:
        pytest.fail("O2C_TEST_DB is not set: run these tests through `make test`.")
    prefix = os.environ.get("O2C_TEST_DB_PREFIX", source)
    with served_copy(source, f"{prefix.rstrip('_')}_{suffix}", **server_options) as srv:
        yield srv


@pytest.fixture(scope="session")
def odoo_server():
    with served_test_copy("http") as server:
        yield server


@pytest.fixture(scope="session")
def rpc(odoo_server):
    return odoo_server.rpc()


@pytest.fixture(scope="session")
def shop(rpc):
    """A shop with a fresh secret: ``{"code", "secret", "id"}``."""
    code = f"pytest-{uuid.uuid4().hex[:8]}"
    secret = signature.generate_secret()
    shop_id = rpc("ecom.shop", "create", {"name": f"Shop {code}", "code": code})
    rpc(
        "ecom.shop.secret",
        "create",
        {"shop_id": shop_id, "name": "pytest", "secret": secret},
    )
    return {"code": code, "secret": secret, "id": shop_id}


def signed(shop, body, webhook_id=None):
    headers = signature.signed_headers(
        shop["secret"], webhook_id or f"msg_{uuid.uuid4().hex}", int(time.time()), body
    )
    headers["Content-Type"] = "application/xml"
    return headers


def post_order(server, shop, body, headers=None):
    """POST ``body`` to the shop's intake door, signed unless ``headers`` are given."""
    return requests.post(
        f"{server.url}/ecom/intake/{shop['code']}/orders",
        data=body,
        headers=headers if headers is not None else signed(shop, body),
        timeout=30,
    )


def zoho_backend_values(zoho, name):
    """Values of a connected ``zoho.backend`` on the fake Zoho ``zoho``, no budget."""
    return {
        "name": name,
        "accounts_url": zoho.accounts_url,
        "client_id": zoho.client_id,
        "client_secret": zoho.client_secret,
        "refresh_token": zoho.refresh_token,
        "state": "connected",
        "invoice_target": "invoices",
        "daily_credit_budget": 0,
    }
