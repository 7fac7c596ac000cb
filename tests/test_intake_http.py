"""The intake endpoint against a running Odoo with its queue_job runner."""

import pathlib
import threading
import time

import requests
from conftest import post_order, signed

REPO = pathlib.Path(__file__).resolve().parents[1]
DEMO_ORDERS = REPO / "addons/ecom_order_intake/demo/orders"


def native(order_id, sku="O2C-PAPER-A4", qty=1, price="6.50", customer_ref="C-1001"):
    return (
        '<Order xmlns="urn:o2c:ecom:order:1">'
        f"<OrderId>{order_id}</OrderId><OrderDate>2026-11-20</OrderDate>"
        f"<Currency>USD</Currency><Customer><AccountRef>{customer_ref}</AccountRef>"
        "<Name>Web customer</Name></Customer>"
        f'<Lines><Line number="1"><SKU>{sku}</SKU>'
        f'<Quantity unitCode="C62">{qty}</Quantity>'
        f"<UnitPrice>{price}</UnitPrice></Line></Lines></Order>"
    ).encode()


def wait_for_state(server, shop, status_url, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        status = requests.get(
            server.url + status_url, headers=signed(shop, b""), timeout=30
        )
        assert status.status_code == 200, status.text
        if status.json()["state"] != "received":
            return status.json()
        time.sleep(0.3)
    raise AssertionError(f"intake still waiting after {timeout}s: {status.json()}")


def test_order_is_accepted_then_processed_by_the_job_runner(odoo_server, shop, rpc):
    started = time.perf_counter()
    response = post_order(odoo_server, shop, native("E2E-1"))
    answered_in = time.perf_counter() - started
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["state"] == "received"
    assert answered_in < 5  # a sanity bound, not a benchmark: see `make bench`
    status = wait_for_state(odoo_server, shop, body["status_url"])
    assert status["state"] == "done", status
    orders = rpc(
        "sale.order",
        "search_read",
        [("name", "=", status["sale_order"])],
        fields=["state", "client_order_ref"],
    )
    assert orders == [
        {"id": orders[0]["id"], "state": "sale", "client_order_ref": "E2E-1"}
    ]


def test_demo_order_in_review_tells_the_shop_why(odoo_server, shop):
    body = (DEMO_ORDERS / "native_unknown_sku.xml").read_bytes()
    response = post_order(odoo_server, shop, body)
    assert response.status_code == 202, response.text
    status = wait_for_state(odoo_server, shop, response.json()["status_url"])
    assert status["state"] == "needs_review"
    assert any("NO-SUCH-SKU" in problem for problem in status["problems"])


def _post_together(odoo_server, shop, requests_to_send):
    barrier = threading.Barrier(len(requests_to_send))
    results = [None] * len(requests_to_send)

    def send(index, body, headers):
        barrier.wait()
        results[index] = post_order(odoo_server, shop, body, headers)

    threads = [
        threading.Thread(target=send, args=(index, body, headers))
        for index, (body, headers) in enumerate(requests_to_send)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_same_delivery_sent_twice_concurrently_makes_one_order(odoo_server, shop, rpc):
    body = native("RACE-1")
    headers = signed(shop, body, webhook_id="msg_race_1")
    results = _post_together(odoo_server, shop, [(body, headers), (body, headers)])
    assert sorted(r.status_code for r in results) == [200, 202], [
        r.text for r in results
    ]
    assert results[0].json()["intake"] == results[1].json()["intake"]
    wait_for_state(odoo_server, shop, results[0].json()["status_url"])
    assert (
        rpc("ecom.order.intake", "search_count", [("external_order_id", "=", "RACE-1")])
        == 1
    )
    assert rpc("sale.order", "search_count", [("client_order_ref", "=", "RACE-1")]) == 1


def test_same_order_in_two_deliveries_concurrently_makes_one_order(
    odoo_server, shop, rpc
):
    body = native("RACE-2")
    results = _post_together(
        odoo_server,
        shop,
        [(body, signed(shop, body, webhook_id=f"msg_race_2_{n}")) for n in range(4)],
    )
    assert sorted(r.status_code for r in results) == [200, 200, 200, 202], [
        r.text for r in results
    ]
    assert len({r.json()["intake"] for r in results}) == 1
    wait_for_state(odoo_server, shop, results[0].json()["status_url"])
    assert rpc("sale.order", "search_count", [("client_order_ref", "=", "RACE-2")]) == 1


def test_a_burst_of_orders_is_processed_each_exactly_once(odoo_server, shop, rpc):
    """Deliveries keep arriving while the shop's drain job runs: every intake is
    processed (none left for the cron), each into one order."""
    refs = [f"BURST-{n}" for n in range(24)]
    results = []
    for start in range(0, len(refs), 6):  # waves of 6 senders at once
        wave = [native(ref) for ref in refs[start : start + 6]]
        results += _post_together(
            odoo_server, shop, [(body, signed(shop, body)) for body in wave]
        )
        time.sleep(0.2)
    assert [r.status_code for r in results] == [202] * len(refs), [
        r.text for r in results if r.status_code != 202
    ]
    for response in results:
        status = wait_for_state(odoo_server, shop, response.json()["status_url"])
        assert status["state"] == "done", status
    for ref in refs:
        assert rpc("sale.order", "search_count", [("client_order_ref", "=", ref)]) == 1


def test_status_route_needs_the_signature(odoo_server, shop):
    response = post_order(odoo_server, shop, native("STATUS-1"))
    status_url = odoo_server.url + response.json()["status_url"]
    assert requests.get(status_url, timeout=30).status_code == 401
    other = dict(shop, secret="whsec_" + "QUJD" * 8)
    assert (
        requests.get(status_url, headers=signed(other, b""), timeout=30).status_code
        == 401
    )


def test_lost_races_leave_no_error_in_the_server_log(odoo_server, shop):
    """Duplicates racing each other wait on the claim: no unique-key violation."""
    body = native("RACE-3")
    deliveries = [(body, signed(shop, body, webhook_id="msg_race_3"))] * 3 + [
        (body, signed(shop, body, webhook_id=f"msg_race_3_{n}")) for n in range(3)
    ]
    results = _post_together(odoo_server, shop, deliveries)
    assert sorted(r.status_code for r in results) == [200] * 5 + [202]
    text = odoo_server.log_path.read_text(errors="replace")
    errors = [
        line
        for line in text.splitlines()
        if odoo_server.database in line and (" ERROR " in line or " CRITICAL " in line)
    ]
    assert not errors, errors[:5]
