"""Order document parsers: XML bytes in, a neutral :class:`ParsedOrder` out.

Pure Python (lxml), no ORM. :func:`parse_order` reads any supported format:

- native: ``<Order xmlns="urn:o2c:ecom:order:1">`` (schemas/native_order_v1.xsd)
- UBL 2.1 Order, PEPPOL BIS Ordering 3 included
- cXML OrderRequest
"""

from . import cxml, native, ubl
from .common import (
    FORMAT_CXML,
    FORMAT_NATIVE,
    FORMAT_UBL,
    OrderParseError,
    ParsedOrder,
    UnsupportedDocumentError,
)
from .xml_security import parse_xml

__all__ = [
    "OrderParseError",
    "ParsedOrder",
    "UnsupportedDocumentError",
    "detect_format",
    "parse_order",
    "parse_xml",
]

_ROOTS = {
    f"{{{native.NATIVE_NS}}}Order": FORMAT_NATIVE,
    f"{{{ubl.UBL_NS}}}Order": FORMAT_UBL,
    "cXML": FORMAT_CXML,
}

_READERS = {
    FORMAT_NATIVE: native._from_root,
    FORMAT_UBL: ubl._from_root,
    FORMAT_CXML: cxml._from_root,
}


def detect_format(root):
    """:return: the format (``FORMAT_*``) of a parsed document's root element.

    :raises UnsupportedDocumentError: for any other document
    """
    tag = root.tag if isinstance(root.tag, str) else "?"
    fmt = _ROOTS.get(tag)
    if fmt is None:
        namespace, _, name = (
            tag[1:].rpartition("}") if tag[:1] == "{" else ("", "", tag)
        )
        shown = f'<{name} xmlns="{namespace}">' if namespace else f"<{name}>"
        raise UnsupportedDocumentError(
            f"This XML is a {shown}, not an order we can read (native, UBL 2.1 "
            "Order or cXML OrderRequest)."
        )
    return fmt


def parse_order(data):
    """:return: the :class:`ParsedOrder` of an order document in any format.

    :param bytes data: the document as received
    :raises OrderParseError: with a message for people, if it cannot be read
        (:class:`UnsupportedDocumentError` if it is not an order format we know)
    """
    root = parse_xml(data)
    return _READERS[detect_format(root)](root)
