"""cXML ``OrderRequest`` documents (cXML 1.2.x).

cXML documents name a remote DTD in their ``DOCTYPE``; it is never fetched (see
:mod:`.xml_security`). The ``Header`` (sender credentials, shared secret) is not
read at all: the shop is authenticated by the intake endpoint, not by the
document. Card numbers are never kept, only their last four digits.
"""

import re

from .common import (
    ACTION_DELETE,
    ACTION_NEW,
    ACTION_UPDATE,
    FORMAT_CXML,
    PAYMENT_CARD,
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
    clean,
    country,
    currency,
    order_date,
    quantity,
    shown,
    text,
)
from .xml_security import parse_xml

ACTIONS = (ACTION_NEW, ACTION_UPDATE, ACTION_DELETE)
GTIN_EXTRINSICS = {"GTIN", "EAN", "EAN13", "UPC"}


def parse_cxml(data):
    """:return: the :class:`ParsedOrder` of a cXML OrderRequest document (bytes)."""
    return _from_root(parse_xml(data))


def _elements(element):
    return [child for child in element if isinstance(child.tag, str)]


def _find_text(element, path):
    return text(element.find(path)) if element is not None else None


def _phone(element):
    """:return: a cXML ``Phone/TelephoneNumber`` as one string."""
    number = element.find("TelephoneNumber") if element is not None else None
    if number is None:
        return text(element)
    country_code = _find_text(number, "CountryCode")
    parts = [
        f"+{country_code.lstrip('+')}" if country_code else None,
        _find_text(number, "AreaOrCityCode"),
        _find_text(number, "Number"),
    ]
    phone = " ".join(part for part in parts if part)
    extension = _find_text(number, "Extension")
    if phone and extension:
        phone = f"{phone} ext. {extension}"
    return phone or None


def _state(postal):
    state = postal.find("State")
    code = attr(state, "isoStateCode")  # e.g. US-CA
    if code:
        return code.rpartition("-")[2].upper()
    return text(state)


def _address(element):
    """:return: the :class:`ParsedAddress` of a cXML ``Address`` element."""
    if element is None:
        return None
    postal = element.find("PostalAddress")
    address = ParsedAddress(
        name=_find_text(element, "Name"),
        email=_find_text(element, "Email"),
        phone=_phone(element.find("Phone")),
    )
    if postal is None:
        return address
    streets = [street for street in map(text, postal.iterfind("Street")) if street]
    deliver_to = [name for name in map(text, postal.iterfind("DeliverTo")) if name]
    address.street = streets[0] if streets else None
    # a second street line, else the people the parcel is for ("attention of")
    address.street2 = ", ".join(streets[1:] or deliver_to) or None
    address.city = _find_text(postal, "City")
    address.zip = _find_text(postal, "PostalCode")
    address.state_code = _state(postal)
    country_element = postal.find("Country")
    address.country_code = country(attr(country_element, "isoCountryCode"))
    return address


def _customer(header):
    address_element = header.find("BillTo/Address")
    if address_element is None:
        return ParsedParty()
    address = _address(address_element)
    return ParsedParty(
        name=address.name,
        # the bill-to address id the buyer's system uses for this account
        ref=attr(address_element, "addressID"),
        email=address.email,
        phone=address.phone,
        address=address,
    )


def _delivery(header):
    address = _address(header.find("ShipTo/Address"))
    if address is None or address.is_empty():
        return None
    return address


def _line(item, position):
    line_ref = attr(item, "lineNumber") or str(position)
    detail = item.find("ItemDetail")
    gtins = [
        text(extrinsic)
        for extrinsic in (detail.iterfind("Extrinsic") if detail is not None else ())
        if (attr(extrinsic, "name") or "").upper() in GTIN_EXTRINSICS
        and text(extrinsic)
    ]
    unit_code = _find_text(detail, "UnitOfMeasure")
    return ParsedLine(
        line_ref=line_ref,
        quantity=quantity(attr(item, "quantity"), line_ref),
        sku=_find_text(item, "ItemID/SupplierPartID"),
        buyer_sku=_find_text(item, "ItemID/BuyerPartID"),
        gtin=gtins[0] if gtins else None,
        description=_find_text(detail, "Description"),
        uom_code=unit_code.upper() if unit_code else None,
        unit_price=amount(
            _find_text(detail, "UnitPrice/Money"), f"Line {line_ref}: the unit price"
        ),
    )


def _payment(header):
    """:return: a card payment with the masked card number, or None."""
    card = header.find("Payment/PCard")
    if card is None:
        return None
    digits = re.sub(r"\D", "", card.get("number") or "")
    return ParsedPayment(
        method=PAYMENT_CARD,
        reference=f"****{digits[-4:]}" if digits else None,
    )


def _comments(header):
    comments = header.find("Comments")
    if comments is None:
        return None
    # Comments mixes free text with Attachment elements: keep the text only
    parts = [comments.text or ""] + [child.tail or "" for child in comments]
    return clean(" ".join(part.strip() for part in parts if part.strip()))


def _describe(root):
    request = root.find("Request")
    children = _elements(request) if request is not None else []
    if not children:
        children = [child for child in _elements(root) if child.tag != "Header"]
    return children[0].tag if children else "empty"


def _from_root(root):
    if root.tag != "cXML":
        raise UnsupportedDocumentError("This XML is not a cXML document.")
    order_request = root.find("Request/OrderRequest")
    if order_request is None:
        raise UnsupportedDocumentError(
            f"This cXML document is a {_describe(root)}, not an OrderRequest; "
            "only cXML orders can be read."
        )
    header = order_request.find("OrderRequestHeader")
    if header is None:
        raise OrderParseError("The cXML OrderRequest has no OrderRequestHeader.")
    external_id = attr(header, "orderID")
    if not external_id:
        raise OrderParseError(
            "The cXML order has no order number (OrderRequestHeader/@orderID)."
        )
    action = attr(header, "type") or ACTION_NEW
    if action not in ACTIONS:
        raise OrderParseError(
            f"The cXML order type {shown(action)} is not one we handle "
            "(expected new, update or delete)."
        )
    lines = [
        _line(item, position)
        for position, item in enumerate(order_request.iterfind("ItemOut"), start=1)
    ]
    check_lines(lines, action, label="cXML order")
    total = header.find("Total/Money")
    first_price = order_request.find("ItemOut/ItemDetail/UnitPrice/Money")
    return ParsedOrder(
        format=FORMAT_CXML,
        external_id=external_id,
        action=action,
        idempotency_key=attr(root, "payloadID"),
        order_date=order_date(attr(header, "orderDate")),
        currency=currency(attr(total, "currency") or attr(first_price, "currency")),
        customer=_customer(header),
        delivery=_delivery(header),
        lines=lines,
        payment=_payment(header),
        note=_comments(header),
        total_amount=amount(text(total), "The order total"),
    )
