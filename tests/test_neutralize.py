"""A staging copy made the way an administrator makes one: copy the database, run
Odoo's own ``odoo neutralize`` on it, serve it. Nothing in it may talk to the
outside: Zoho, Stripe, the printers, the shops, management's mailbox.
"""

import subprocess
import sys
import time
import uuid

from conftest import (
    post_order,
    served_test_copy,
    signature,
    zoho_backend_values,
)
from odoo_server import REPO, psql
from test_zoho_jobs import load_fake_zoho, post_invoice, wait_for

SHOP_ORDER = (
    b'<Order xmlns="urn:o2c:ecom:order:1"><OrderId>NEUTRAL-1</OrderId>'
    b"<OrderDate>2026-11-20</OrderDate><Currency>USD</Currency><Customer>"
    b"<AccountRef>C-1001</AccountRef><Name>Web customer</Name></Customer><Lines>"
    b'<Line number="1"><SKU>O2C-PAPER-A4</SKU><Quantity unitCode="C62">1</Quantity>'
    b"<UnitPrice>6.50</UnitPrice></Line></Lines></Order>"
)


def neutralize(server):
    """``odoo neutralize -d <copy>``, as documented by Odoo, server stopped."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            "neutralize",
            "--config",
            str(REPO / "odoo.conf"),
            "--addons-path",
            server.addons_path,
            "-d",
            server.database,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Neutralization finished" in result.stderr, result.stderr[-2000:]


def zoho_job_ids(rpc):
    return rpc("queue.job", "search", [("channel", "=like", "root.zoho%")])


def zoho_jobs_settled(rpc):
    busy = rpc(
        "queue.job",
        "search_count",
        [
            ("channel", "=like", "root.zoho%"),
            ("state", "in", ("pending", "enqueued", "started")),
        ],
    )
    return busy == 0


def test_a_neutralized_copy_talks_to_nothing_outside():
    zoho = load_fake_zoho()().start()
    try:
        with served_test_copy("neutral") as server:
            _check_neutralized_copy(server, zoho)
    finally:
        zoho.stop()


def _check_neutralized_copy(server, zoho):
    rpc = server.rpc()
    database = server.database
    # -- production as it runs: every door to the outside open -----------------
    account_ids = zoho.add_accounts(2)
    backend = rpc(
        "zoho.backend", "create", zoho_backend_values(zoho, "Production Zoho")
    )
    rpc("zoho.backend", "action_sync_now", [backend])
    bindings = wait_for(
        lambda: rpc(
            "zoho.partner.binding",
            "search_read",
            [("backend_id", "=", backend), ("zoho_module", "=", "Accounts")],
            fields=["partner_id", "zoho_id"],
        ),
        timeout=60,
        what="the pull before neutralizing",
    )
    assert sorted(b["zoho_id"] for b in bindings) == sorted(account_ids)
    partner_id = bindings[0]["partner_id"][0]
    # the control: before neutralizing, a posted invoice reaches Zoho
    post_invoice(rpc, partner_id, "Paper", 12)
    wait_for(lambda: zoho.records["Invoices"], timeout=90, what="the invoice push")
    wait_for(lambda: zoho_jobs_settled(rpc), timeout=90, what="the Zoho jobs")

    code = f"neutral-{uuid.uuid4().hex[:8]}"
    shop_secret = signature.generate_secret()
    shop_id = rpc("ecom.shop", "create", {"name": "Neutral shop", "code": code})
    rpc(
        "ecom.shop.secret",
        "create",
        {"shop_id": shop_id, "name": "prod", "secret": shop_secret},
    )
    shop = {"code": code, "secret": shop_secret}
    rpc(
        "production.printer",
        "create",
        [
            {"name": "Shop floor laser", "kind": "cups", "cups_queue": "laser"},
            {"name": "Counter receipts", "kind": "escpos", "host": "192.0.2.10"},
        ],
    )
    company_ids = rpc("res.company", "search", [])
    rpc("res.company", "write", company_ids, {"dso_digest": True})
    rpc("res.partner", "write", [partner_id], {"portal_autopay_state": "enrolled"})
    stripe = rpc("payment.provider", "search", [("code", "=", "stripe")])
    rpc("payment.provider", "write", stripe, {"state": "enabled"})
    assert psql(
        database,
        "SELECT count(*) FROM payment_provider WHERE code = 'stripe'"
        " AND stripe_secret_key IS NOT NULL",
    ) == [["1"]]
    # a Zoho pull told to come back in an hour (429, Retry-After): waiting
    zoho.busy(1.0, retry_after=3600)
    rpc("zoho.backend", "action_sync_now", [backend])
    postponed = wait_for(
        lambda: rpc(
            "queue.job",
            "search",
            [
                ("channel", "=like", "root.zoho%"),
                ("state", "=", "pending"),
                ("retry", ">=", 1),
            ],
        ),
        timeout=60,
        what="a Zoho job postponed by Zoho's Retry-After",
    )
    zoho.busy(0.0)
    zoho_jobs_before = zoho_job_ids(rpc)

    # -- the administrator's copy ----------------------------------------------
    server.stop()
    neutralize(server)
    server.start()
    rpc = server.rpc()
    zoho.clear_requests()
    with zoho.lock:
        tokens_before = zoho.tokens_issued

    # Zoho: disconnected, no secret, no token; posting queues nothing, calls nothing
    assert psql(
        database,
        "SELECT state, client_secret IS NULL, refresh_token IS NULL,"
        " channel_token IS NULL FROM zoho_backend WHERE id = %d" % backend,
    ) == [["draft", "t", "t", "t"]]
    assert psql(database, "SELECT count(*) FROM zoho_backend_token") == [["0"]]
    # what was queued for Zoho is cancelled, not left to fail on the copy
    assert psql(
        database,
        "SELECT state FROM queue_job WHERE id IN (%s)"
        % ",".join(str(job_id) for job_id in postponed),
    ) == [["cancelled"]] * len(postponed)
    invoice_id = post_invoice(rpc, partner_id, "Toner", 34)
    assert rpc("account.move", "read", [invoice_id], ["state"])[0]["state"] == "posted"
    time.sleep(3)  # a job would be queued with the posting, and run by now
    assert zoho_job_ids(rpc) == zoho_jobs_before
    assert psql(database, "SELECT count(*) FROM zoho_receivables_pending") == [["0"]]
    with zoho.lock:
        assert zoho.requests == []
        assert zoho.tokens_issued == tokens_before
    assert len(zoho.records["Invoices"]) == 1  # the one from before only

    # the shops: every signing secret archived, a signed order is refused
    response = post_order(server, shop, SHOP_ORDER)
    assert response.status_code == 401, response.text
    assert psql(database, "SELECT count(*) FROM ecom_shop_secret WHERE active") == [
        ["0"]
    ]

    # printers: every one writes to a folder of the data directory
    assert psql(
        database,
        "SELECT DISTINCT kind, host IS NULL, cups_queue IS NULL, cups_server IS NULL"
        " FROM production_printer",
    ) == [["folder", "t", "t", "t"]]

    # Stripe: no keys, Stripe's own URLs (no local test server), autopay off
    assert psql(
        database,
        "SELECT stripe_secret_key IS NULL, stripe_publishable_key IS NULL,"
        " stripe_webhook_secret IS NULL, stripe_api_base_url, stripe_js_url"
        " FROM payment_provider WHERE code = 'stripe'",
    ) == [["t", "t", "t", "https://api.stripe.com/v1/", "https://js.stripe.com/v3/"]]
    assert psql(
        database,
        "SELECT count(*) FROM payment_provider WHERE state = 'enabled'"
        " AND code = 'stripe'",
    ) == [["0"]]
    assert psql(
        database,
        "SELECT count(*) FROM res_partner WHERE portal_autopay_state = 'enrolled'",
    ) == [["0"]]

    # the digest, the reminders, the autopay charges, the Zoho pulls: no cron
    # runs (Odoo keeps only its own autovacuum), and mail goes nowhere
    assert psql(database, "SELECT count(*) FROM res_company WHERE dso_digest") == [
        ["0"]
    ]
    active_crons = psql(
        database,
        "SELECT coalesce(d.module || '.' || d.name, c.cron_name) FROM ir_cron c"
        " LEFT JOIN ir_model_data d ON d.model = 'ir.cron' AND d.res_id = c.id"
        " WHERE c.active",
    )
    assert active_crons == [["base.autovacuum_job"]], active_crons
    assert psql(database, "SELECT smtp_host FROM ir_mail_server WHERE active") == [
        ["invalid"]
    ]
    ((flag,),) = psql(
        database,
        "SELECT value FROM ir_config_parameter WHERE key = 'database.is_neutralized'",
    )
    assert flag.lower() == "true"
