"""Reading single values out of order documents: text, numbers, dates, codes.

Shared by the format parsers; every problem is an :class:`OrderParseError` whose
message names what was wrong and where, for a customer-service person.
"""

import re
from datetime import date
from decimal import Decimal

from .common import ACTION_DELETE, OrderParseError

# xs:decimal's lexical form; no exponents, NaN, infinity or thousands separators
_DECIMAL_RE = re.compile(r"[+-]?(?:(\d+)(?:\.(\d*))?|\.(\d+))")
_MAX_INTEGER_DIGITS = 15
_MAX_FRACTION_DIGITS = 20
_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:$|[T+\-Z ])")
_CURRENCY_RE = re.compile(r"[A-Z]{3}")


def shown(value, limit=60):
    """:return: ``value`` quoted for a message, shortened if it is long."""
    value = str(value)
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return f"“{value}”"


def clean(value):
    """:return: ``value`` without surrounding whitespace, or None if empty."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def text(element):
    """:return: the stripped text content of an element (None if absent/empty)."""
    if element is None:
        return None
    return clean("".join(element.itertext()))


def attr(element, name):
    """:return: the stripped value of an attribute (None if absent/empty)."""
    if element is None:
        return None
    return clean(element.get(name))


def decimal(value, what):
    """:return: ``value`` as a Decimal, or None if it is None.

    :param str what: what the value is, for the message (“Line 2: the quantity”)
    :raises OrderParseError: if it is not a plain decimal number
    """
    value = clean(value)
    if value is None:
        return None
    match = _DECIMAL_RE.fullmatch(value)
    if not match:
        raise OrderParseError(
            f"{what} {shown(value)} is not a number (write digits with an "
            "optional decimal point, like 12.50)."
        )
    integer, fraction = match.group(1) or "", match.group(2) or match.group(3) or ""
    if len(integer.lstrip("0")) > _MAX_INTEGER_DIGITS:
        raise OrderParseError(f"{what} {shown(value)} is too large.")
    if len(fraction) > _MAX_FRACTION_DIGITS:
        raise OrderParseError(f"{what} {shown(value)} has too many decimals.")
    return Decimal(value)


def amount(value, what):
    """:return: a Decimal that is zero or more (None if absent)."""
    number = decimal(value, what)
    if number is not None and number < 0:
        raise OrderParseError(f"{what} {shown(value.strip())} must not be negative.")
    return number


def quantity(value, line_ref):
    """:return: a Decimal that is more than zero.

    :raises OrderParseError: naming the line, if absent, not a number or not > 0
    """
    what = f"Line {line_ref}: the quantity"
    number = decimal(value, what)
    if number is None:
        raise OrderParseError(f"Line {line_ref} has no quantity.")
    if number <= 0:
        raise OrderParseError(f"{what} {shown(value.strip())} must be more than zero.")
    return number


def order_date(value):
    """:return: the date of an ``xs:date`` or ``xs:dateTime`` (None if absent).

    The date is taken as written: a time and time zone after it are ignored.
    """
    value = clean(value)
    if value is None:
        return None
    match = _DATE_RE.match(value)
    try:
        if not match:
            raise ValueError(value)
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise OrderParseError(
            f"The order date {shown(value)} is not a date (expected YYYY-MM-DD)."
        ) from None


def currency(value):
    """:return: an upper-case ISO 4217 code (None if absent)."""
    value = clean(value)
    if value is None:
        return None
    code = value.upper()
    if not _CURRENCY_RE.fullmatch(code):
        raise OrderParseError(
            f"The currency {shown(value)} is not a three-letter ISO 4217 code "
            "(like EUR or USD)."
        )
    return code


def country(value):
    """:return: an upper-case country code (None if absent)."""
    value = clean(value)
    return value.upper() if value else None


def check_lines(lines, action, label="order"):
    """Refuse an order without lines (unless it deletes) or with a line twice."""
    if not lines and action != ACTION_DELETE:
        raise OrderParseError(f"The {label} has no lines.")
    seen = set()
    for line in lines:
        if line.line_ref in seen:
            raise OrderParseError(
                f"The line number {shown(line.line_ref)} appears twice in the order."
            )
        seen.add(line.line_ref)
