from datetime import date

from odoo.tests.common import BaseCase

from ..utils import aging, webhook


class TestAging(BaseCase):
    today = date(2026, 6, 30)

    def test_bucket_limits(self):
        cases = {
            date(2026, 7, 15): "current",
            date(2026, 6, 30): "current",
            date(2026, 6, 29): "d1_30",
            date(2026, 5, 31): "d1_30",
            date(2026, 5, 30): "d31_60",
            date(2026, 5, 1): "d31_60",
            date(2026, 4, 30): "d61_90",
            date(2026, 4, 1): "d61_90",
            date(2026, 3, 31): "d90_plus",
            None: "current",
        }
        for due, bucket in cases.items():
            with self.subTest(due=due):
                self.assertEqual(aging.bucket_for(due, self.today), bucket)

    def test_aging_sums_totals_and_overdue(self):
        result = aging.aging(
            [
                (date(2026, 7, 10), 100.0),
                (date(2026, 6, 10), 50.0),
                (date(2026, 1, 1), 25.0),
                (date(2026, 6, 1), -10.0),  # credit note
            ],
            self.today,
        )
        self.assertEqual(result["current"], 100.0)
        self.assertEqual(result["d1_30"], 40.0)
        self.assertEqual(result["d90_plus"], 25.0)
        self.assertEqual(result["total"], 165.0)
        self.assertEqual(result["overdue"], 65.0)

    def test_status(self):
        self.assertEqual(aging.invoice_status(100, 100, False), "open")
        self.assertEqual(aging.invoice_status(100, 40, False), "partial")
        self.assertEqual(aging.invoice_status(100, 0, False), "paid")
        self.assertEqual(aging.invoice_status(100, 100, True), "processing")
        self.assertEqual(aging.invoice_status(100, 0, True), "paid")

    def test_allocation_oldest_first(self):
        invoices = [
            ("new", date(2026, 7, 1), 100.0),
            ("old", date(2026, 5, 1), 60.0),
            ("mid", date(2026, 6, 1), 30.0),
        ]
        self.assertEqual(
            aging.allocate_oldest_first(invoices, 80.0),
            [("old", 60.0), ("mid", 20.0)],
        )
        self.assertEqual(len(aging.allocate_oldest_first(invoices, 190.0)), 3)
        with self.assertRaises(ValueError):
            aging.allocate_oldest_first(invoices, 190.5)
        with self.assertRaises(ValueError):
            aging.allocate_oldest_first(invoices, 0)

    def test_statement_running_balance(self):
        lines, closing = aging.statement_lines(
            100.0,
            [{"debit": 50.0, "credit": 0.0}, {"debit": 0.0, "credit": 120.0}],
        )
        self.assertEqual([line["balance"] for line in lines], [150.0, 30.0])
        self.assertEqual(closing, 30.0)


class TestWebhookSignature(BaseCase):
    payload = b'{"id": "evt_1"}'

    def test_any_v1_signature_matches(self):
        good = webhook.sign(self.payload, "whsec_new", 1000)
        header = f"t=1000,v1={'0' * 64},v1={good},v0=legacy"
        self.assertEqual(
            webhook.verify(self.payload, header, ["whsec_new"], 300, 1100), 1000
        )

    def test_rejections(self):
        good = webhook.sign(self.payload, "whsec", 1000)
        cases = {
            "empty secret": (f"t=1000,v1={good}", [""], 1000),
            "no secret": (f"t=1000,v1={good}", [], 1000),
            "stale": (f"t=1000,v1={good}", ["whsec"], 1301),
            "future": (f"t=1000,v1={good}", ["whsec"], 699),
            "wrong secret": (f"t=1000,v1={good}", ["whsec_other"], 1000),
            "no timestamp": (f"v1={good}", ["whsec"], 1000),
            "no v1": ("t=1000,v0=abc", ["whsec"], 1000),
            "garbage": ("nonsense", ["whsec"], 1000),
        }
        for name, (header, secrets, now) in cases.items():
            with self.subTest(name), self.assertRaises(webhook.SignatureError):
                webhook.verify(self.payload, header, secrets, 300, now)

    def test_tampered_payload(self):
        good = webhook.sign(self.payload, "whsec", 1000)
        with self.assertRaises(webhook.SignatureError):
            webhook.verify(
                b'{"id": "evt_2"}', f"t=1000,v1={good}", ["whsec"], 300, 1000
            )
