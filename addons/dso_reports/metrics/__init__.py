"""Receivable metrics as plain functions (no Odoo import), unit-tested by hand.

Every amount is in company currency and includes taxes, in the numerator and in
the denominator alike (receivables are owed with their taxes, so credit sales are
counted with theirs too).
"""

from .dso import (  # noqa: F401
    DEFAULT_BUCKETS,
    aging_buckets,
    average_days_delinquent,
    average_days_to_pay,
    best_possible_dso,
    bucket_labels,
    collection_effectiveness_index,
    dso_average,
    dso_countback,
    dso_simple,
    parse_buckets,
    weighted_days_late,
)
