"""Our own order format, ``urn:o2c:ecom:order:1`` (schemas/native_order_v1.xsd).

Every document is validated against the XSD first, so the reading below can
rely on the structure; the values are still checked as in the other formats.
"""

import functools
import os
import re
import threading

from lxml import etree

from .common import (
    ACTION_NEW,
    FORMAT_NATIVE,
    OrderParseError,
    ParsedAddress,
    ParsedLine,
    ParsedOrder,
    ParsedParty,
    ParsedPayment,
    UnsupportedDocumentError,
)
from .values import (
    amount,
    attr,
    check_lines,
    country,
    currency,
    order_date,
    quantity,
    text,
)
from .xml_security import parse_xml

NATIVE_NS = "urn:o2c:ecom:order:1"
NS = {"o": NATIVE_NS}
SCHEMA_NAME = "native_order_v1.xsd"
SCHEMA_PATH = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "schemas", SCHEMA_NAME
)
DEFAULT_UNIT_CODE = "C62"
_MAX_REPORTED_ERRORS = 5
_DUPLICATE_LINE_RE = re.compile(
    r"Duplicate key-sequence \[(.*)\] in unique identity-constraint "
    r"'UniqueLineNumber'"
)

# an XMLSchema keeps its error log on itself: validate one document at a time
_validation_lock = threading.Lock()


@functools.cache
def _schema():
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    return etree.XMLSchema(etree.parse(SCHEMA_PATH, parser))


def _plain(error):
    message = error.message.replace(f"{{{NATIVE_NS}}}", "")
    message = re.sub(r"\[facet '\w+'\] ", "", message).rstrip(".")
    duplicate = _DUPLICATE_LINE_RE.search(message)
    if duplicate:
        message = f"the line number {duplicate.group(1)} appears twice"
    return f"line {error.line}: {message}"


def validate(root):
    """:raises OrderParseError: listing where the document breaks the XSD."""
    with _validation_lock:
        schema = _schema()
        if schema.validate(root):
            return
        errors = list(dict.fromkeys(_plain(error) for error in schema.error_log))
    shown = errors[:_MAX_REPORTED_ERRORS]
    if len(errors) > len(shown):
        shown.append(f"and {len(errors) - len(shown)} more problems")
    raise OrderParseError(
        f"The order does not follow the native order format ({SCHEMA_NAME}): "
        + "; ".join(shown)
        + "."
    )


def parse_native(data):
    """:return: the :class:`ParsedOrder` of a native order document (bytes)."""
    return _from_root(parse_xml(data))


def _find_text(element, path):
    return text(element.find(path, NS)) if element is not None else None


def _address(element, with_contact=False):
    if element is None:
        return None
    address = ParsedAddress(
        name=_find_text(element, "o:Name"),
        street=_find_text(element, "o:Street"),
        street2=_find_text(element, "o:Street2"),
        city=_find_text(element, "o:City"),
        zip=_find_text(element, "o:Zip"),
        state_code=_find_text(element, "o:State"),
        country_code=country(_find_text(element, "o:Country")),
    )
    if with_contact:
        address.email = _find_text(element, "o:Email")
        address.phone = _find_text(element, "o:Phone")
    return address


def _customer(element):
    return ParsedParty(
        name=_find_text(element, "o:Name"),
        zoho_account_id=_find_text(element, "o:ZohoAccountId"),
        ref=_find_text(element, "o:AccountRef"),
        vat=_find_text(element, "o:VAT"),
        email=_find_text(element, "o:Email"),
        phone=_find_text(element, "o:Phone"),
        address=_address(element.find("o:BillingAddress", NS)),
    )


def _line(element):
    line_ref = attr(element, "number")
    quantity_element = element.find("o:Quantity", NS)
    unit_code = attr(quantity_element, "unitCode") or DEFAULT_UNIT_CODE
    return ParsedLine(
        line_ref=line_ref,
        quantity=quantity(text(quantity_element), line_ref),
        sku=_find_text(element, "o:SKU"),
        gtin=_find_text(element, "o:GTIN"),
        description=_find_text(element, "o:Description"),
        uom_code=unit_code.upper(),
        unit_price=amount(
            _find_text(element, "o:UnitPrice"), f"Line {line_ref}: the unit price"
        ),
    )


def _payment(element):
    if element is None:
        return None
    return ParsedPayment(
        method=attr(element, "method"),
        reference=_find_text(element, "o:Reference"),
        amount=amount(_find_text(element, "o:Amount"), "The payment amount"),
        provider=_find_text(element, "o:Provider"),
    )


def _from_root(root):
    if root.tag != f"{{{NATIVE_NS}}}Order":
        raise UnsupportedDocumentError(
            f'This XML is not a native order (expected <Order xmlns="{NATIVE_NS}">).'
        )
    validate(root)
    action = _find_text(root, "o:Action") or ACTION_NEW
    lines = [_line(element) for element in root.iterfind("o:Lines/o:Line", NS)]
    check_lines(lines, action)
    return ParsedOrder(
        format=FORMAT_NATIVE,
        external_id=_find_text(root, "o:OrderId"),
        action=action,
        order_date=order_date(_find_text(root, "o:OrderDate")),
        currency=currency(_find_text(root, "o:Currency")),
        customer_reference=_find_text(root, "o:CustomerReference"),
        customer=_customer(root.find("o:Customer", NS)),
        delivery=_address(root.find("o:ShipTo", NS), with_contact=True),
        lines=lines,
        payment=_payment(root.find("o:Payment", NS)),
        note=_find_text(root, "o:Note"),
        total_amount=amount(_find_text(root, "o:Total"), "The order total"),
    )
