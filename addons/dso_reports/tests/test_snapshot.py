"""Snapshots "as of" a day, from the books as they stood at the end of that day."""

import threading
from datetime import date, timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

from .. import metrics
from ..models.dso_snapshot import SnapshotBusy
from .common import DsoCase


@tagged("post_install", "-at_install")
class TestSnapshotAsOf(DsoCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # I1 1,000 on Jan 10 due Feb 9; I2 500 on Feb 1 due Mar 3;
        # R1 credit note 100 on Feb 15 matched with I2 the same day;
        # P1 400 paid on I1 on Mar 1
        cls.i1 = cls.make_invoice(1000, "2025-01-10", "2025-02-09")
        cls.i2 = cls.make_invoice(500, "2025-02-01", "2025-03-03")
        cls.r1 = cls.make_invoice(
            100, "2025-02-15", "2025-03-17", move_type="out_refund"
        )
        cls.reconcile(cls.i2, cls.r1)
        cls.pay(cls.i1, 400, "2025-03-01")

    def test_credit_note_and_overdue_before_payment(self):
        row = self.snapshot("2025-02-20")
        # open: I1 1,000 (11 days overdue), I2 500 - 100 = 400 (not due)
        self.assertAlmostEqual(row.receivable, 1400)
        self.assertAlmostEqual(row.bucket_0, 400)
        self.assertAlmostEqual(row.bucket_1, 1000)
        self.assertAlmostEqual(row.overdue, 1000)
        # credit sales of the 90 days: 1,000 + 500 - 100
        self.assertAlmostEqual(row.credit_sales_period, 1400)
        self.assertAlmostEqual(row.dso, 90.0)  # 1,400 / 1,400 × 90
        self.assertAlmostEqual(row.best_dso, 400 / 1400 * 90)
        self.assertAlmostEqual(row.days_delinquent, 1000 / 1400 * 90)
        # the SQL uses the documented formula
        self.assertAlmostEqual(
            row.dso, metrics.dso_simple(row.receivable, row.credit_sales_period, 90)
        )

    def test_partial_payment_counts_from_its_date(self):
        before = self.snapshot("2025-02-28")
        self.assertAlmostEqual(before.receivable, 1400)
        self.assertFalse(before.paid_amount)
        row = self.snapshot("2025-03-01")
        # I1 600 left (20 days overdue), I2 400 not due until Mar 3
        self.assertAlmostEqual(row.receivable, 1000)
        self.assertAlmostEqual(row.bucket_1, 600)
        self.assertAlmostEqual(row.dso, 1000 / 1400 * 90)
        # paid 400 on Mar 1: 50 days after the invoice, 20 after due
        self.assertAlmostEqual(row.paid_amount, 400)
        self.assertAlmostEqual(row.paid_days, 400 * 50)
        self.assertAlmostEqual(row.late_days, 400 * 20)
        # Mar 4: I2 is 1 day overdue
        later = self.snapshot("2025-03-04")
        self.assertAlmostEqual(later.bucket_0, 0)
        self.assertAlmostEqual(later.bucket_1, 1000)

    def test_back_dated_payment_changes_the_past_only_from_its_date(self):
        feb_20 = self.snapshot("2025-02-20")
        feb_25 = self.snapshot("2025-02-25")
        values_20 = feb_20.read(["receivable", "dso", "bucket_1"])
        self.assertAlmostEqual(feb_25.receivable, 1400)
        # recorded today, dated Feb 25
        self.pay(self.i2, 400, "2025-02-25")
        self.assertEqual(
            self.snapshot("2025-02-20").read(["receivable", "dso", "bucket_1"]),
            values_20,
        )
        self.assertAlmostEqual(self.snapshot("2025-02-25").receivable, 1000)

    def test_write_off_closes_the_invoice(self):
        customer = self.make_customer("Write-off customer")
        invoice = self.make_invoice(300, "2025-04-01", "2025-05-01", partner=customer)
        writeoff_account = self.env["account.account"].search(
            [
                ("account_type", "=", "expense"),
                ("company_ids", "in", self.company.id),
            ],
            limit=1,
        )
        self.pay(
            invoice,
            290,
            "2025-05-10",
            payment_difference_handling="reconcile",
            writeoff_account_id=writeoff_account.id,
            writeoff_label="Bank fee",
        )
        self.assertAlmostEqual(self.snapshot("2025-05-09", customer).receivable, 300)
        row = self.snapshot("2025-05-10", customer)
        self.assertFalse(row.receivable)
        self.assertAlmostEqual(row.credit_sales_period, 300)

    def test_foreign_currency_in_company_currency(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].create(
            [
                {
                    "currency_id": eur.id,
                    "name": "2025-01-01",
                    "rate": 0.5,
                    "company_id": self.company.id,
                },
                {
                    "currency_id": eur.id,
                    "name": "2025-03-01",
                    "rate": 0.4,
                    "company_id": self.company.id,
                },
            ]
        )
        customer = self.make_customer("Euro customer")
        invoice = self.make_invoice(
            1000, "2025-02-01", "2025-03-03", partner=customer, currency=eur
        )
        row = self.snapshot("2025-02-10", customer)
        self.assertAlmostEqual(row.receivable, 2000)  # 1,000 EUR at 0.5
        self.assertAlmostEqual(row.credit_sales_period, 2000)
        # paid in full in EUR at 0.4 = 2,500: the invoice is closed on Mar 5; the
        # 500 paid above the booked amount stays open until the exchange
        # difference entry, which Odoo dates at the end of the month
        self.pay(invoice, 1000, "2025-03-05", currency=eur)
        self.assertAlmostEqual(self.snapshot("2025-03-04", customer).receivable, 2000)
        self.assertAlmostEqual(self.snapshot("2025-03-05", customer).receivable, -500)
        self.assertFalse(self.snapshot("2025-03-31", customer).receivable)

    def test_cash_sale_is_not_a_credit_sale(self):
        customer = self.make_customer("Card customer", monthly_billing_eligible=False)
        self.make_invoice(80, "2025-06-02", "2025-06-02", partner=customer)
        self.make_invoice(50, "2025-06-02", "2025-07-02", partner=customer)
        row = self.snapshot("2025-06-03", customer)
        self.assertAlmostEqual(row.credit_sales_period, 50)
        self.assertAlmostEqual(row.receivable, 50)
        segment = self.Snapshot.search(
            [
                ("date", "=", date(2025, 6, 3)),
                ("dimension", "=", "segment"),
                ("segment", "=", "card"),
            ]
        )
        self.assertGreaterEqual(segment.credit_sales_period, 50)

    def test_drill_down_lists_the_open_invoices(self):
        row = self.snapshot("2025-03-04")
        action = row.action_open_invoices()
        self.assertEqual(set(action["domain"][0][2]), {self.i1.id, self.i2.id})
        overdue = row.action_open_overdue_invoices()
        self.assertEqual(set(overdue["domain"][0][2]), {self.i1.id, self.i2.id})
        feb = self.snapshot("2025-02-20").action_open_overdue_invoices()
        self.assertEqual(feb["domain"][0][2], [self.i1.id])


@tagged("post_install", "-at_install")
class TestSnapshotToday(DsoCase):
    def test_payment_today_leaves_yesterday_unchanged(self):
        today = fields.Date.context_today(self.env.user)
        yesterday = today - timedelta(days=1)
        invoice = self.make_invoice(
            700, today - timedelta(days=60), today - timedelta(days=30)
        )
        before = self.snapshot(yesterday).read(["receivable", "overdue", "dso"])[0]
        self.assertAlmostEqual(before["receivable"], 700)
        self.snapshot(today)
        self.pay(invoice, 700, today)
        self.Snapshot._cron_snapshot()
        self.assertEqual(
            self.snapshot(yesterday).read(["receivable", "overdue", "dso"])[0], before
        )
        today_row = self.Snapshot.search(
            [("date", "=", today), ("partner_id", "=", self.customer.id)]
        )
        self.assertFalse(today_row.receivable)
        self.assertAlmostEqual(today_row.paid_amount, 700)

    def test_run_twice_gives_the_same_rows(self):
        self.make_invoice(250, "2025-08-01", "2025-08-31")
        day = date(2025, 9, 15)
        fields_ = ["date", "dimension", "key", "receivable", "overdue", "dso"]
        self.Snapshot._snapshot_days(day, day, self.company)
        first = self.Snapshot.search_read([("date", "=", day)], fields_, order="id")
        self.Snapshot._snapshot_days(day, day, self.company)
        second = self.Snapshot.search_read([("date", "=", day)], fields_, order="id")
        self.assertEqual(first, second)
        self.assertIn("partner", {row["dimension"] for row in first})
        self.assertIn("company", {row["dimension"] for row in first})

    def test_month_rows_use_the_metric_functions(self):
        self.make_invoice(900, "2024-01-05", "2024-02-04")
        self.make_invoice(600, "2024-02-10", "2024-03-11")
        self.Snapshot._snapshot_days(date(2024, 1, 1), date(2024, 2, 29), self.company)
        months = self.env["dso.metric.month"].search(
            [("company_id", "=", self.company.id), ("month", "<", "2024-03-01")],
            order="month",
        )
        self.assertEqual(len(months), 2)
        jan, feb = months
        self.assertEqual(jan.days, 31)
        self.assertAlmostEqual(
            feb.dso, metrics.dso_simple(feb.receivable, feb.credit_sales, 29)
        )
        self.assertAlmostEqual(feb.receivable_begin, jan.receivable)
        self.assertAlmostEqual(
            feb.cei,
            metrics.collection_effectiveness_index(
                jan.receivable, feb.credit_sales, feb.receivable, feb.current_amount
            )
            or 0.0,
        )


@tagged("post_install", "-at_install")
class TestSnapshotConcurrency(TransactionCase):
    """Two runs at once on committed data: one waits its turn, no duplicates.

    The runs use their own cursors (committed demo history), like two cron
    workers; the day they write is recomputed identically by the nightly cron.
    """

    def test_two_concurrent_runs(self):
        company = self.env.company
        day = fields.Date.context_today(self.env.user) - timedelta(days=300)
        outcomes = []
        holding, first_done = threading.Event(), threading.Event()
        # environments are made here: making one takes the registry lock, which
        # the test runner holds while post-install tests run
        cursors = [self.registry.cursor() for _index in range(2)]
        envs = [self.env(cr=cr) for cr in cursors]

        def first(env):
            try:
                env["dso.snapshot"]._snapshot_days(day, day, company.with_env(env))
                holding.set()
                env.cr.execute("SELECT pg_sleep(0.5)")  # keep the lock a while
                env.cr.commit()
                outcomes.append("done")
            finally:
                holding.set()
                first_done.set()

        def second(env):
            holding.wait(timeout=30)
            try:
                env["dso.snapshot"]._snapshot_days(day, day, company.with_env(env))
                outcomes.append("done")
            except SnapshotBusy:
                outcomes.append("busy")
                env.cr.rollback()
                # what the queued retry does once the first run has committed
                first_done.wait(timeout=30)
                env["dso.snapshot"]._snapshot_days(day, day, company.with_env(env))
                outcomes.append("retried")
            env.cr.commit()

        threads = [
            threading.Thread(target=first, args=(envs[0],)),
            threading.Thread(target=second, args=(envs[1],)),
        ]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        finally:
            for cr in cursors:
                cr.close()
        self.assertEqual(sorted(outcomes), ["busy", "done", "retried"])
        with self.registry.cursor() as cr:
            cr.execute(
                """
                SELECT dimension, key, COUNT(*) FROM dso_snapshot
                 WHERE date = %s AND company_id = %s
                 GROUP BY dimension, key
                """,
                [day, company.id],
            )
            rows = cr.fetchall()
        self.assertIn("company", {dimension for dimension, _k, _c in rows})
        self.assertEqual({count for _d, _k, count in rows}, {1})
