from . import test_metrics, test_snapshot, test_credit_hold, test_reports
