from . import (
    test_credit_hold,
    test_dashboard_tour,
    test_metrics,
    test_reports,
    test_snapshot,
)
