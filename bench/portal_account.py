"""Account page render time with many invoices vs. stock ``/my/invoices``.

A customer company with N posted invoices (half of them partly paid); its portal
contact requests our account page ``/my/account/balance`` (every open invoice,
aging, payments, credit notes) and Odoo's own ``/my/invoices`` on the same data,
interleaved, on one server. Reports medians and the ratio.
"""

import statistics
import time

import requests
from bench_server import start_bench_server

LOGIN = "bench_portal"


def xmlid(rpc, name):
    module, _sep, ref = name.partition(".")
    return rpc(
        "ir.model.data",
        "search_read",
        [("module", "=", module), ("name", "=", ref)],
        ["res_id"],
    )[0]["res_id"]


def create_account(rpc, invoices):
    """Customer, portal contact and ``invoices`` posted invoices (XML-RPC)."""
    company = rpc(
        "res.partner",
        "create",
        {"name": "Bench Account Inc", "is_company": True, "email": "ap@bench.example"},
    )
    contact = rpc(
        "res.partner",
        "create",
        {"name": "Bench Buyer", "parent_id": company, "email": "buyer@bench.example"},
    )
    portal_group = xmlid(rpc, "base.group_portal")
    rpc(
        "res.users",
        "create",
        {
            "name": "Bench Buyer",
            "login": LOGIN,
            "password": LOGIN,
            "partner_id": contact,
            "groups_id": [(6, 0, [portal_group])],
        },
    )
    product = xmlid(rpc, "o2c_base.product_paper_a4")
    for start in range(0, invoices, 100):
        ids = rpc(
            "account.move",
            "create",
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": company,
                    "invoice_date": f"2026-{1 + (n % 10):02d}-{1 + (n % 27):02d}",
                    "invoice_line_ids": [
                        (0, 0, {"product_id": product, "quantity": 1 + n % 7})
                    ],
                }
                for n in range(start, min(start + 100, invoices))
            ],
        )
        rpc("account.move", "action_post", ids)
    return company


def timed_gets(session, url, count):
    latencies = []
    for _ in range(count):
        started = time.perf_counter()
        response = session.get(url, timeout=120)
        latencies.append(time.perf_counter() - started)
        response.raise_for_status()
    return latencies


def bench_portal_account(database, addons_path, invoices=500, rounds=5):
    """:return: dict with the medians (ms) of both pages and their ratio"""
    server = start_bench_server(database, addons_path, "bench-server.log")
    try:
        create_account(server.rpc(), invoices)
        session = requests.Session()
        session.post(
            f"{server.url}/web/session/authenticate",
            json={
                "jsonrpc": "2.0",
                "params": {"db": database, "login": LOGIN, "password": LOGIN},
            },
            timeout=60,
        ).raise_for_status()
        ours_url = f"{server.url}/my/account/balance"
        stock_url = f"{server.url}/my/invoices"
        timed_gets(session, ours_url, 2)  # warm up (assets, caches)
        timed_gets(session, stock_url, 2)
        ours, stock = [], []
        for _ in range(rounds):
            ours += timed_gets(session, ours_url, 3)
            stock += timed_gets(session, stock_url, 3)
    finally:
        server.stop()
    ours_ms = 1000 * statistics.median(ours)
    stock_ms = 1000 * statistics.median(stock)
    return {
        "invoices": invoices,
        "account_page_ms": ours_ms,
        "stock_my_invoices_ms": stock_ms,
        "ratio": ours_ms / stock_ms,
    }


def report(result):
    print(f"Portal account page with {result['invoices']} invoices (median)")
    print(f"  /my/account/balance {result['account_page_ms']:8.1f} ms")
    print(f"  stock /my/invoices  {result['stock_my_invoices_ms']:8.1f} ms")
    print(f"  ratio account page / stock invoices: {result['ratio']:.2f}")
