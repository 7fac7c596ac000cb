"""XML → confirmed sale order as deployed: a shop pushing orders to a running
server (HTTP door, job runner, drain jobs), against the plain ORM create +
confirm loop measured in the same run (``bench/order_pipeline_rate.py``).

Set up on the benchmark database, through the server's own actions:

- what earlier benchmarks left waiting is cancelled (the accept benchmark's
  received intakes and their drain job, the job tickets of the ORM loops): the
  job runner would otherwise run it during this measurement. It is cancelled
  by a server without the job runner, which then stops: cancelling thousands
  of jobs that a running job runner is enqueueing fails on serialization;
- production printers are archived for the measurement, so neither loop makes
  job tickets (printing has its own benchmark, ``job_ticket.py``), then restored.
"""

import os

from accept_concurrency import create_signed_shop
from bench_server import start_bench_server
from odoo_server import load_webhook_signature

signature = load_webhook_signature()


def _cancel_waiting_work(rpc):
    received = rpc("ecom.order.intake", "search", [("state", "=", "received")])
    if received:
        rpc("ecom.order.intake", "action_cancel", received)
    waiting = rpc(
        "queue.job",
        "search",
        [("state", "in", ["pending", "enqueued", "wait_dependencies"])],
    )
    if waiting:
        rpc("queue.job", "button_cancelled", waiting)


def bench_order_pipeline(database, addons_path, in_odoo, count, rounds):
    """:return: the JSON of ``order_pipeline_rate.py``"""
    log_name = "bench-pipeline-server.log"
    setup = start_bench_server(database, addons_path, log_name)
    printers = []
    try:
        rpc = setup.rpc()
        _cancel_waiting_work(rpc)
        if rpc("ir.model", "search", [("model", "=", "production.printer")]):
            printers = rpc("production.printer", "search", [])
            rpc("production.printer", "write", printers, {"active": False})
        secret = create_signed_shop(rpc, signature, "Pipeline bench shop", "pipeline")
    finally:
        setup.stop()
    server = start_bench_server(database, addons_path, log_name, job_runner=True)
    try:
        return in_odoo(
            "order_pipeline_rate.py",
            "--url",
            server.url,
            "--shop-code",
            "pipeline",
            "--count",
            str(count),
            "--rounds",
            str(rounds),
            env=dict(os.environ, O2C_BENCH_SHOP_SECRET=secret),
        )
    finally:
        try:
            if printers:
                server.rpc()("production.printer", "write", printers, {"active": True})
        finally:
            server.stop()


def report(result):
    print("XML → confirmed sale order, pushed to a running server (as deployed)")
    print(
        f"  intake pipeline (HTTP door, job runner)"
        f" {result['pipeline_orders_per_s']:6.1f} orders/s"
        f"  ({result['orders_per_drain_job']:.1f} orders per drain job,"
        f" sent at {result['sent_per_s']:.0f}/s)"
    )
    print(f"  ORM create + confirm                   {result['orm_orders_per_s']:6.1f}")
    print(
        "  ratio pipeline / ORM loop:"
        f" {result['pipeline_orders_per_s'] / result['orm_orders_per_s']:.2f}"
    )
