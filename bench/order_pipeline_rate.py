"""Orders pushed to a running server → confirmed sale orders, against the plain
ORM create + confirm loop, interleaved in one process (run by order_pipeline.py).

The shop's side: one sender posts the signed benchmark order back to back over
HTTP. Our side, as deployed: the door stores each delivery and answers 202; the
server's job runner runs the shop's drain jobs, each processing what has arrived
(several orders per job when they arrive faster than one is processed). The
clock runs from the first POST until the last order's sale order is confirmed.
Prints one JSON line.
"""

import json
import os
import time
import uuid

import requests
from in_odoo import open_registry
from order_document import native_order
from order_rate import run_orm

import odoo

# a drain job that never comes fails the benchmark instead of hanging it
TIMEOUT_S = 300


def push_orders(registry, url, secret, shop_id, count, signature):
    """Post ``count`` orders, wait until each is a confirmed sale order.

    :return: ``(seconds until all confirmed, seconds spent sending, drain jobs)``
    """
    with registry.cursor() as cr:
        cr.execute("SELECT COALESCE(MAX(id), 0) FROM ecom_order_intake")
        (before,) = cr.fetchone()
        cr.execute("SELECT COALESCE(MAX(id), 0) FROM queue_job")
        (jobs_before,) = cr.fetchone()
    session = requests.Session()
    started = time.perf_counter()
    for _ in range(count):
        body = native_order(f"PIPE-{uuid.uuid4().hex}")
        headers = signature.signed_headers(
            secret, uuid.uuid4().hex, int(time.time()), body
        )
        headers["Content-Type"] = "application/xml"
        response = session.post(url, data=body, headers=headers, timeout=60)
        if response.status_code != 202:
            raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")
    sent = time.perf_counter() - started
    while True:
        with registry.cursor() as cr:
            cr.execute(
                "SELECT state, COUNT(*) FROM ecom_order_intake"
                " WHERE shop_id = %s AND id > %s GROUP BY state",
                [shop_id, before],
            )
            states = dict(cr.fetchall())
        if states.get("done", 0) >= count:
            break
        if set(states) - {"received", "done"}:
            raise RuntimeError(f"benchmark orders not imported: {states}")
        if time.perf_counter() - started > TIMEOUT_S:
            raise RuntimeError(f"benchmark orders still waiting: {states}")
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    with registry.cursor() as cr:
        cr.execute(
            "SELECT COUNT(*) FROM queue_job WHERE id > %s AND identity_key = %s",
            [jobs_before, f"ecom.shop,{shop_id}:drain"],
        )
        (drains,) = cr.fetchone()
    return elapsed, sent, drains


def main():
    registry, args = open_registry(
        lambda parser: (
            parser.add_argument("--url", required=True),
            parser.add_argument("--shop-code", required=True),
            parser.add_argument("--count", type=int, default=60),
            parser.add_argument("--rounds", type=int, default=3),
        )
    )
    secret = os.environ["O2C_BENCH_SHOP_SECRET"]
    # the shop signs as the door verifies (the addon's own module)
    from odoo.addons.ecom_order_intake.utils import webhook_signature as signature

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        shop_id = env["ecom.shop"].search([("code", "=", args.shop_code)]).id
    url = f"{args.url}/ecom/intake/{args.shop_code}/orders"
    run_orm(registry, 5, shop_id)  # warm caches, here and in the server
    push_orders(registry, url, secret, shop_id, 10, signature)
    orm_seconds = pipeline_seconds = sending_seconds = 0.0
    drains = 0
    for _ in range(args.rounds):  # interleaved, so machine noise hits both
        orm_seconds += run_orm(registry, args.count, shop_id)
        elapsed, sent, jobs = push_orders(
            registry, url, secret, shop_id, args.count, signature
        )
        pipeline_seconds += elapsed
        sending_seconds += sent
        drains += jobs
    total = args.count * args.rounds
    print(
        json.dumps(
            {
                "orders": total,
                "orm_orders_per_s": total / orm_seconds,
                "pipeline_orders_per_s": total / pipeline_seconds,
                "sent_per_s": total / sending_seconds,
                "orders_per_drain_job": total / max(drains, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
