"""The metric formulas against examples computed by hand (no database)."""

from odoo.tests.common import BaseCase

from .. import metrics


class TestMetrics(BaseCase):
    def test_dso_simple(self):
        # 30,000 owed, 90,000 sold on credit in 90 days: 30 days of sales
        self.assertAlmostEqual(metrics.dso_simple(30000, 90000, 90), 30.0)
        self.assertIsNone(metrics.dso_simple(1000, 0, 90))

    def test_dso_average(self):
        # (20,000 + 40,000) / 2 = 30,000 over 90,000 in 90 days
        self.assertAlmostEqual(metrics.dso_average(20000, 40000, 90000, 90), 30.0)

    def test_dso_countback(self):
        # 45,000 owed; last month 30,000 (31 days) is consumed whole: 31 days,
        # 15,000 left of 30,000 in the 30-day month before: 15 days -> 46
        self.assertAlmostEqual(
            metrics.dso_countback(45000, [(30000, 31), (30000, 30)]), 46.0
        )
        # fewer receivables than the last month's sales: a share of that month
        self.assertAlmostEqual(metrics.dso_countback(10000, [(40000, 30)]), 7.5)
        # a month of credit notes only (negative sales) is walked through whole
        self.assertAlmostEqual(
            metrics.dso_countback(5000, [(-1000, 31), (10000, 30)]), 46.0
        )
        # the sales given never consume the receivables: all their days (a floor)
        self.assertAlmostEqual(metrics.dso_countback(90000, [(30000, 31)]), 31.0)
        self.assertIsNone(metrics.dso_countback(1000, [(0, 30)]))

    def test_best_possible_dso_and_days_delinquent(self):
        # 18,000 not yet due of 90,000 sales in 90 days: 18 days; DSO 30 -> 12 late
        best = metrics.best_possible_dso(18000, 90000, 90)
        self.assertAlmostEqual(best, 18.0)
        self.assertAlmostEqual(metrics.average_days_delinquent(30.0, best), 12.0)
        self.assertIsNone(metrics.average_days_delinquent(None, best))

    def test_weighted_days_late(self):
        # 1,000 paid 10 days late and 3,000 paid 5 days early (counts as 0):
        # 10,000 / 4,000 = 2.5 days
        self.assertAlmostEqual(
            metrics.weighted_days_late([(1000, 10), (3000, -5)]), 2.5
        )
        self.assertIsNone(metrics.weighted_days_late([]))

    def test_average_days_to_pay(self):
        # (1,000 × 40 + 3,000 × 20) / 4,000 = 25 days
        self.assertAlmostEqual(
            metrics.average_days_to_pay([(1000, 40), (3000, 20)]), 25.0
        )

    def test_collection_effectiveness_index(self):
        # begin 50,000 + sales 100,000 - end 60,000 = 90,000 collected
        # of 50,000 + 100,000 - 40,000 current = 110,000 collectible: 81.8 %
        self.assertAlmostEqual(
            metrics.collection_effectiveness_index(50000, 100000, 60000, 40000),
            90000 / 110000 * 100,
        )
        # everything due was collected: 100 %
        self.assertAlmostEqual(
            metrics.collection_effectiveness_index(0, 1000, 400, 400), 100.0
        )

    def test_aging_buckets(self):
        items = [(100, -3), (50, 10), (20, 45), (7, 61), (5, 200), (-30, 5)]
        # not due 100; 1-30: 50 - 30 (an unapplied payment, by its date); 31-60: 20
        self.assertEqual(metrics.aging_buckets(items), [100, 20, 20, 7, 5])
        # with 15/45/60: 61 days falls beyond the last bound
        self.assertEqual(
            metrics.aging_buckets(items, (15, 45, 60)), [100, 20, 20, 0, 12]
        )
        self.assertEqual(
            metrics.bucket_labels((15, 45, 60)),
            ["Not due", "1-15", "16-45", "46-60", "> 60"],
        )

    def test_parse_buckets(self):
        self.assertEqual(metrics.parse_buckets("30, 60,90"), (30, 60, 90))
        for wrong in ("30,60", "60,30,90", "a,b,c", "0,30,60", "30,30,60"):
            with self.assertRaises(ValueError):
                metrics.parse_buckets(wrong)
