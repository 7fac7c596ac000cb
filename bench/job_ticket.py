"""Job ticket benchmarks (``make bench``), each with its baseline in the same run.

1. Order confirmed → ticket bytes at the printer, p50/p95, with 10 orders/s
   arriving: a real server with its job runner, a fake ESC/POS printer (TCP on
   loopback). Baseline: the confirm call itself (what the confirming user waits
   for), measured in the same calls.
2. Invoice-and-send (our ``_job_send_invoice``: lock, ``account.move.send``, SMTP
   delivery checked) vs. Odoo's plain ``account.move.send`` + mail queue send of
   the same invoices (in-process, ``bench/job_ticket_invoice.py``).
"""

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bench_server import start_bench_server
from odoo_server import REPO, load_by_path

CLIENTS = 4
FAKE_PRINTER_PY = REPO / "addons/job_ticket_print/tests/fake_printer.py"


def percentiles(values):
    ordered = sorted(values)
    return {
        "count": len(ordered),
        "p50_ms": 1000 * statistics.median(ordered),
        "p95_ms": 1000 * ordered[int(0.95 * (len(ordered) - 1))],
    }


def bench_ticket_latency(database, addons_path, orders=100, rate=10.0):
    """:return: latency of ticket bytes after the confirm returned, and of the
    confirm call itself, at ``rate`` orders/s."""
    fake = load_by_path("o2c_fake_printer", FAKE_PRINTER_PY)
    printer = fake.FakeEscposPrinter().start()
    server = start_bench_server(
        database, addons_path, "bench-job-ticket-server.log", job_runner=True
    )
    try:
        rpc = server.rpc()
        defaults = rpc("production.printer", "search", [("is_default", "=", True)])
        rpc("production.printer", "write", defaults, {"is_default": False})
        rpc(
            "production.printer",
            "create",
            {
                "name": "Bench ESC/POS",
                "kind": "escpos",
                "host": "127.0.0.1",
                "port": printer.port,
                "is_default": True,
            },
        )
        customer = rpc("res.partner", "search", [("ref", "=", "C-1001")])[0]
        product = rpc(
            "product.product", "search", [("default_code", "=", "O2C-PAPER-A4")]
        )[0]
        order_ids = rpc(
            "sale.order",
            "create",
            [
                {
                    "partner_id": customer,
                    "order_line": [(0, 0, {"product_id": product})],
                }
                for _index in range(orders)
            ],
        )
        names = {
            row["id"]: row["name"]
            for row in rpc("sale.order", "read", order_ids, ["name"])
        }
        confirmed_at, confirm_seconds = {}, []
        lock = threading.Lock()

        # one logged-in client per worker thread (logging in is slow on purpose)
        clients = threading.local()

        def confirm(order_id):
            if not hasattr(clients, "rpc"):
                clients.rpc = server.rpc()
            client = clients.rpc
            started = time.time()
            client("sale.order", "action_confirm", [order_id])
            done = time.time()
            with lock:
                confirmed_at[names[order_id]] = done
                confirm_seconds.append(done - started)

        # orders arrive every 1/rate s; a few clients confirm them, like users
        start, futures = time.time(), []
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            for index, order_id in enumerate(order_ids):
                delay = start + index / rate - time.time()
                if delay > 0:
                    time.sleep(delay)
                futures.append(pool.submit(confirm, order_id))
        for future in futures:
            future.result()
        achieved_rate = orders / (max(confirmed_at.values()) - start)
        tickets = printer.wait_for(orders, timeout=300)
        arrivals = {}
        for (arrived, _data), data in zip(printer.tickets, tickets, strict=True):
            name = fake.read_ticket(data).barcodes[0][1][2:]
            arrivals.setdefault(name, arrived)
        latency = [arrivals[name] - confirmed_at[name] for name in confirmed_at]
        return {
            "orders": orders,
            "rate_per_s": rate,
            "achieved_rate_per_s": achieved_rate,
            "tickets_printed": len(tickets),
            "confirmed_to_ticket": percentiles(latency),
            "confirm_call": percentiles(confirm_seconds),
        }
    finally:
        server.stop()
        printer.stop()


def bench(database, addons_path, in_odoo):
    """Run both benchmarks; :return: their results."""
    latency = bench_ticket_latency(database, addons_path)
    sending = in_odoo("job_ticket_invoice.py", "--count", "10")
    return {
        "ticket_latency": latency,
        "invoice_send": sending,
        "ratios": {
            "ticket_p50_vs_confirm_call_p50": latency["confirmed_to_ticket"]["p50_ms"]
            / latency["confirm_call"]["p50_ms"],
            "invoice_and_send_vs_plain_account_move_send": sending["ours_s_per_invoice"]
            / sending["plain_s_per_invoice"],
        },
    }


def report(results):
    latency, sending = results["ticket_latency"], results["invoice_send"]
    ticket, call = latency["confirmed_to_ticket"], latency["confirm_call"]
    print(
        f"Job ticket: order confirmed → ticket bytes at the printer "
        f"({latency['orders']} orders at {latency['rate_per_s']:.0f}/s, "
        f"achieved {latency['achieved_rate_per_s']:.1f}/s)"
    )
    print(f"  ticket   p50 {ticket['p50_ms']:7.1f} ms  p95 {ticket['p95_ms']:7.1f} ms")
    print(f"  confirm  p50 {call['p50_ms']:7.1f} ms  p95 {call['p95_ms']:7.1f} ms")
    ratios = results["ratios"]
    ratio = ratios["ticket_p50_vs_confirm_call_p50"]
    print(f"  ratio ticket p50 / confirm call p50: {ratio:.2f}")
    print(f"Invoice e-mail on completion ({sending['count']} invoices each)")
    print(
        f"  ours (lock, account.move.send, SMTP checked) "
        f"{sending['ours_s_per_invoice'] * 1000:7.1f} ms/invoice"
    )
    print(
        f"  plain account.move.send + mail send          "
        f"{sending['plain_s_per_invoice'] * 1000:7.1f} ms/invoice"
    )
    print(
        "  ratio ours / plain: "
        f"{ratios['invoice_and_send_vs_plain_account_move_send']:.2f}"
    )
