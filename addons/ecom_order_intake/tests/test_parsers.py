"""The XML order parsers: formats, values, and refusing hostile documents.

No database: these are :class:`BaseCase` tests of pure functions.
"""

import threading
import time
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from odoo.tests.common import BaseCase

from ..parsers import detect_format, parse_order, parse_xml
from ..parsers import native as native_module
from ..parsers import ubl as ubl_module
from ..parsers.common import (
    ACTION_DELETE,
    ACTION_NEW,
    ACTION_UPDATE,
    FORMAT_CXML,
    FORMAT_NATIVE,
    FORMAT_UBL,
    PAYMENT_ACCOUNT,
    PAYMENT_CARD,
    OrderParseError,
    ParsedOrder,
    UnsupportedDocumentError,
)
from ..parsers.cxml import parse_cxml
from ..parsers.native import parse_native
from ..parsers.ubl import parse_ubl
from .common import fixture_bytes, shared_sample_path

UBL_SAMPLE = "UBL-Order-2.1-Example.xml"
CXML_SAMPLE = "cxml-1.2.050-OrderRequest.xml"
DEMO_ORDERS = Path(__file__).resolve().parents[1] / "demo" / "orders"
CXML_DTD = b"http://xml.cXML.org/schemas/cXML/1.2.050/cXML.dtd"
NATIVE_NS = "urn:o2c:ecom:order:1"
NATIVE_ORDER = "native_card_paid.xml"  # in tests/data


def sample_bytes(name):
    return shared_sample_path(name).read_bytes()


def demo_bytes(name):
    return (DEMO_ORDERS / name).read_bytes()


def replaced(data, old, new, count=1):
    """:return: ``data`` with ``old`` replaced, failing if ``old`` is not there."""
    assert old in data, f"{old!r} is not in the document"
    return data.replace(old, new, count)


NATIVE_FULL = f"""<?xml version="1.0" encoding="UTF-8"?>
<Order xmlns="{NATIVE_NS}">
  <OrderId> WEB-1 </OrderId>
  <OrderDate>2025-01-31</OrderDate>
  <Action>update</Action>
  <Currency>EUR</Currency>
  <Customer>
    <ZohoAccountId>4400000000012345</ZohoAccountId>
    <AccountRef>C-1001</AccountRef>
    <Name>Acme</Name>
    <Email>a@acme.example</Email>
    <VAT>BE 0477 472 701</VAT>
    <Phone>+32 2 555 01 00</Phone>
    <BillingAddress>
      <Street>Rue Neuve 1</Street>
      <City>Brussels</City>
      <Zip>1000</Zip>
      <Country>be</Country>
    </BillingAddress>
  </Customer>
  <Lines>
    <Line number="A">
      <GTIN>05412345000013</GTIN>
      <Quantity unitCode="KGM">1.250</Quantity>
    </Line>
  </Lines>
  <Payment method="account"/>
</Order>""".encode()


class LocalHttpServer:
    """A web server on localhost that counts the requests it is sent."""

    def __enter__(self):
        requests = self.requests = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                requests.append(self.path)
                body = b'<!ENTITY leaked "LEAKED">'
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


class TestXmlSecurity(BaseCase):
    def assertRefused(self, data, *fragments):
        with self.assertRaises(OrderParseError) as caught:
            parse_order(data)
        message = str(caught.exception)
        for fragment in fragments:
            self.assertIn(fragment, message)
        return message

    def test_empty_body(self):
        for data in (b"", b"   \n\t", b""):
            self.assertRefused(data, "The order is not well-formed XML", "empty")

    def test_not_xml(self):
        for data in (b"hello", b'{"order": 1}', b"\x00\xff\xfe\x00", b"\xef\xbb\xbf"):
            self.assertRefused(data, "The order is not well-formed XML")

    def test_malformed(self):
        message = self.assertRefused(
            b"<Order>\n  <OrderId>1</Order>", "The order is not well-formed XML"
        )
        self.assertIn("line 2", message)
        self.assertRefused(b"<a>", "not well-formed")
        self.assertRefused(b'<?xml version="1.0" encoding="nope"?><a/>', "encoding")

    def test_xxe_external_file_entity(self):
        data = f"""<?xml version="1.0"?>
<!DOCTYPE Order [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Order xmlns="{NATIVE_NS}"><OrderId>&xxe;</OrderId></Order>""".encode()
        message = self.assertRefused(data, "xxe", "refused")
        self.assertNotIn("root:", message)
        with self.assertRaises(OrderParseError):
            parse_xml(data)

    def test_billion_laughs(self):
        entities = "".join(
            f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
        )
        data = (
            f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{entities}]>'
            f'<lolz a="&lol9;">&lol9;</lolz>'
        ).encode()
        started = time.monotonic()
        self.assertRefused(data)
        self.assertLess(time.monotonic() - started, 5)
        # the same, without using the entities: still refused for declaring them
        quiet = data.replace(b' a="&lol9;">&lol9;<', b"><")
        self.assertRefused(quiet, "lol", "refused")

    def test_internal_entity_refused(self):
        data = b'<!DOCTYPE cXML [<!ENTITY x "DO1234">]><cXML payloadID="&x;"/>'
        self.assertRefused(data, "“x”")

    def test_remote_dtd_with_entity_reference(self):
        doctype = b'<!DOCTYPE cXML SYSTEM "http://example.invalid/cXML.dtd">'
        in_text = doctype + b"<cXML><Request>&nbsp;</Request></cXML>"
        self.assertRefused(in_text, "entity", "nbsp")
        in_attribute = doctype + b'<cXML payloadID="&id;"><Request/></cXML>'
        self.assertRefused(in_attribute, "entity", "id")

    def test_remote_dtd_accepted_and_never_fetched(self):
        sample = sample_bytes(CXML_SAMPLE)
        with LocalHttpServer() as server:
            local = replaced(sample, CXML_DTD, f"{server.url}/cXML.dtd".encode())
            self.assertEqual(parse_order(local).external_id, "DO1234")
            self.assertEqual(parse_order(sample).external_id, "DO1234")
            external = f"""<?xml version="1.0"?>
<!DOCTYPE a [<!ENTITY e SYSTEM "{server.url}/e.txt">]><a>&e;</a>""".encode()
            self.assertRefused(external, "“e”")
            parameter = f"""<?xml version="1.0"?>
<!DOCTYPE a [<!ENTITY % p SYSTEM "{server.url}/p.dtd"> %p;]><a>&leaked;</a>"""
            self.assertRefused(parameter.encode())
        self.assertEqual(server.requests, [])

    def test_comments_and_processing_instructions_ignored(self):
        data = replaced(
            fixture_bytes(NATIVE_ORDER),
            b"<OrderId>WEB-100045</OrderId>",
            b"<OrderId><!-- x -->WEB-<?pi x?>100045</OrderId>",
        )
        self.assertEqual(parse_order(data).external_id, "WEB-100045")


class TestDetectFormat(BaseCase):
    def test_formats(self):
        self.assertEqual(detect_format(parse_xml(sample_bytes(UBL_SAMPLE))), FORMAT_UBL)
        self.assertEqual(
            detect_format(parse_xml(sample_bytes(CXML_SAMPLE))), FORMAT_CXML
        )
        self.assertEqual(
            detect_format(parse_xml(fixture_bytes(NATIVE_ORDER))), FORMAT_NATIVE
        )

    def test_unknown_root(self):
        with self.assertRaises(UnsupportedDocumentError) as caught:
            parse_order(b"<html><body>Order 12</body></html>")
        self.assertEqual(
            str(caught.exception),
            "This XML is a <html>, not an order we can read (native, UBL 2.1 Order "
            "or cXML OrderRequest).",
        )
        invoice = (
            b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'
        )
        with self.assertRaises(UnsupportedDocumentError) as caught:
            parse_order(invoice)
        self.assertIn("<Invoice xmlns=", str(caught.exception))
        # an Order element in no namespace is not one of ours either
        with self.assertRaises(UnsupportedDocumentError):
            parse_order(b"<Order><ID>1</ID></Order>")

    def test_unsupported_is_a_parse_error(self):
        self.assertTrue(issubclass(UnsupportedDocumentError, OrderParseError))

    def test_parse_order_dispatches(self):
        cases = [
            (sample_bytes(UBL_SAMPLE), parse_ubl),
            (sample_bytes(CXML_SAMPLE), parse_cxml),
            (fixture_bytes(NATIVE_ORDER), parse_native),
        ]
        for data, parse in cases:
            self.assertEqual(parse_order(data), parse(data))

    def test_format_specific_parsers_refuse_other_formats(self):
        native = fixture_bytes(NATIVE_ORDER)
        for parse in (parse_ubl, parse_cxml):
            with self.assertRaises(UnsupportedDocumentError):
                parse(native)
        with self.assertRaises(UnsupportedDocumentError):
            parse_native(sample_bytes(UBL_SAMPLE))


class TestNativeParser(BaseCase):
    def test_card_paid(self):
        order = parse_order(fixture_bytes(NATIVE_ORDER))
        self.assertIsInstance(order, ParsedOrder)
        self.assertEqual(order.format, FORMAT_NATIVE)
        self.assertEqual(order.external_id, "WEB-100045")
        self.assertEqual(order.action, ACTION_NEW)
        self.assertIsNone(order.idempotency_key)
        self.assertEqual(order.order_date, date(2025, 3, 14))
        self.assertEqual(order.currency, "USD")
        self.assertEqual(order.customer_reference, "PO-7781")
        self.assertEqual(order.customer.ref, "C-1001")
        self.assertEqual(order.customer.name, "Acme Office Supplies Inc.")
        self.assertEqual(order.customer.email, "purchasing@acme-office.example")
        self.assertEqual(order.customer.address.city, "San Francisco")
        self.assertEqual(order.customer.address.state_code, "CA")
        self.assertEqual(order.customer.address.country_code, "US")
        self.assertEqual(order.delivery.street, "1200 Harbor Way")
        self.assertEqual(order.delivery.email, "warehouse@acme-office.example")
        self.assertEqual(order.delivery.phone, "+1 510 555 0199")
        self.assertEqual(
            [
                (line.line_ref, line.sku, line.quantity, line.unit_price, line.uom_code)
                for line in order.lines
            ],
            [
                ("1", "O2C-PAPER-A4", Decimal("10"), Decimal("4.50"), "C62"),
                ("2", "O2C-TONER-BK", Decimal("2"), Decimal("39.90"), "C62"),
            ],
        )
        self.assertEqual(order.payment.method, PAYMENT_CARD)
        self.assertEqual(order.payment.reference, "ch_3PxDemo100045")
        self.assertEqual(order.payment.provider, "stripe")
        self.assertEqual(order.payment.amount, Decimal("124.80"))
        self.assertEqual(order.note, "Please deliver before noon.")
        self.assertEqual(order.total_amount, Decimal("124.80"))

    def test_demo_documents(self):
        # only what the demo scenarios rely on: the rest is demo data to tune
        card_paid = parse_order(demo_bytes("native_card_paid.xml"))
        self.assertEqual(card_paid.format, FORMAT_NATIVE)
        self.assertEqual(card_paid.payment.method, PAYMENT_CARD)
        self.assertTrue(card_paid.payment.reference)
        self.assertEqual(
            [line.sku for line in card_paid.lines], ["O2C-PAPER-A4", "O2C-TONER-BK"]
        )
        unknown = parse_order(demo_bytes("native_unknown_sku.xml"))
        self.assertEqual([line.sku for line in unknown.lines], ["NO-SUCH-SKU"])
        monthly = parse_order(demo_bytes("native_monthly.xml"))
        self.assertEqual([line.sku for line in monthly.lines], ["O2C-BINDER-2R"])
        self.assertEqual(monthly.payment.method, PAYMENT_ACCOUNT)
        for order in (card_paid, unknown, monthly):
            self.assertEqual(order.currency, "USD")
            self.assertTrue(order.customer.ref)

    def test_all_fields(self):
        order = parse_native(NATIVE_FULL)
        self.assertEqual(order.external_id, "WEB-1")
        self.assertEqual(order.action, ACTION_UPDATE)
        self.assertIsNone(order.customer_reference)
        self.assertEqual(order.customer.zoho_account_id, "4400000000012345")
        self.assertEqual(order.customer.vat, "BE 0477 472 701")
        self.assertEqual(order.customer.phone, "+32 2 555 01 00")
        self.assertEqual(order.customer.address.country_code, "BE")
        self.assertIsNone(order.customer.address.name)
        line = order.lines[0]
        self.assertEqual(line.line_ref, "A")
        self.assertEqual(line.gtin, "05412345000013")
        self.assertIsNone(line.sku)
        self.assertEqual(line.quantity, Decimal("1.250"))
        self.assertEqual(line.uom_code, "KGM")
        self.assertIsNone(line.unit_price)
        self.assertIsNone(order.total_amount)

    def test_invalid_against_schema(self):
        with self.assertRaises(OrderParseError) as caught:
            parse_order(fixture_bytes("native_invalid_schema.xml"))
        message = str(caught.exception)
        self.assertIn("native_order_v1.xsd", message)
        self.assertIn("line 7: Element 'Currency'", message)
        self.assertIn("line 8: Element 'Customer': Missing child element(s)", message)
        self.assertIn("Colour", message)
        self.assertNotIn("{" + NATIVE_NS, message)

    def test_schema_loaded_once(self):
        self.assertIs(native_module._schema(), native_module._schema())

    def test_negative_and_zero_quantity(self):
        for bad in (b"-2", b"0", b"0.000"):
            data = replaced(
                fixture_bytes(NATIVE_ORDER),
                b">2</Quantity>",
                b">" + bad + b"</Quantity>",
            )
            with self.assertRaises(OrderParseError) as caught:
                parse_order(data)
            self.assertIn("Quantity", str(caught.exception))

    def test_bad_decimal(self):
        for bad in (b"4,50", b"1e3", b"NaN", b"four"):
            data = replaced(fixture_bytes(NATIVE_ORDER), b"4.50", bad)
            with self.assertRaises(OrderParseError) as caught:
                parse_order(data)
            self.assertIn("UnitPrice", str(caught.exception))

    def test_lines(self):
        card_paid = fixture_bytes(NATIVE_ORDER)
        twice = replaced(card_paid, b'<Line number="2">', b'<Line number="1">')
        with self.assertRaises(OrderParseError) as caught:
            parse_order(twice)
        line = card_paid[: card_paid.index(b'<Line number="2">')].count(b"\n") + 1
        self.assertIn(
            f"line {line}: the line number '1' appears twice", str(caught.exception)
        )
        start, end = card_paid.index(b"<Lines>"), card_paid.index(b"</Lines>") + 8
        no_lines = card_paid[:start] + card_paid[end:]
        with self.assertRaises(OrderParseError) as caught:
            parse_order(no_lines)
        self.assertEqual(str(caught.exception), "The order has no lines.")
        delete = replaced(no_lines, b"<Action>new</Action>", b"<Action>delete</Action>")
        order = parse_order(delete)
        self.assertEqual(order.action, ACTION_DELETE)
        self.assertEqual(order.lines, [])

    def test_bad_action_and_date(self):
        native = fixture_bytes(NATIVE_ORDER)
        for old, new in (
            (b"<Action>new</Action>", b"<Action>cancel</Action>"),
            (b"2025-03-14T09:12:45+01:00", b"14/03/2025"),
            (b"2025-03-14T09:12:45+01:00", b"2025-02-30"),
        ):
            with self.assertRaises(OrderParseError):
                parse_order(replaced(native, old, new))


class TestUblParser(BaseCase):
    def test_shared_sample(self):
        order = parse_order(sample_bytes(UBL_SAMPLE))
        self.assertEqual(order.format, FORMAT_UBL)
        self.assertEqual(order.external_id, "34")
        self.assertEqual(order.action, ACTION_NEW)
        self.assertEqual(order.order_date, date(2010, 1, 20))
        self.assertEqual(order.currency, "SEK")
        self.assertIsNone(order.customer_reference)
        self.assertEqual(order.note, "Information text for the whole order")
        self.assertEqual(order.total_amount, Decimal("6225"))
        self.assertIsNone(order.payment)
        buyer = order.customer
        self.assertEqual(buyer.name, "Johnssons byggvaror")
        self.assertEqual(buyer.gln, "7300070011115")
        self.assertIsNone(buyer.ref)
        self.assertEqual(buyer.vat, "SE1234567801")
        self.assertEqual(buyer.email, "pelle@johnsson.se")
        self.assertEqual(buyer.phone, "123456")
        self.assertIn("GLN:7300072311115", buyer.other_ids)
        self.assertIn("PartyID123", buyer.other_ids)
        self.assertEqual(buyer.address.street, "Rådhusgatan 5")
        self.assertEqual(buyer.address.street2, "2nd floor")
        self.assertEqual(buyer.address.city, "Stockholm")
        self.assertEqual(buyer.address.zip, "11000")
        self.assertEqual(buyer.address.country_code, "SE")
        delivery = order.delivery
        self.assertEqual(delivery.name, "Swedish trucking")
        self.assertEqual(delivery.street, "Rådhusgatan 5")
        self.assertEqual(delivery.city, "Stockholm")
        self.assertEqual(delivery.country_code, "SE")
        self.assertEqual(delivery.email, "bill@svetruck.se")
        self.assertEqual(
            [
                (
                    line.line_ref,
                    line.sku,
                    line.gtin,
                    line.quantity,
                    line.uom_code,
                    line.unit_price,
                )
                for line in order.lines
            ],
            [
                (
                    "1",
                    "SItemNo001",
                    "1234567890123",
                    Decimal("120"),
                    "LTR",
                    Decimal("50"),
                ),
                (
                    "2",
                    "SItemNo011",
                    "123452340123",
                    Decimal("15"),
                    "C62",
                    Decimal("15"),
                ),
            ],
        )
        self.assertEqual(order.lines[0].description, "Falu Rödfärg\nRed paint")
        self.assertEqual(
            sum(line.quantity * line.unit_price for line in order.lines),
            order.total_amount,
        )
        self.assertNotIn("UjBsR09E", repr(order))  # the embedded attachment

    def test_peppol_without_ubl_version(self):
        data = fixture_bytes("peppol_order_3.xml")
        root = parse_xml(data)
        self.assertIsNone(root.find(f"{{{ubl_module.CBC_NS}}}UBLVersionID"))
        self.assertIn(b"urn:fdc:peppol.eu:poacc:trns:order:3", data)
        order = parse_order(data)
        self.assertEqual(order.format, FORMAT_UBL)
        self.assertEqual(order.external_id, "PO-2024-0815")
        self.assertEqual(order.order_date, date(2024, 5, 21))
        self.assertEqual(order.currency, "EUR")
        self.assertEqual(order.customer_reference, "DEPT-42")
        self.assertEqual(order.customer.gln, "5790000436057")
        self.assertEqual(order.customer.vat, "DK12345678")
        self.assertEqual(order.customer.name, "Nordic Facility Services")
        self.assertEqual(order.customer.address.country_code, "DK")
        self.assertEqual(
            order.customer.other_ids,
            ["0088:5790000436101", "0088:5790000436057", "0184:12345678"],
        )
        self.assertEqual(order.delivery.name, "Nordic Facility Services, warehouse")
        self.assertEqual(order.delivery.street2, "Gate 3")
        self.assertEqual(order.delivery.phone, "+45 43 99 00 11")
        first, second = order.lines
        self.assertEqual(first.line_ref, "10")
        self.assertEqual(first.sku, "O2C-PAPER-A4")
        self.assertEqual(first.buyer_sku, "NFS-PAPER-01")
        self.assertEqual(first.gtin, "05712345678904")
        self.assertEqual(first.unit_price, Decimal("2.5"))  # 25.00 per 10
        self.assertEqual(second.uom_code, "H87")
        self.assertIsNone(second.sku)
        self.assertEqual(second.gtin, "05712345678911")
        self.assertEqual(second.description, "Ring binder 2R")
        self.assertEqual(order.total_amount, Decimal("375.00"))

    def test_card_payment_and_account_number(self):
        order = parse_order(fixture_bytes("ubl_card_paid.xml"))
        self.assertEqual(order.customer.ref, "C-1001")
        self.assertEqual(order.currency, "USD")  # from currencyID
        self.assertEqual(order.payment.method, PAYMENT_CARD)
        self.assertEqual(order.payment.reference, "pi_3PxUbl5521")
        self.assertEqual(order.payment.provider, "VISA")
        self.assertNotIn("4111111111111111", repr(order))

    def test_payment_means_not_card(self):
        data = replaced(
            fixture_bytes("ubl_card_paid.xml"),
            b"<cbc:PaymentMeansCode>54</cbc:PaymentMeansCode>",
            b"<cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>",
        )
        start = data.index(b"<cac:CardAccount>")
        end = data.index(b"</cac:CardAccount>") + len(b"</cac:CardAccount>")
        self.assertIsNone(parse_order(data[:start] + data[end:]).payment)

    def test_no_id_no_lines(self):
        sample = sample_bytes(UBL_SAMPLE)
        with self.assertRaises(OrderParseError) as caught:
            parse_order(replaced(sample, b"<cbc:ID>34</cbc:ID>", b"<cbc:ID> </cbc:ID>"))
        self.assertIn("no order number", str(caught.exception))
        no_lines = sample[: sample.index(b"<cac:OrderLine>")] + b"</Order>"
        with self.assertRaises(OrderParseError) as caught:
            parse_order(no_lines)
        self.assertEqual(str(caught.exception), "The UBL order has no lines.")

    def test_negative_and_zero_quantity(self):
        for bad in (b"-120", b"0"):
            data = replaced(
                sample_bytes(UBL_SAMPLE),
                b'<cbc:Quantity unitCode="LTR">120</cbc:Quantity>',
                b'<cbc:Quantity unitCode="LTR">' + bad + b"</cbc:Quantity>",
            )
            with self.assertRaises(OrderParseError) as caught:
                parse_order(data)
            self.assertEqual(
                str(caught.exception),
                f"Line 1: the quantity “{bad.decode()}” must be more than zero.",
            )

    def test_bad_decimal(self):
        data = replaced(
            sample_bytes(UBL_SAMPLE),
            b'<cbc:PriceAmount currencyID="SEK">15</cbc:PriceAmount>',
            b'<cbc:PriceAmount currencyID="SEK">15,00</cbc:PriceAmount>',
        )
        with self.assertRaises(OrderParseError) as caught:
            parse_order(data)
        self.assertIn(
            "Line 2: the price “15,00” is not a number", str(caught.exception)
        )
        for bad in (b"1e2", b"Infinity", b"", b"12" * 20):
            data = replaced(
                sample_bytes(UBL_SAMPLE),
                b'<cbc:Quantity unitCode="C62">15</cbc:Quantity>',
                b'<cbc:Quantity unitCode="C62">' + bad + b"</cbc:Quantity>",
            )
            with self.assertRaises(OrderParseError) as caught:
                parse_order(data)
            self.assertIn("Line 2", str(caught.exception))

    def test_base_quantity_zero(self):
        data = replaced(
            sample_bytes(UBL_SAMPLE),
            b'<cbc:BaseQuantity unitCode="LTR">1</cbc:BaseQuantity>',
            b'<cbc:BaseQuantity unitCode="LTR">0</cbc:BaseQuantity>',
        )
        with self.assertRaises(OrderParseError) as caught:
            parse_order(data)
        self.assertIn("Line 1: the price's base quantity", str(caught.exception))

    def test_currency_fallback_and_duplicate_lines(self):
        sample = sample_bytes(UBL_SAMPLE)
        no_currency = replaced(
            sample, b"<cbc:DocumentCurrencyCode>SEK</cbc:DocumentCurrencyCode>", b""
        )
        self.assertEqual(parse_order(no_currency).currency, "SEK")
        bad_currency = replaced(
            sample,
            b">SEK</cbc:DocumentCurrencyCode>",
            b">Kronor</cbc:DocumentCurrencyCode>",
        )
        with self.assertRaises(OrderParseError):
            parse_order(bad_currency)
        twice = replaced(sample, b"<cbc:ID>2</cbc:ID>", b"<cbc:ID>1</cbc:ID>")
        with self.assertRaises(OrderParseError) as caught:
            parse_order(twice)
        self.assertIn("“1” appears twice", str(caught.exception))


class TestCxmlParser(BaseCase):
    def test_shared_sample(self):
        data = sample_bytes(CXML_SAMPLE)
        self.assertIn(b"<!DOCTYPE cXML SYSTEM", data)
        order = parse_order(data)
        self.assertEqual(order.format, FORMAT_CXML)
        self.assertEqual(order.idempotency_key, "1625586002.193314.7293@dev")
        self.assertEqual(order.external_id, "DO1234")
        self.assertEqual(order.action, ACTION_NEW)
        self.assertEqual(order.order_date, date(2000, 10, 12))
        self.assertEqual(order.currency, "EUR")
        self.assertEqual(order.total_amount, Decimal("85.00"))
        self.assertEqual(order.customer.name, "Zinc GmbH")
        self.assertIsNone(order.customer.ref)
        self.assertEqual(order.customer.address.street, "An den Eichen 18")
        self.assertEqual(order.customer.address.city, "Solingen")
        self.assertEqual(order.customer.address.zip, "42699")
        self.assertEqual(order.customer.address.country_code, "DE")
        delivery = order.delivery
        self.assertEqual(delivery.name, "Acme")
        self.assertEqual(delivery.street, "123 Anystreet")
        self.assertEqual(delivery.street2, "Joe Smith, Mailstop M-543")
        self.assertEqual(delivery.city, "Sunnyvale")
        self.assertEqual(delivery.state_code, "CA")
        self.assertEqual(delivery.zip, "90489")
        self.assertEqual(delivery.country_code, "US")
        self.assertEqual(
            [
                (
                    line.line_ref,
                    line.sku,
                    line.quantity,
                    line.unit_price,
                    line.uom_code,
                    line.description,
                )
                for line in order.lines
            ],
            [
                (
                    "1",
                    "1233244",
                    Decimal("10"),
                    Decimal("2.10"),
                    "EA",
                    "hello from item 1",
                ),
                (
                    "2",
                    "1233245",
                    Decimal("20"),
                    Decimal("3.20"),
                    "EA",
                    "hello from item 2",
                ),
            ],
        )
        self.assertIsNone(order.payment)
        self.assertIsNone(order.note)
        self.assertNotIn("coyote", repr(order))
        self.assertNotIn("prominate", repr(order))

    def test_update(self):
        order = parse_order(fixture_bytes("cxml_update.xml"))
        self.assertEqual(order.action, ACTION_UPDATE)
        self.assertEqual(order.external_id, "DO1234")
        self.assertEqual(order.idempotency_key, "1625590000.200001.8812@dev")
        self.assertEqual(order.currency, "EUR")
        self.assertEqual(order.customer.ref, "C-1001")
        self.assertEqual(order.customer.email, "ap@zinc.example")
        self.assertEqual(order.customer.phone, "+49 212 5550100")
        self.assertEqual(order.delivery.street2, "Building 4")
        self.assertEqual(order.delivery.state_code, "CA")
        self.assertEqual(order.delivery.country_code, "US")
        self.assertEqual(order.delivery.email, "receiving@acme.example")
        self.assertEqual(order.note, "Second delivery, please call ahead.")
        self.assertEqual(
            [(line.line_ref, line.quantity, line.uom_code) for line in order.lines],
            [
                ("1", Decimal("10"), "EA"),
                ("2", Decimal("25"), "EA"),
                ("3", Decimal("0.5"), "MTR"),
            ],
        )
        self.assertEqual(order.lines[1].buyer_sku, "ZN-778")
        self.assertEqual(order.lines[2].gtin, "04012345678901")
        self.assertEqual(order.payment.method, PAYMENT_CARD)
        self.assertEqual(order.payment.reference, "****1234")
        self.assertNotIn("4111", repr(order))
        self.assertNotIn("2030-12", repr(order))
        self.assertNotIn("coyote", repr(order))

    def test_delete_without_lines(self):
        order = parse_order(fixture_bytes("cxml_delete.xml"))
        self.assertEqual(order.action, ACTION_DELETE)
        self.assertEqual(order.external_id, "DO1234")
        self.assertEqual(order.lines, [])
        self.assertIsNone(order.delivery)

    def test_new_and_update_need_lines(self):
        delete = fixture_bytes("cxml_delete.xml")
        for action in (b"new", b"update"):
            data = replaced(delete, b'type="delete"', b'type="' + action + b'"')
            with self.assertRaises(OrderParseError) as caught:
                parse_order(data)
            self.assertEqual(str(caught.exception), "The cXML order has no lines.")

    def test_unknown_type(self):
        data = replaced(sample_bytes(CXML_SAMPLE), b'type="new"', b'type="cancel"')
        with self.assertRaises(OrderParseError) as caught:
            parse_order(data)
        self.assertIn("“cancel”", str(caught.exception))
        self.assertNotIsInstance(caught.exception, UnsupportedDocumentError)

    def test_missing_order_id(self):
        data = replaced(sample_bytes(CXML_SAMPLE), b'orderID="DO1234"', b"")
        with self.assertRaises(OrderParseError) as caught:
            parse_order(data)
        self.assertIn("no order number", str(caught.exception))

    def test_not_an_order_request(self):
        punchout = b"""<?xml version="1.0"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd">
<cXML payloadID="x@y" timestamp="2024-01-01T00:00:00Z"><Header/>
<Request><PunchOutSetupRequest operation="create"/></Request></cXML>"""
        with self.assertRaises(UnsupportedDocumentError) as caught:
            parse_order(punchout)
        self.assertIn("PunchOutSetupRequest", str(caught.exception))
        response = b'<cXML><Response><Status code="200" text="OK"/></Response></cXML>'
        with self.assertRaises(UnsupportedDocumentError):
            parse_order(response)

    def test_negative_quantity_and_bad_price(self):
        sample = sample_bytes(CXML_SAMPLE)
        negative = replaced(sample, b'quantity="20"', b'quantity="-20"')
        with self.assertRaises(OrderParseError) as caught:
            parse_order(negative)
        self.assertEqual(
            str(caught.exception), "Line 2: the quantity “-20” must be more than zero."
        )
        missing = replaced(sample, b'quantity="10"', b"")
        with self.assertRaises(OrderParseError) as caught:
            parse_order(missing)
        self.assertEqual(str(caught.exception), "Line 1 has no quantity.")
        price = replaced(
            sample,
            b'<Money currency="EUR">2.10</Money>',
            b'<Money currency="EUR">2.10 EUR</Money>',
        )
        with self.assertRaises(OrderParseError) as caught:
            parse_order(price)
        self.assertIn("Line 1: the unit price", str(caught.exception))

    def test_bad_date(self):
        data = replaced(
            sample_bytes(CXML_SAMPLE),
            b'orderDate="2000-10-12T',
            b'orderDate="2000-13-12T',
        )
        with self.assertRaises(OrderParseError) as caught:
            parse_order(data)
        self.assertIn("order date", str(caught.exception))
