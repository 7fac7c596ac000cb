"""Aging buckets, invoice status and statement lines of a customer account.

Pure functions (no Odoo import): the portal controller and the statement report
feed them plain values read from the ORM.
"""

from datetime import date

#: (key, label, lowest days overdue, highest days overdue or None)
AGING_BUCKETS = (
    ("current", "Current", None, 0),
    ("d1_30", "1–30 days", 1, 30),
    ("d31_60", "31–60 days", 31, 60),
    ("d61_90", "61–90 days", 61, 90),
    ("d90_plus", "90+ days", 91, None),
)

STATUS_OPEN = "open"
STATUS_PARTIAL = "partial"
STATUS_PROCESSING = "processing"
STATUS_PAID = "paid"

STATUS_LABELS = {
    STATUS_OPEN: "Open",
    STATUS_PARTIAL: "Partially paid",
    STATUS_PROCESSING: "Payment processing",
    STATUS_PAID: "Paid",
}


def bucket_for(due_date, today):
    """Return the aging bucket key of an amount falling due on ``due_date``.

    :param date due_date: due date of the amount (None counts as due today)
    :param date today: reference day
    :return: one of the keys of :data:`AGING_BUCKETS`
    """
    days = (today - (due_date or today)).days
    for key, _label, low, high in AGING_BUCKETS:
        if (low is None or days >= low) and (high is None or days <= high):
            return key
    raise ValueError(
        f"no bucket for {days} days"
    )  # pragma: no cover - buckets cover all


def aging(items, today):
    """Sum open amounts per aging bucket.

    :param items: iterable of ``(due_date, open_amount)``; credits are negative
        and fall in the bucket of their own date like any amount
    :param date today: reference day
    :return: dict with every bucket key, plus ``total`` and ``overdue``
    """
    result = {key: 0.0 for key, *_rest in AGING_BUCKETS}
    for due_date, amount in items:
        result[bucket_for(due_date, today)] += amount
    result["total"] = sum(result[key] for key, *_rest in AGING_BUCKETS)
    result["overdue"] = result["total"] - result["current"]
    return result


def invoice_status(amount_total, amount_residual, processing, rounding=0.005):
    """Status a customer sees for one invoice.

    An invoice with a payment still processing (ACH debit not settled yet) is
    *processing*, never paid, whatever its residual says.

    :param float amount_total: invoice total
    :param float amount_residual: amount still open
    :param bool processing: a payment for it is pending at the provider
    :return: one of the ``STATUS_*`` keys
    """
    if processing and amount_residual > rounding:
        return STATUS_PROCESSING
    if amount_residual <= rounding:
        return STATUS_PAID
    if amount_residual < amount_total - rounding:
        return STATUS_PARTIAL
    return STATUS_OPEN


def allocate_oldest_first(invoices, amount, rounding=0.005):
    """Split a payment over invoices, the oldest due date first.

    :param invoices: iterable of ``(key, due_date, open_amount)``
    :param float amount: amount paid (may be lower than the open total)
    :return: list of ``(key, allocated_amount)`` in allocation order; invoices
        that receive nothing are left out
    :raise ValueError: when the amount is not positive or exceeds the open total
    """
    ordered = sorted(invoices, key=lambda inv: (inv[1] or date.max, str(inv[0])))
    total = sum(inv[2] for inv in ordered)
    if amount <= rounding:
        raise ValueError("The amount to pay must be positive.")
    if amount > total + rounding:
        raise ValueError("The amount to pay exceeds the open amount of the invoices.")
    allocation = []
    left = amount
    for key, _due, open_amount in ordered:
        if left <= rounding:
            break
        part = min(open_amount, left)
        allocation.append((key, round(part, 2)))
        left -= part
    return allocation


def statement_lines(opening_balance, movements):
    """Running balance of an account statement.

    :param float opening_balance: balance before the first movement
    :param movements: iterable of dicts with at least ``debit`` and ``credit``,
        in date order
    :return: ``(lines, closing_balance)`` where every line is the movement dict
        with a ``balance`` key added
    """
    balance = opening_balance
    lines = []
    for movement in movements:
        balance += movement["debit"] - movement["credit"]
        lines.append(dict(movement, balance=balance))
    return lines, balance
