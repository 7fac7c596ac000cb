"""Property tests: whatever bytes arrive, parse_order reads them or says why not.

The only outcomes allowed are a :class:`ParsedOrder` or an
:class:`OrderParseError`; anything else (an lxml, Decimal or attribute error)
would reach the intake as a crash. Runs are derandomized so CI is repeatable.
"""

from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from odoo.tests.common import BaseCase

from ..parsers import parse_order, parse_xml
from ..parsers.common import OrderParseError, ParsedOrder
from .common import fixture_bytes, shared_sample_path

DEMO_ORDERS = Path(__file__).resolve().parents[1] / "demo" / "orders"

PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# values meant to trip the reading of numbers, dates, codes and ids
TRICKY_VALUES = [
    "",
    " ",
    "-1",
    "0",
    "-0",
    "1e3",
    "1E-7",
    "NaN",
    "Infinity",
    "1,5",
    "\uff11\uff12",  # full-width digits
    "9" * 40,
    "0." + "1" * 40,
    ".5",
    "5.",
    "+3",
    "2024-02-30",
    "2024-13-01",
    "99999-01-01",
    "new",
    "delete",
    "cancel",
    "zz",
    "\u202e",
    "€",
    "x" * 300,
]


def _source_documents():
    documents = [
        shared_sample_path("UBL-Order-2.1-Example.xml").read_bytes(),
        shared_sample_path("cxml-1.2.050-OrderRequest.xml").read_bytes(),
    ]
    documents += [
        fixture_bytes(name)
        for name in (
            "peppol_order_3.xml",
            "ubl_card_paid.xml",
            "cxml_update.xml",
            "cxml_delete.xml",
            "native_card_paid.xml",
        )
    ]
    documents += [
        path.read_bytes() for path in sorted(DEMO_ORDERS.glob("native_*.xml"))
    ]
    return documents


def _serialize(root):
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


class TestParserProperties(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.documents = _source_documents()

    def document(self, index):
        return self.documents[index % len(self.documents)]

    def assertParsesOrRefuses(self, data):
        try:
            order = parse_order(data)
        except OrderParseError as exc:
            self.assertTrue(str(exc), "an OrderParseError must say what is wrong")
            return None
        self.assertIsInstance(order, ParsedOrder)
        self.assertTrue(order.external_id)
        for line in order.lines:
            self.assertIsInstance(line.quantity, Decimal)
            self.assertGreater(line.quantity, 0)
            self.assertTrue(line.line_ref)
        return order

    def test_source_documents_parse(self):
        for data in self.documents:
            self.assertIsInstance(parse_order(data), ParsedOrder)

    @PROPERTY_SETTINGS
    @given(st.binary(max_size=4096))
    def test_random_bytes(self, data):
        self.assertParsesOrRefuses(data)

    @PROPERTY_SETTINGS
    @given(
        st.text(
            alphabet="<>/=\"' \n:&;#!-[]?xmlnsOrdeIDcXMLPayquantity0123456789.",
            max_size=400,
        )
    )
    def test_random_markup(self, text):
        self.assertParsesOrRefuses(text.encode())

    @PROPERTY_SETTINGS
    @given(
        st.integers(min_value=0),
        st.lists(
            st.tuples(st.integers(min_value=0), st.integers(0, 255)),
            min_size=1,
            max_size=8,
        ),
    )
    def test_byte_flips(self, index, flips):
        data = bytearray(self.document(index))
        for position, value in flips:
            data[position % len(data)] = value
        self.assertParsesOrRefuses(bytes(data))

    @PROPERTY_SETTINGS
    @given(st.integers(min_value=0), st.floats(min_value=0, max_value=1))
    def test_truncation(self, index, fraction):
        data = self.document(index)
        self.assertParsesOrRefuses(data[: int(len(data) * fraction)])

    @PROPERTY_SETTINGS
    @given(
        st.integers(min_value=0),
        st.lists(st.integers(min_value=0), min_size=1, max_size=4),
    )
    def test_element_deletion(self, index, victims):
        root = parse_xml(self.document(index))
        for victim in victims:
            elements = list(root.iter(etree.Element))[1:]  # never the root
            if not elements:
                break
            element = elements[victim % len(elements)]
            element.getparent().remove(element)
        self.assertParsesOrRefuses(_serialize(root))

    @PROPERTY_SETTINGS
    @given(
        st.integers(min_value=0),
        st.integers(min_value=0),
        st.one_of(st.sampled_from(TRICKY_VALUES), st.text(max_size=50)),
        st.booleans(),
    )
    def test_value_replacement(self, index, target, value, in_attribute):
        root = parse_xml(self.document(index))
        value = "".join(char for char in value if _xml_char(char))
        elements = list(root.iter(etree.Element))
        element = elements[target % len(elements)]
        if in_attribute and element.attrib:
            names = sorted(element.attrib)
            element.set(names[target % len(names)], value)
        else:
            element.text = value
        self.assertParsesOrRefuses(_serialize(root))


def _xml_char(char):
    code = ord(char)
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )
