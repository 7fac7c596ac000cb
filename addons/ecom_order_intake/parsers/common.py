"""The neutral order structure every format parser returns.

Parsers are plain functions ``bytes -> ParsedOrder``; they never touch the ORM.
Everything a customer-service person may have to read later (problems, missing
data) is raised as :class:`OrderParseError` with a message written for them.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

FORMAT_NATIVE = "native"
FORMAT_UBL = "ubl"
FORMAT_CXML = "cxml"

ACTION_NEW = "new"
ACTION_UPDATE = "update"
ACTION_DELETE = "delete"

PAYMENT_CARD = "card"
PAYMENT_ACCOUNT = "account"


class OrderParseError(ValueError):
    """The document is not an order we can read; the message is user-facing."""


class UnsupportedDocumentError(OrderParseError):
    """Well-formed XML, but not a format we know (root element/namespace)."""


@dataclass
class ParsedAddress:
    name: str | None = None
    street: str | None = None
    street2: str | None = None
    city: str | None = None
    zip: str | None = None
    state_code: str | None = None
    country_code: str | None = None  # ISO 3166-1 alpha-2
    email: str | None = None
    phone: str | None = None

    def is_empty(self):
        return not any(
            (self.street, self.street2, self.city, self.zip, self.country_code)
        )


@dataclass
class ParsedParty:
    """The buyer as the document names it; every key is optional."""

    name: str | None = None
    zoho_account_id: str | None = None
    ref: str | None = None  # the buyer's account number at our side
    vat: str | None = None
    email: str | None = None
    phone: str | None = None
    gln: str | None = None
    address: ParsedAddress | None = None
    # further ids the document gives the buyer, "scheme:value" or the bare value
    # (UBL EndpointID, PartyIdentification, legal CompanyID): for shop mappings
    # only, they are not ours, so never match them against our own fields
    other_ids: list[str] = field(default_factory=list)


@dataclass
class ParsedLine:
    line_ref: str
    quantity: Decimal
    sku: str | None = None  # our product's default_code
    gtin: str | None = None  # barcode
    buyer_sku: str | None = None
    description: str | None = None
    uom_code: str | None = None  # UN/ECE Recommendation 20 code
    unit_price: Decimal | None = None


@dataclass
class ParsedPayment:
    method: str  # PAYMENT_CARD or PAYMENT_ACCOUNT
    reference: str | None = None
    amount: Decimal | None = None
    provider: str | None = None


@dataclass
class ParsedOrder:
    format: str
    external_id: str
    action: str = ACTION_NEW
    idempotency_key: str | None = None  # cXML payloadID
    order_date: date | None = None
    currency: str | None = None  # ISO 4217
    customer_reference: str | None = None  # the buyer's own PO number
    customer: ParsedParty = field(default_factory=ParsedParty)
    delivery: ParsedAddress | None = None
    lines: list[ParsedLine] = field(default_factory=list)
    payment: ParsedPayment | None = None
    note: str | None = None
    total_amount: Decimal | None = None
