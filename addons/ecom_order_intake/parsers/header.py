"""What identifies a document, read before it is stored.

The intake endpoint stores every well-formed order document of a known format
that names its order, even one that later fails validation, so that nothing the
shop sent is lost. This reads only what the idempotency keys need.
"""

from . import detect_format
from .common import (
    ACTION_DELETE,
    ACTION_NEW,
    ACTION_UPDATE,
    FORMAT_NATIVE,
    FORMAT_UBL,
    OrderParseError,
    UnsupportedDocumentError,
)
from .native import NATIVE_NS
from .ubl import CBC_NS
from .xml_security import parse_xml

ACTIONS = (ACTION_NEW, ACTION_UPDATE, ACTION_DELETE)


def _text(element):
    return (element.text or "").strip() if element is not None else ""


def read_header(data):
    """:return: dict with ``format``, ``action``, ``external_id``, ``idempotency_key``.

    :raises OrderParseError: if the document is not well-formed, not a known
        format, or does not say which order it is
    """
    root = parse_xml(data)
    fmt = detect_format(root)
    idempotency_key = None
    action = ACTION_NEW
    if fmt == FORMAT_NATIVE:
        external_id = _text(root.find("{%s}OrderId" % NATIVE_NS))
        action = _text(root.find("{%s}Action" % NATIVE_NS)) or ACTION_NEW
    elif fmt == FORMAT_UBL:
        external_id = _text(root.find("{%s}ID" % CBC_NS))
    else:
        header = root.find("Request/OrderRequest/OrderRequestHeader")
        if header is None:
            raise UnsupportedDocumentError("This cXML document is not an OrderRequest.")
        external_id = (header.get("orderID") or "").strip()
        action = (header.get("type") or ACTION_NEW).strip()
        idempotency_key = (root.get("payloadID") or "").strip() or None
    if not external_id:
        raise OrderParseError(
            "The document does not say which order it is (no order id)."
        )
    if len(external_id) > 200:
        raise OrderParseError("The order id is longer than 200 characters.")
    if action not in ACTIONS:
        raise OrderParseError(
            "Unknown order action “%s” (expected new, update or delete)." % action[:50]
        )
    return {
        "format": fmt,
        "action": action,
        "external_id": external_id,
        "idempotency_key": idempotency_key and idempotency_key[:250],
    }
