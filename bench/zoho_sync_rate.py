"""Full Zoho sync of N accounts vs. creating the same partners with the ORM.

Runs inside Odoo (this process) against a fake Zoho on 127.0.0.1; prints one
JSON line. The sync's transaction is rolled back at the end, like the baseline's.
"""

import importlib.util
import json
import math
import pathlib
import time

from in_odoo import open_registry

import odoo

FAKE_ZOHO = (
    pathlib.Path(__file__).resolve().parents[1]
    / "addons/zoho_connector/tests/fake_zoho.py"
)


def load_fake_zoho():
    spec = importlib.util.spec_from_file_location("fake_zoho", FAKE_ZOHO)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FakeZoho


def orm_baseline(registry, accounts):
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        country = env.ref("base.us").id
        started = time.perf_counter()
        env["res.partner"].create(
            [
                {
                    "name": rec["Account_Name"],
                    "ref": rec["Account_Number"],
                    "phone": rec["Phone"],
                    "website": rec["Website"],
                    "street": rec["Billing_Street"],
                    "city": rec["Billing_City"],
                    "country_id": country,
                    "credit_limit": rec["Credit_Limit__c"],
                    "is_company": True,
                }
                for rec in accounts
            ]
        )
        env.flush_all()
        elapsed = time.perf_counter() - started
        cr.rollback()
    return elapsed


def zoho_sync(registry, zoho):
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        backend = env["zoho.backend"].create(
            {
                "name": "bench",
                "accounts_url": zoho.accounts_url,
                "client_id": zoho.client_id,
                "client_secret": zoho.client_secret,
                "refresh_token": zoho.refresh_token,
                "state": "connected",
                "daily_credit_budget": 0,
            }
        )
        cr.commit()  # the token store and run log use their own transactions
        started = time.perf_counter()
        backend._zoho_pull(full=True)
        env.flush_all()
        elapsed = time.perf_counter() - started
        cr.rollback()  # the run log was committed on its own: read it anew
        run = env["zoho.sync.run"].search([("backend_id", "=", backend.id)], limit=1)
        created = run.created_count
        env["zoho.backend"].browse(backend.id).with_context(
            active_test=False
        ).sync_run_ids.unlink()
        env["zoho.backend"].browse(backend.id).unlink()
        cr.commit()
    return elapsed, created


def main():
    registry, args = open_registry(
        lambda parser: parser.add_argument("--accounts", type=int, default=10000)
    )
    zoho = load_fake_zoho()().start()
    try:
        zoho.add_accounts(args.accounts)
        accounts = list(zoho.records["Accounts"].values())
        baseline = orm_baseline(registry, accounts)
        zoho.clear_requests()
        sync_seconds, created = zoho_sync(registry, zoho)
        listing = [req for req in zoho.api_requests() if req[1] == "/crm/v8/Accounts"]
    finally:
        zoho.stop()
    print(
        json.dumps(
            {
                "accounts": args.accounts,
                "created": created,
                "sync_seconds": sync_seconds,
                "orm_seconds": baseline,
                "account_list_calls": len(listing),
                "api_calls_total": len(zoho.api_requests()),
                "minimum_calls": math.ceil(args.accounts / 200),
            }
        )
    )


if __name__ == "__main__":
    main()
