#!/usr/bin/env python3
"""`make bench`: order intake throughput against baselines measured in the same run.

1. Accept rate: signed XML POSTs to our intake route vs. POSTs to a bare Odoo
   route that stores the body with one INSERT (bench/addons/o2c_bench_baseline),
   same server, same client, interleaved rounds. The job runner is off, so this
   measures what the shop waits for: authenticate, store, queue, answer.
2. Order rate: XML document → confirmed sale order (parse, match, create,
   confirm) vs. a plain ORM create + confirm loop of the same order: one order
   at a time (its door, then its drain, in-process), and pushed to a running
   server as deployed (HTTP door, job runner; bench/order_pipeline.py).

Reports absolute numbers and ratios; writes bench/results/latest.json.
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

import requests

BENCH = pathlib.Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO / "tools"))
sys.path.insert(0, str(REPO / "tests"))

import job_ticket  # noqa: E402
import order_pipeline  # noqa: E402
from accept_concurrency import (  # noqa: E402
    accept_requests,
    bench_accept_concurrent,
    create_signed_shop,
)
from bench_server import start_bench_server  # noqa: E402
from o2c_common import check_odoo, discover_addons, odoo_addons_path  # noqa: E402
from odoo_server import load_webhook_signature, psql  # noqa: E402
from portal_account import bench_portal_account, report  # noqa: E402

signature = load_webhook_signature()


def timed_posts(session, url, count, make_request):
    latencies = []
    for _ in range(count):
        body, headers = make_request()
        started = time.perf_counter()
        response = session.post(url, data=body, headers=headers, timeout=30)
        latencies.append(time.perf_counter() - started)
        if response.status_code not in (200, 202):
            raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")
    return latencies


def summary(latencies):
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "per_s": len(latencies) / sum(latencies),
        "p50_ms": 1000 * statistics.median(ordered),
        "p95_ms": 1000 * ordered[int(0.95 * (len(ordered) - 1))],
    }


def bench_accept(server, shop_code, secret, count, rounds):
    session = requests.Session()
    intake_url = f"{server.url}/ecom/intake/{shop_code}/orders"
    bare_url = f"{server.url}/o2c_bench/insert"

    intake_request, bare_request = accept_requests(secret, signature)
    timed_posts(session, intake_url, 20, intake_request)  # warm up
    timed_posts(session, bare_url, 20, bare_request)
    ours, bare = [], []
    for index in range(rounds):
        # each route first in turn: the machine's speed drifts over seconds
        if index % 2:
            bare += timed_posts(session, bare_url, count, bare_request)
            ours += timed_posts(session, intake_url, count, intake_request)
        else:
            ours += timed_posts(session, intake_url, count, intake_request)
            bare += timed_posts(session, bare_url, count, bare_request)
    return {"intake": summary(ours), "bare_insert_route": summary(bare)}


def run(cmd, **kwargs):
    print("$", " ".join(cmd[:6]), "...", flush=True)
    return subprocess.run(cmd, check=True, **kwargs)


def analyze(database):
    print("$ psql ANALYZE", flush=True)
    psql(database, "ANALYZE")


def main():
    parser = argparse.ArgumentParser(description="O2C benchmarks")
    parser.add_argument("--requests", type=int, default=200, help="per route and round")
    parser.add_argument("--orders", type=int, default=40, help="per loop and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--zoho-accounts", type=int, default=10000)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated benchmarks to run: accept and orders always run,"
        " then portal, zoho, job_ticket, dso if named (default: all), e.g."
        " --only accept,orders",
    )
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))

    def wanted(name):
        return not only or name in only

    problem = check_odoo()
    if problem:
        print(problem, file=sys.stderr)
        return 2

    addons_path = odoo_addons_path() + "," + str(BENCH / "addons")
    database = f"o2c_bench_{os.getpid()}"
    addons = ",".join([*discover_addons(), "o2c_bench_baseline"])
    log = REPO / "var/bench.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    results = {"database": database}
    try:
        with open(log, "ab") as out:
            run(
                [
                    sys.executable,
                    "-m",
                    "odoo",
                    "-c",
                    str(REPO / "odoo.conf"),
                    "--addons-path",
                    addons_path,
                    "-d",
                    database,
                    "-i",
                    addons,
                    "--stop-after-init",
                    "--log-level",
                    "warn",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        analyze(database)
        # job runner off: the accept benchmark measures the door, not the jobs
        server = start_bench_server(database, addons_path, "bench-server.log")
        try:
            secret = create_signed_shop(server.rpc(), signature, "Bench shop", "bench")
            results["accept"] = bench_accept(
                server, "bench", secret, args.requests, args.rounds
            )
            results["accept_8_senders"] = bench_accept_concurrent(
                server, "bench", secret, signature
            )
        finally:
            server.stop()

        def in_odoo(script, *options, env=None):
            """Run a bench script inside Odoo on the database; :return: its JSON."""
            output = run(
                [sys.executable, str(BENCH / script), "--database", database]
                + ["--addons-path", addons_path, "--config", str(REPO / "odoo.conf")]
                + list(options),
                capture_output=True,
                text=True,
                env=env,
            ).stdout
            return json.loads(output.strip().splitlines()[-1])

        # statistics, as autovacuum keeps them on a production database (this
        # machine's PostgreSQL runs without it): both loops plan on them
        analyze(database)
        results["orders"] = in_odoo(
            "order_rate.py", "--count", str(args.orders), "--rounds", str(args.rounds)
        )
        results["order_pipeline"] = order_pipeline.bench_order_pipeline(
            database, addons_path, in_odoo, args.orders, args.rounds
        )
        if "portal_payments" in addons and wanted("portal"):
            results["portal_account"] = bench_portal_account(database, addons_path)
        if "zoho_connector" in addons and wanted("zoho"):
            results["zoho"] = in_odoo(
                "zoho_sync_rate.py", "--accounts", str(args.zoho_accounts)
            )
        if "job_ticket_print" in addons and wanted("job_ticket"):
            results["job_ticket"] = job_ticket.bench(database, addons_path, in_odoo)
        if "dso_reports" in addons and wanted("dso"):
            results["dso"] = in_odoo("dso.py")
    finally:
        if not args.keep_db:
            subprocess.run(["dropdb", "--if-exists", "--force", database], check=False)

    accept, orders = results["accept"], results["orders"]
    results["ratios"] = {
        "accept_rate_vs_bare_insert_route": accept["intake"]["per_s"]
        / accept["bare_insert_route"]["per_s"],
        "xml_to_order_rate_vs_orm_loop": orders["intake_orders_per_s"]
        / orders["orm_orders_per_s"],
        "xml_to_order_rate_vs_orm_default_salesperson": orders["intake_orders_per_s"]
        / orders["orm_default_salesperson_orders_per_s"],
        "xml_to_order_pipeline_vs_orm_loop": results["order_pipeline"][
            "pipeline_orders_per_s"
        ]
        / results["order_pipeline"]["orm_orders_per_s"],
    }
    (BENCH / "results").mkdir(exist_ok=True)
    (BENCH / "results/latest.json").write_text(json.dumps(results, indent=2))
    ratios = results["ratios"]
    print()
    print("Intake accept (sequential client, job runner off)")
    for name, row in accept.items():
        print(
            f"  {name:18} {row['per_s']:7.1f} req/s  p50 {row['p50_ms']:6.1f} ms"
            f"  p95 {row['p95_ms']:6.1f} ms"
        )
    accept_ratio = ratios["accept_rate_vs_bare_insert_route"]
    print(f"  ratio intake / bare INSERT route: {accept_ratio:.2f}")
    crowd = results["accept_8_senders"]
    print(
        f"  8 senders: intake {crowd['intake_per_s']:.1f} req/s, bare"
        f" {crowd['bare_per_s']:.1f} req/s, ratio {crowd['ratio']:.2f}"
    )
    print("XML → confirmed sale order, one order at a time (its door, then its drain)")
    print(
        f"  intake (parse, match, create, confirm)"
        f" {orders['intake_orders_per_s']:7.1f} orders/s"
    )
    print(
        f"  ORM create + confirm, same salesperson"
        f" {orders['orm_orders_per_s']:7.1f} orders/s"
    )
    print(
        f"  ORM create + confirm, Odoo's default salesperson"
        f" {orders['orm_default_salesperson_orders_per_s']:7.1f} orders/s"
    )
    print(
        f"  ratio intake / ORM loop: {ratios['xml_to_order_rate_vs_orm_loop']:.2f}"
        " (against the loop with Odoo's default salesperson:"
        f" {ratios['xml_to_order_rate_vs_orm_default_salesperson']:.2f})"
    )
    print(
        "  each round: " + ", ".join(f"{ratio:.2f}" for ratio in orders["round_ratios"])
    )
    order_pipeline.report(results["order_pipeline"])
    zoho = results.get("zoho")
    if zoho:
        print(f"Zoho full sync of {zoho['accounts']} accounts (fake Zoho on loopback)")
        print(
            f"  sync {zoho['sync_seconds']:.1f} s,"
            f" ORM create {zoho['orm_seconds']:.1f} s"
        )
        print(f"  ratio sync / ORM: {zoho['sync_seconds'] / zoho['orm_seconds']:.1f}")
        print(
            f"  account listing calls {zoho['account_list_calls']} vs minimum "
            f"{zoho['minimum_calls']} (all API calls: {zoho['api_calls_total']})"
        )
    if results.get("job_ticket"):
        job_ticket.report(results["job_ticket"])
    if results.get("portal_account"):
        report(results["portal_account"])
    dso = results.get("dso")
    if dso:
        print(f"Receivables on {dso['receivable_lines']:,} receivable move lines")
        raw = dso["raw_aggregate_seconds"]
        print(f"  one raw SQL aggregate       {raw * 1000:8.1f} ms")
        for key, label in (
            ("dashboard_seconds", "dashboard (6 panels)"),
            ("trend_24_months_seconds", "24-month trend"),
            ("snapshot_day_seconds", "daily snapshot, all customers"),
        ):
            print(f"  {label:28}{dso[key] * 1000:8.1f} ms  ({dso[key] / raw:.1f}× raw)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
