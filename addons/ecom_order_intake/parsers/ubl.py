"""UBL 2.1 Order documents, PEPPOL BIS Ordering 3 included.

PEPPOL orders use the same namespace (they carry ``cbc:CustomizationID``
``urn:fdc:peppol.eu:poacc:trns:order:3`` and no ``cbc:UBLVersionID``), so one
reader serves both. A UBL Order is always a new order: changes and
cancellations are other UBL documents (OrderChange, OrderCancellation).
"""

from .common import (
    ACTION_NEW,
    FORMAT_UBL,
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
    country,
    currency,
    decimal,
    order_date,
    quantity,
    shown,
    text,
)
from .xml_security import parse_xml

UBL_NS = "urn:oasis:names:specification:ubl:schema:xsd:Order-2"
CAC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NS = {"cac": CAC_NS, "cbc": CBC_NS}

PEPPOL_ORDER_CUSTOMIZATION = "urn:fdc:peppol.eu:poacc:trns:order:3"
GLN_SCHEMES = {"GLN", "0088"}  # schemeID values of a GS1 Global Location Number
GTIN_SCHEMES = {"GTIN", "0160"}  # schemeID values of a GS1 GTIN
CARD_PAYMENT_MEANS = {"48", "54", "55"}  # UNCL4461: bank card, credit, debit card


def parse_ubl(data):
    """:return: the :class:`ParsedOrder` of a UBL 2.1 Order document (bytes)."""
    return _from_root(parse_xml(data))


def _find(element, path):
    return element.find(path, NS) if element is not None else None


def _find_text(element, path):
    return text(_find(element, path))


def _scheme(element):
    return (attr(element, "schemeID") or "").upper()


def _scheme_id(element):
    """:return: ``scheme:value`` of an identifier (the bare value without scheme)."""
    value = text(element)
    scheme = attr(element, "schemeID")
    if value and scheme:
        return f"{scheme}:{value}"
    return value


def _address(element):
    if element is None:
        return None
    street = _find_text(element, "cbc:StreetName")
    building = _find_text(element, "cbc:BuildingNumber")
    if street and building:
        street = f"{street} {building}"
    street2 = _find_text(element, "cbc:AdditionalStreetName")
    address_lines = [
        line
        for line in map(text, element.iterfind("cac:AddressLine/cbc:Line", NS))
        if line
    ]
    if not street and address_lines:
        street = address_lines.pop(0)
    if not street2 and address_lines:
        street2 = ", ".join(address_lines)
    return ParsedAddress(
        street=street,
        street2=street2,
        city=_find_text(element, "cbc:CityName"),
        zip=_find_text(element, "cbc:PostalZone"),
        state_code=_find_text(element, "cbc:CountrySubentityCode")
        or _find_text(element, "cbc:CountrySubentity"),
        country_code=country(_find_text(element, "cac:Country/cbc:IdentificationCode")),
    )


def _buyer(root):
    customer_party = _find(root, "cac:BuyerCustomerParty")
    party = _find(customer_party, "cac:Party")
    buyer = ParsedParty(
        # the account number we (the seller) gave the buyer
        ref=_find_text(customer_party, "cbc:SupplierAssignedAccountID"),
    )
    if party is None:
        return buyer
    endpoint = _find(party, "cbc:EndpointID")
    identifiers = list(party.iterfind("cac:PartyIdentification/cbc:ID", NS))
    glns = [
        text(element)
        for element in [*identifiers, endpoint]
        if element is not None and _scheme(element) in GLN_SCHEMES and text(element)
    ]
    buyer.gln = glns[0] if glns else None
    buyer.other_ids = list(
        dict.fromkeys(
            value
            for value in map(
                _scheme_id,
                [
                    endpoint,
                    *identifiers,
                    _find(party, "cac:PartyLegalEntity/cbc:CompanyID"),
                ],
            )
            if value
        )
    )
    buyer.name = (
        _find_text(party, "cac:PartyName/cbc:Name")
        or _find_text(party, "cac:PartyLegalEntity/cbc:RegistrationName")
        or _find_text(party, "cac:PartyTaxScheme/cbc:RegistrationName")
    )
    buyer.vat = _vat(party)
    buyer.email = _find_text(party, "cac:Contact/cbc:ElectronicMail")
    buyer.phone = _find_text(party, "cac:Contact/cbc:Telephone")
    buyer.address = _address(_find(party, "cac:PostalAddress"))
    if buyer.address is not None:
        buyer.address.name = buyer.name
    return buyer


def _vat(party):
    schemes = list(party.iterfind("cac:PartyTaxScheme", NS))
    for tax_scheme in schemes:
        if (_find_text(tax_scheme, "cac:TaxScheme/cbc:ID") or "").upper() == "VAT":
            vat = _find_text(tax_scheme, "cbc:CompanyID")
            if vat:
                return vat
    for tax_scheme in schemes:
        vat = _find_text(tax_scheme, "cbc:CompanyID")
        if vat:
            return vat
    return None


def _delivery(root):
    delivery = _find(root, "cac:Delivery")
    if delivery is None:
        return None
    location = _find(delivery, "cac:DeliveryLocation")
    address_element = _find(location, "cac:Address")
    if address_element is None:
        address_element = _find(delivery, "cac:DeliveryAddress")
    address = _address(address_element)
    if address is None or address.is_empty():
        return None
    delivery_party = _find(delivery, "cac:DeliveryParty")
    buyer_contact = _find(root, "cac:BuyerCustomerParty/cac:DeliveryContact")
    address.name = (
        _find_text(delivery_party, "cac:PartyName/cbc:Name")
        or _find_text(location, "cbc:Name")
        or _find_text(buyer_contact, "cbc:Name")
    )
    for contact in (_find(delivery_party, "cac:Contact"), buyer_contact):
        address.email = address.email or _find_text(contact, "cbc:ElectronicMail")
        address.phone = address.phone or _find_text(contact, "cbc:Telephone")
    return address


def _line(item, position):
    line_ref = _find_text(item, "cbc:ID") or str(position)
    quantity_element = _find(item, "cbc:Quantity")
    unit_code = attr(quantity_element, "unitCode")
    price = _find(item, "cac:Price")
    unit_price = amount(
        _find_text(price, "cbc:PriceAmount"), f"Line {line_ref}: the price"
    )
    base_quantity = decimal(
        _find_text(price, "cbc:BaseQuantity"),
        f"Line {line_ref}: the price's base quantity",
    )
    if unit_price is not None and base_quantity is not None and base_quantity != 1:
        if base_quantity <= 0:
            raise OrderParseError(
                f"Line {line_ref}: the price's base quantity {shown(base_quantity)} "
                "must be more than zero."
            )
        unit_price = unit_price / base_quantity
    gtins = [
        text(element)
        for element in item.iterfind(
            "cac:Item/cac:StandardItemIdentification/cbc:ID", NS
        )
        if _scheme(element) in GTIN_SCHEMES and text(element)
    ]
    name = _find_text(item, "cac:Item/cbc:Name")
    details = "\n".join(
        filter(None, map(text, item.iterfind("cac:Item/cbc:Description", NS)))
    )
    description = "\n".join(part for part in (name, details) if part) or None
    if name and details == name:
        description = name
    return ParsedLine(
        line_ref=line_ref,
        quantity=quantity(text(quantity_element), line_ref),
        sku=_find_text(item, "cac:Item/cac:SellersItemIdentification/cbc:ID"),
        gtin=gtins[0] if gtins else None,
        buyer_sku=_find_text(item, "cac:Item/cac:BuyersItemIdentification/cbc:ID"),
        description=description,
        uom_code=unit_code.upper() if unit_code else None,
        unit_price=unit_price,
    )


def _payment(root):
    """:return: the card payment the buyer made, or None (an account order)."""
    for means in root.iterfind("cac:PaymentMeans", NS):
        code = _find_text(means, "cbc:PaymentMeansCode")
        card = _find(means, "cac:CardAccount")
        if code in CARD_PAYMENT_MEANS or card is not None:
            # never keep cbc:PrimaryAccountNumberID: it is the card number
            return ParsedPayment(
                method=PAYMENT_CARD,
                reference=_find_text(means, "cbc:PaymentID"),
                provider=_find_text(card, "cbc:NetworkID"),
            )
    return None


def _currency(root):
    code = _find_text(root, "cbc:DocumentCurrencyCode")
    if code:
        return currency(code)
    payable = _find(root, "cac:AnticipatedMonetaryTotal/cbc:PayableAmount")
    for element in (payable, *root.iter()):
        code = attr(element, "currencyID")
        if code:
            return currency(code)
    return None


def _from_root(root):
    if root.tag != f"{{{UBL_NS}}}Order":
        raise UnsupportedDocumentError(
            f'This XML is not a UBL 2.1 Order (expected <Order xmlns="{UBL_NS}">).'
        )
    external_id = _find_text(root, "cbc:ID")
    if not external_id:
        raise OrderParseError("The UBL order has no order number (cbc:ID).")
    lines = [
        _line(item, position)
        for position, item in enumerate(
            root.iterfind("cac:OrderLine/cac:LineItem", NS), start=1
        )
    ]
    check_lines(lines, ACTION_NEW, label="UBL order")
    notes = [note for note in map(text, root.iterfind("cbc:Note", NS)) if note]
    return ParsedOrder(
        format=FORMAT_UBL,
        external_id=external_id,
        action=ACTION_NEW,
        order_date=order_date(_find_text(root, "cbc:IssueDate")),
        currency=_currency(root),
        customer_reference=_find_text(root, "cbc:CustomerReference"),
        customer=_buyer(root),
        delivery=_delivery(root),
        lines=lines,
        payment=_payment(root),
        note="\n".join(notes) or None,
        total_amount=amount(
            _find_text(root, "cac:AnticipatedMonetaryTotal/cbc:PayableAmount"),
            "The order total (PayableAmount)",
        ),
    )
