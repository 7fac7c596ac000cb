"""Days Sales Outstanding and the collection metrics behind it.

Pure functions over numbers; the readme gives the formula and a worked example
of each. ``None`` means "not defined" (no sales in the period): a report shows
an empty cell rather than a made-up zero or infinity.
"""

DEFAULT_BUCKETS = (30, 60, 90)


def _ratio(numerator, denominator):
    if not denominator:
        return None
    return numerator / denominator


def dso_simple(receivables, credit_sales, days):
    """Receivables at period end ÷ credit sales of the period × days.

    >>> dso_simple(30000, 90000, 90)
    30.0
    """
    ratio = _ratio(receivables, credit_sales)
    return None if ratio is None else ratio * days


def dso_average(receivables_begin, receivables_end, credit_sales, days):
    """DSO on the average of the receivables at the start and end of the period.

    >>> dso_average(20000, 40000, 90000, 90)
    30.0
    """
    return dso_simple((receivables_begin + receivables_end) / 2, credit_sales, days)


def dso_countback(receivables, monthly_sales):
    """Walk back month by month through credit sales until receivables are used up.

    :param receivables: receivables at the end of the latest month
    :param monthly_sales: ``[(credit_sales, days_in_month), ...]`` newest first
    :return: days, or None without sales; when the sales given do not consume the
        receivables, all their days are counted (a floor, not an estimate)

    >>> dso_countback(45000, [(30000, 31), (30000, 30)])
    46.0
    """
    if not any(sales for sales, _days in monthly_sales):
        return None
    remaining = receivables
    total_days = 0.0
    for sales, days in monthly_sales:
        if remaining <= 0:
            break
        if sales <= 0:
            total_days += days
            continue
        if remaining >= sales:
            remaining -= sales
            total_days += days
        else:
            total_days += remaining / sales * days
            remaining = 0
    return total_days


def best_possible_dso(current_receivables, credit_sales, days):
    """Not-yet-due receivables ÷ credit sales × days: DSO if nobody paid late.

    >>> best_possible_dso(18000, 90000, 90)
    18.0
    """
    return dso_simple(current_receivables, credit_sales, days)


def average_days_delinquent(dso, best_dso):
    """DSO − Best Possible DSO: the days that come from late payment.

    >>> average_days_delinquent(30.0, 18.0)
    12.0
    """
    if dso is None or best_dso is None:
        return None
    return dso - best_dso


def weighted_days_late(payments):
    """Invoice-weighted average days paid after due (early payments count as 0).

    :param payments: ``[(amount, days_after_due), ...]``

    >>> weighted_days_late([(1000, 10), (3000, -5)])
    2.5
    """
    total = sum(amount for amount, _days in payments)
    late = sum(amount * max(days, 0) for amount, days in payments)
    return _ratio(late, total)


def average_days_to_pay(payments):
    """Amount-weighted average days from invoice date to payment.

    :param payments: ``[(amount, days_from_invoice_to_payment), ...]``

    >>> average_days_to_pay([(1000, 40), (3000, 20)])
    25.0
    """
    total = sum(amount for amount, _days in payments)
    weighted = sum(amount * days for amount, days in payments)
    return _ratio(weighted, total)


def collection_effectiveness_index(
    receivables_begin, credit_sales, receivables_end, current_receivables_end
):
    """Share of what could be collected that was collected, in percent.

    (begin + sales − end) ÷ (begin + sales − current at end) × 100

    >>> collection_effectiveness_index(50000, 100000, 60000, 40000)
    81.81818181818183
    """
    collectible = receivables_begin + credit_sales - current_receivables_end
    collected = receivables_begin + credit_sales - receivables_end
    ratio = _ratio(collected, collectible)
    return None if ratio is None else ratio * 100


def parse_buckets(text):
    """``"30,60,90"`` → ``(30, 60, 90)``; the bounds must rise and be positive.

    :raises ValueError: for anything else
    """
    try:
        bounds = tuple(int(part) for part in (text or "").split(",") if part.strip())
    except ValueError as exc:
        raise ValueError(f"Aging buckets must be whole days: {text!r}") from exc
    if (
        len(bounds) != 3
        or any(b <= 0 for b in bounds)
        or list(bounds) != sorted(set(bounds))
    ):
        raise ValueError(f"Give three rising day counts, e.g. 30,60,90: {text!r}")
    return bounds


def bucket_labels(bounds=DEFAULT_BUCKETS):
    """Labels of the five buckets: not due, three ranges, and over the last bound."""
    first, second, third = bounds
    return [
        "Not due",
        f"1-{first}",
        f"{first + 1}-{second}",
        f"{second + 1}-{third}",
        f"> {third}",
    ]


def bucket_index(days_overdue, bounds=DEFAULT_BUCKETS):
    """0 for not yet due, then 1..4 by the bounds."""
    if days_overdue <= 0:
        return 0
    for index, bound in enumerate(bounds, start=1):
        if days_overdue <= bound:
            return index
    return len(bounds) + 1


def aging_buckets(items, bounds=DEFAULT_BUCKETS):
    """Sum open amounts into the five buckets.

    :param items: ``[(open_amount, days_overdue), ...]``

    >>> aging_buckets([(100, -3), (50, 10), (20, 45), (5, 200)])
    [100, 50, 20, 0, 5]
    """
    sums = [0] * (len(bounds) + 2)
    for amount, days in items:
        sums[bucket_index(days, bounds)] += amount
    return sums
