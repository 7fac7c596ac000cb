"""Intake accept with several shops' senders at once vs. the bare INSERT route.

Same server, same requests as the sequential accept benchmark, but ``senders``
client threads post at the same time (each with its own connection), intake and
bare route in interleaved rounds. Used by ``bench/run.py``.
"""

import threading
import time
import uuid

import requests
from order_document import native_order


def _hammer(url, make_request, senders, per_sender):
    """:return: requests per second over all senders."""
    barrier = threading.Barrier(senders + 1)
    failures = []

    def send():
        session = requests.Session()
        barrier.wait()
        for _ in range(per_sender):
            body, headers = make_request()
            response = session.post(url, data=body, headers=headers, timeout=60)
            if response.status_code not in (200, 202):
                failures.append(f"{response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=send) for _ in range(senders)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{url}: {failures[:3]}")
    return senders * per_sender / elapsed


def create_signed_shop(rpc, signature, name, code):
    """Create a shop with a fresh signing secret, over ``rpc``.

    :return: the secret
    """
    secret = signature.generate_secret()
    shop_id = rpc("ecom.shop", "create", {"name": name, "code": code})
    rpc(
        "ecom.shop.secret",
        "create",
        {"shop_id": shop_id, "name": "bench", "secret": secret},
    )
    return secret


def accept_requests(secret, signature):
    """:return: ``(intake_request, bare_request)``: each makes a fresh
    ``(body, headers)`` for the intake route and for the bare INSERT route."""

    def intake_request():
        body = native_order(f"B-{uuid.uuid4().hex}")
        headers = signature.signed_headers(
            secret, uuid.uuid4().hex, int(time.time()), body
        )
        headers["Content-Type"] = "application/xml"
        return body, headers

    def bare_request():
        body = native_order(f"B-{uuid.uuid4().hex}")
        return body, {"Content-Type": "application/xml"}

    return intake_request, bare_request


def bench_accept_concurrent(server, shop_code, secret, signature, senders=8, count=200):
    """:return: ``{"senders", "intake_per_s", "bare_per_s", "ratio"}``."""
    intake_url = f"{server.url}/ecom/intake/{shop_code}/orders"
    bare_url = f"{server.url}/o2c_bench/insert"
    intake_request, bare_request = accept_requests(secret, signature)
    per_sender = max(count // senders, 1)
    ours, bare = [], []
    for round_index in range(2):
        # each route first in turn: the machine's speed drifts over seconds
        routes = [(ours, intake_url, intake_request), (bare, bare_url, bare_request)]
        if round_index % 2:
            routes.reverse()
        for rates, url, make_request in routes:
            rates.append(_hammer(url, make_request, senders, per_sender))
    intake_rate, bare_rate = sum(ours) / len(ours), sum(bare) / len(bare)
    return {
        "senders": senders,
        "intake_per_s": intake_rate,
        "bare_per_s": bare_rate,
        "ratio": intake_rate / bare_rate,
    }
