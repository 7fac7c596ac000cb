"""ZohoClient against FakeZoho (real HTTP on 127.0.0.1, no database)."""

import threading
import time
from datetime import timedelta

from odoo.tests.common import BaseCase

from ..components.client import (
    MemoryTokenStore,
    ZohoClient,
    credit_cost,
    parse_datetime,
    split_results,
)
from ..components.datacenters import accounts_url
from ..components.errors import (
    ZohoBackendBroken,
    ZohoBudgetExceeded,
    ZohoError,
    ZohoPreconditionFailed,
    ZohoRecordRejected,
    ZohoRestartPagination,
    ZohoRetryLater,
    ZohoTokenRateLimited,
)
from .fake_zoho import FakeZoho

ACCOUNT_FIELDS = ["Account_Name", "Account_Number", "Phone", "Credit_Limit__c"]


class TestZohoClient(BaseCase):
    def setUp(self):
        super().setUp()
        self.zoho = FakeZoho().start()
        self.addCleanup(self.zoho.stop)
        self.sleeps = []

    def client(self, store=None, **kwargs):
        kwargs.setdefault("sleep", self.sleeps.append)
        client = ZohoClient(
            self.zoho.accounts_url,
            self.zoho.client_id,
            self.zoho.client_secret,
            self.zoho.refresh_token,
            store if store is not None else MemoryTokenStore(),
            **kwargs,
        )
        self.addCleanup(client.close)
        return client

    def pull(self, client, **kwargs):
        """All records of a full/incremental Accounts pull, as a list."""
        return [
            rec
            for page in client.iter_records("Accounts", ACCOUNT_FIELDS, **kwargs)
            for rec in page
        ]

    # ------------------------------------------------------------------ OAuth
    def test_datacenters(self):
        self.assertEqual(accounts_url("eu"), "https://accounts.zoho.eu")
        self.assertEqual(accounts_url("CA"), "https://accounts.zohocloud.ca")
        with self.assertRaises(ValueError):
            accounts_url("XX")

    def test_token_refreshed_only_when_needed(self):
        store = MemoryTokenStore()
        client = self.client(store)
        client.org()
        client.modules()
        client.get_fields("Accounts")
        self.assertEqual(self.zoho.tokens_issued, 1)
        self.assertEqual(store.get()[1], self.zoho.api_domain)  # api_domain used
        # within 60 s of expiry: refreshed before the call, not after a failure
        token, domain, _exp = store.get()
        store.set(token, domain, time.time() + 30)
        client.org()
        self.assertEqual(self.zoho.tokens_issued, 2)
        self.assertEqual(len(self.zoho.api_requests()), 4)  # no failed call

    def test_invalid_token_mid_run_refreshes_and_retries_once(self):
        self.zoho.add_accounts(450)
        client = self.client()
        seen = []
        for page in client.iter_records("Accounts", ACCOUNT_FIELDS):
            seen.extend(rec["id"] for rec in page)
            self.zoho.expire_all_tokens()  # Zoho revokes/expires under our feet
        self.assertEqual(len(seen), 450)
        self.assertEqual(len(set(seen)), 450)
        self.assertEqual(self.zoho.tokens_issued, 3)  # initial + 2 INVALID_TOKEN

    def test_concurrent_workers_refresh_once(self):
        store = MemoryTokenStore()
        barrier = threading.Barrier(8)
        errors = []

        def worker():
            client = self.client(store)
            barrier.wait()
            try:
                client.org()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        self.assertEqual(errors, [])
        self.assertEqual(self.zoho.tokens_issued, 1)
        self.assertEqual(store.refresh_count, 1)

    def test_token_endpoint_limit_is_token_rate_limited(self):
        client = self.client()
        for _i in range(10):
            self.zoho.expire_all_tokens()
            client.org()
        self.assertEqual(self.zoho.tokens_issued, 10)
        self.zoho.expire_all_tokens()
        with self.assertRaises(ZohoTokenRateLimited) as caught:
            client.org()
        self.assertEqual(caught.exception.kind, "token_rate_limited")
        self.assertIsInstance(caught.exception, ZohoRetryLater)
        self.assertGreaterEqual(caught.exception.retry_after_seconds, 600)
        self.assertEqual(self.sleeps, [])  # never slept inline for this

    def test_exchange_grant_code_and_bad_refresh_token(self):
        tokens = ZohoClient.exchange_grant_code(
            self.zoho.accounts_url,
            self.zoho.client_id,
            self.zoho.client_secret,
            "1000.fakegrant",
        )
        self.assertTrue(tokens["refresh_token"])
        self.assertEqual(tokens["api_domain"], self.zoho.api_domain)
        self.assertEqual(tokens["expires_in"], 3600)
        with self.assertRaises(ZohoBackendBroken):  # grant codes are single-use
            ZohoClient.exchange_grant_code(
                self.zoho.accounts_url,
                self.zoho.client_id,
                self.zoho.client_secret,
                "1000.fakegrant",
            )
        client = self.client()
        client.refresh_token = "1000.revoked"
        with self.assertRaises(ZohoBackendBroken) as caught:
            client.org()
        self.assertEqual(caught.exception.kind, "backend_broken")
        self.assertEqual(self.zoho.api_requests(), [])

    # --------------------------------------------------------------- reading
    def test_full_pull_5000_passes_the_2000_page_barrier(self):
        self.zoho.add_accounts(5000)
        client = self.client()
        records = self.pull(client)
        self.assertEqual(len(records), 5000)
        self.assertEqual(len({rec["id"] for rec in records}), 5000)
        times = [parse_datetime(rec["Modified_Time"]) for rec in records]
        self.assertEqual(times, sorted(times))
        api = self.zoho.api_requests()
        self.assertEqual(len(api), 25)  # ceil(5000 / 200)
        self.assertEqual(len(self.zoho.requests), 26)  # + one token call
        pages = [int(r[2]["page"]) for r in api if "page" in r[2]]
        self.assertEqual(pages, list(range(1, 11)))
        self.assertEqual(sum("page_token" in r[2] for r in api), 15)
        self.assertEqual(client.credits_used, 25)
        self.assertTrue(all(len(r[2]["fields"].split(",")) <= 50 for r in api))

    def test_incremental_nothing_changed_is_one_request(self):
        self.zoho.add_accounts(300)
        client = self.client()
        records = self.pull(client)
        since = max(parse_datetime(rec["Modified_Time"]) for rec in records)
        self.zoho.clear_requests()
        self.assertEqual(self.pull(client, modified_since=since), [])
        self.assertEqual(len(self.zoho.requests), 1)
        self.assertEqual(
            self.zoho.requests[0][3]["If-Modified-Since"], since.isoformat()
        )
        # two changes -> exactly those two
        ids = [records[5]["id"], records[100]["id"]]
        for rid in ids:
            self.zoho.touch("Accounts", rid, Phone="+1 000")
        changed = self.pull(client, modified_since=since)
        self.assertEqual([rec["id"] for rec in changed], ids)

    def test_expired_page_token_restarts_and_yields_each_record_once(self):
        self.zoho.add_accounts(3000)
        client = self.client()
        seen = []
        for number, page in enumerate(client.iter_records("Accounts", ACCOUNT_FIELDS)):
            seen.extend(rec["id"] for rec in page)
            if number == 11:  # in page_token territory
                self.zoho.expire_page_tokens()
        self.assertEqual(len(seen), 3000)
        self.assertEqual(len(set(seen)), 3000)
        restarted = [r for r in self.zoho.api_requests() if "If-Modified-Since" in r[3]]
        self.assertTrue(restarted)  # restarted from the last Modified_Time seen
        self.assertEqual(restarted[0][2].get("page"), "1")

    def test_lost_page_token_restarts_then_gives_up(self):
        self.zoho.add_accounts(5000)
        client = self.client()
        seen = []
        for number, page in enumerate(client.iter_records("Accounts", ACCOUNT_FIELDS)):
            seen.extend(rec["id"] for rec in page)
            if number == 10:
                self.zoho.page_tokens.clear()  # INVALID_DATA "token seems invalid"
        self.assertEqual(len(seen), 5000)
        self.assertEqual(len(set(seen)), 5000)
        # tokens that never survive: restart once, then hand over to the caller
        pages = client.iter_records("Accounts", ACCOUNT_FIELDS, max_restarts=1)
        with self.assertRaises(ZohoRestartPagination) as caught:
            for _page in pages:
                self.zoho.expire_page_tokens()
        self.assertEqual(caught.exception.kind, "restart_pagination")
        self.assertEqual(caught.exception.code, "EXPIRED_VALUE")

    def test_more_than_50_fields_are_batched_and_merged(self):
        extra = {f"X{i:02d}__c": i for i in range(55)}
        self.zoho.add_accounts(250, **extra)
        client = self.client()
        fields = ["Account_Name", *extra]
        records = [
            rec for page in client.iter_records("Accounts", fields) for rec in page
        ]
        self.assertEqual(len(records), 250)
        for rec in records:
            self.assertEqual(rec["X54__c"], 54)
            self.assertEqual(rec["X00__c"], 0)
            self.assertIn("Account_Name", rec)
        api = self.zoho.api_requests()
        self.assertTrue(all(len(r[2]["fields"].split(",")) <= 50 for r in api))
        # 2 listing pages + (2 + 1) id batches of <= 100 for the second field batch
        self.assertEqual(len(api), 5)

    def test_metadata_deleted_and_modules(self):
        client = self.client()
        fields = {f["api_name"]: f for f in client.get_fields("Accounts")}
        self.assertEqual(fields["Monthly_Billing__c"]["data_type"], "boolean")
        self.assertEqual(fields["Credit_Limit__c"]["data_type"], "currency")
        self.assertEqual(fields["Owner"]["data_type"], "ownerlookup")
        self.assertIn(
            "Net 30",
            [v["actual_value"] for v in fields["Payment_Terms__c"]["pick_list_values"]],
        )
        self.assertIn("Invoices", [m["api_name"] for m in client.modules()])
        self.zoho.invoices_enabled = False
        self.assertNotIn("Invoices", [m["api_name"] for m in client.modules()])
        self.assertEqual(client.org()["company_name"], "Fake Zoho Org")
        ids = self.zoho.add_accounts(3)
        since = self.zoho.now()
        self.assertEqual(list(client.iter_deleted("Accounts", since=since)), [])
        self.zoho.delete("Accounts", ids[1])
        pages = list(client.iter_deleted("Accounts", since=since))
        self.assertEqual([d["id"] for page in pages for d in page], [ids[1]])
        with self.assertRaises(ZohoError) as caught:  # fake enforces the barrier
            client.request(
                "GET", "/crm/v8/Accounts", params={"fields": "Phone", "page": 11}
            )
        self.assertEqual(caught.exception.code, "DISCRETE_PAGINATION_LIMIT_EXCEEDED")

    # --------------------------------------------------------------- writing
    def test_upsert_207_mixed_results(self):
        client = self.client()
        records = [
            {"Account_Name": "Good 1", "Account_Number": "G1"},
            {
                "Account_Name": "Bad",
                "Account_Number": "B1",
                "Credit_Limit__c": "INVALID",
            },
            {"Account_Name": "Good 2", "Account_Number": "G2"},
        ]
        results = client.upsert("Accounts", records, ["Account_Number"])
        ok, failed = split_results(results)
        self.assertEqual([r["index"] for r in ok], [0, 2])
        self.assertTrue(all(r["id"] and r["action"] == "insert" for r in ok))
        self.assertEqual(len(failed), 1)
        self.assertEqual(failed[0]["index"], 1)
        self.assertEqual(failed[0]["code"], "INVALID_DATA")
        self.assertEqual(failed[0]["field"], "Credit_Limit__c")
        self.assertEqual(len(self.zoho.records["Accounts"]), 2)
        self.assertEqual(self.zoho.last_write["trigger"], [])
        # every record rejected: HTTP 400 with per-record results, still a list
        results = client.upsert("Accounts", [records[1]], ["Account_Number"])
        self.assertEqual(split_results(results)[1][0]["field"], "Credit_Limit__c")

    def test_upsert_twice_same_key_updates(self):
        client = self.client()
        record = {"Account_Name": "Acme", "Account_Number": "ACME-1", "Phone": "1"}
        first = client.upsert("Accounts", [record], ["Account_Number"])
        second = client.upsert(
            "Accounts",
            [dict(record, Phone="2")],
            ["Account_Number"],
            trigger=["workflow"],
        )
        self.assertEqual(len(self.zoho.records["Accounts"]), 1)
        self.assertEqual(first[0]["details"]["id"], second[0]["details"]["id"])
        self.assertEqual(second[0]["action"], "update")
        self.assertEqual(self.zoho.last_write["trigger"], ["workflow"])
        stored = self.zoho.records["Accounts"][first[0]["details"]["id"]]
        self.assertEqual(stored["Phone"], "2")

    def test_upsert_credits_and_chunks(self):
        client = self.client()
        records = [
            {"Account_Name": f"N{i}", "Account_Number": f"N{i}"} for i in range(150)
        ]
        results = client.upsert("Accounts", records, ["Account_Number"])
        self.assertEqual(len(results), 150)
        self.assertEqual(len(self.zoho.api_requests()), 2)  # 100 + 50
        self.assertEqual(client.credits_used, 15)  # 1 credit per 10 records
        self.assertEqual(credit_cost("GET", "/crm/v8/Accounts"), 1)

    def test_attachment_task_and_watch(self):
        client = self.client()
        [rid] = self.zoho.add_accounts(1)
        result = client.upload_attachment("Accounts", rid, "statement.pdf", b"%PDF-1")
        [stored] = self.zoho.attachments[rid]
        self.assertEqual(stored["id"], result["id"])
        self.assertEqual(stored["content"], b"%PDF-1")
        self.assertEqual(stored["File_Name"], "statement.pdf")
        task = client.create_task(
            "Call about overdue invoices",
            rid,
            "Accounts",
            owner_id="1",
            due_date="2024-02-01",
            description="3 invoices overdue",
        )
        stored = self.zoho.records["Tasks"][task["id"]]
        self.assertEqual(stored["What_Id"], {"id": rid})
        self.assertEqual(stored["$se_module"], "Accounts")
        self.assertEqual(self.zoho.last_write["trigger"], [])
        watch = client.enable_watch(
            "1000000068001",
            ["Accounts.all"],
            "secret-token",
            "https://odoo.example.com/zoho/notify",
            channel_expiry=self.zoho.now() + timedelta(days=6),
        )
        self.assertEqual(watch[0]["code"], "SUCCESS")
        self.assertEqual(self.zoho.channels["1000000068001"]["token"], "secret-token")

    def test_attachment_deleted_once(self):
        client = self.client()
        [rid] = self.zoho.add_accounts(1)
        old = client.upload_attachment("Accounts", rid, "statement.pdf", b"%PDF-1")
        new = client.upload_attachment("Accounts", rid, "statement.pdf", b"%PDF-2")
        result = client.delete_attachment("Accounts", rid, old["id"])
        self.assertEqual(result["id"], old["id"])
        listed = client.list_attachments("Accounts", rid)
        self.assertEqual([item["id"] for item in listed], [new["id"]])
        self.assertEqual(client.credits_used, 4)  # 1 per call
        with self.assertRaises(ZohoRecordRejected):  # gone already
            client.delete_attachment("Accounts", rid, old["id"])
        # a failed delete is not repeated inline: Zoho may have done it
        self.zoho.fail_next(1, status=500, method="DELETE")
        calls = len(self.zoho.api_requests())
        with self.assertRaises(ZohoRetryLater):
            self.client(max_inline_retries=3).delete_attachment(
                "Accounts", rid, new["id"]
            )
        self.assertEqual(len(self.zoho.api_requests()), calls + 1)

    def test_notes_updated_by_id_in_bulk(self):
        client = self.client()
        [rid] = self.zoho.add_accounts(1)
        ids = [
            str(client.add_note("Accounts", rid, f"Invoice {i}", "open"))
            for i in range(12)
        ]
        credits = client.credits_used
        results = client.update_notes(
            [{"id": nid, "Note_Content": "paid"} for nid in ids] + [{"id": "404"}]
        )
        self.assertEqual(
            [r["status"] for r in results], ["success"] * 12 + ["error"]
        )  # a gone note does not stop the others
        self.assertEqual(client.credits_used - credits, 2)  # 1 per 10 notes
        notes = {n["id"]: n for n in client.list_notes("Accounts", rid)}
        self.assertEqual({notes[nid]["Note_Content"] for nid in ids}, {"paid"})
        self.assertEqual(notes[ids[3]]["Note_Title"], "Invoice 3")  # kept
        # a timeout is retried inline: writing the same content twice is harmless
        self.zoho.fail_next(1, status=500, method="PUT")
        retried = self.client(max_inline_retries=3).update_notes(
            [{"id": ids[0], "Note_Content": "paid again"}]
        )
        self.assertEqual(retried[0]["status"], "success")

    # ---------------------------------------------------------------- errors
    def test_429_storm_with_inline_retries_converges(self):
        client = self.client(max_inline_retries=5)
        self.zoho.storm(4)
        self.assertEqual(client.org()["company_name"], "Fake Zoho Org")
        self.assertEqual(len(self.sleeps), 4)
        self.assertTrue(all(0 <= s <= 16 for s in self.sleeps))
        self.zoho.fail_next(1, status=429, retry_after=7)
        client.org()
        self.assertEqual(self.sleeps[-1], 7)  # Retry-After respected
        self.zoho.storm(6)  # more than the inline budget -> the caller retries
        with self.assertRaises(ZohoRetryLater):
            client.org()

    def test_429_without_inline_retries_is_retry_later(self):
        client = self.client()
        self.zoho.storm(1)
        with self.assertRaises(ZohoRetryLater) as caught:
            client.org()
        self.assertEqual(caught.exception.status, 429)
        self.assertEqual(caught.exception.code, "TOO_MANY_REQUESTS")
        self.assertEqual(self.sleeps, [])

    def test_5xx_is_retry_later(self):
        client = self.client()
        for status in (500, 503):
            self.zoho.fail_next(1, status=status)
            with self.assertRaises(ZohoRetryLater) as caught:
                client.org()
            self.assertEqual(caught.exception.status, status)
            self.assertEqual(caught.exception.kind, "retry_later")
        # a create is not retried inline after a 5xx (it may have been applied)
        client = self.client(max_inline_retries=3)
        self.zoho.fail_next(1, status=500)
        with self.assertRaises(ZohoRetryLater):
            client.create("Accounts", [{"Account_Name": "Once"}])
        self.assertEqual(self.sleeps, [])

    def test_timeout_is_retry_later(self):
        client = self.client(timeout=(2, 0.2))
        client.org()  # token first, so that only the API call is slow
        self.zoho.delay_next(1.0)
        started = time.monotonic()
        with self.assertRaises(ZohoRetryLater):
            client.org()
        self.assertLess(time.monotonic() - started, 0.9)

    def test_scope_mismatch_is_backend_broken(self):
        client = self.client()
        self.zoho.fail_next(1, status=401, code="OAUTH_SCOPE_MISMATCH")
        with self.assertRaises(ZohoBackendBroken) as caught:
            client.org()
        self.assertEqual(caught.exception.code, "OAUTH_SCOPE_MISMATCH")
        self.assertEqual(self.zoho.tokens_issued, 1)  # no pointless refresh
        self.zoho.fail_next(1, status=403, code="NO_PERMISSION")
        with self.assertRaises(ZohoBackendBroken):
            client.org()

    def test_invalid_data_is_record_rejected_with_field(self):
        client = self.client()
        with self.assertRaises(ZohoRecordRejected) as caught:
            client.request(
                "POST",
                "/crm/v8/Accounts",
                json={"data": [{"Account_Name": "X", "Credit_Limit__c": "INVALID"}]},
            )
        self.assertEqual(caught.exception.code, "INVALID_DATA")
        self.assertEqual(caught.exception.field, "Credit_Limit__c")
        self.assertEqual(caught.exception.kind, "record_rejected")
        with self.assertRaises(ZohoRecordRejected) as caught:
            client.create_task("", "1", "Accounts")
        self.assertEqual(caught.exception.code, "MANDATORY_NOT_FOUND")
        self.assertEqual(caught.exception.field, "Subject")

    def test_412_is_precondition_failed(self):
        client = self.client()
        self.zoho.fail_next(1, status=412, code="ALREADY_MODIFIED")
        with self.assertRaises(ZohoPreconditionFailed):
            client.org()

    def test_budget_exceeded(self):
        client = self.client(credit_budget=3)
        client.org()
        client.modules()
        client.org()
        with self.assertRaises(ZohoBudgetExceeded) as caught:
            client.org()
        self.assertEqual(caught.exception.kind, "budget_exceeded")
        self.assertEqual(client.credits_used, 3)
        self.assertEqual(len(self.zoho.api_requests()), 3)  # refused before sending
        client = self.client(credit_budget=10)
        records = [{"Account_Name": f"B{i}"} for i in range(101)]  # 10 + 1 credits
        with self.assertRaises(ZohoBudgetExceeded):
            client.upsert("Accounts", records, ["Account_Name"])
