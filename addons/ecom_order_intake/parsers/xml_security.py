"""Parsing order documents from strangers without trusting them.

Every order document goes through :func:`parse_xml`: a parser that never reads a
file or the network, never expands entities and refuses huge trees. Documents
that declare entities (billion laughs, external entities reading local files) or
still use undeclared ones are refused outright instead of being half-read.

A ``DOCTYPE`` that only names an external DTD (cXML does this) is accepted: the
DTD is not loaded, fetched or used.
"""

from lxml import etree

from .common import OrderParseError

# libxml2's error names for an entity that no declaration we read defines
_UNDECLARED_ENTITY = {"WAR_UNDECLARED_ENTITY", "ERR_UNDECLARED_ENTITY"}


def _new_parser():
    # one parser per document: lxml parsers keep state (their error log)
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def _not_well_formed(detail):
    return OrderParseError(f"The order is not well-formed XML: {detail}")


def parse_xml(data):
    """Parse an order document safely.

    :param bytes data: the document as received
    :return: the root element
    :raises OrderParseError: if it is empty, not well-formed, or uses entities
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    elif isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise OrderParseError("The order is not an XML document.")
    if not data.strip():
        raise _not_well_formed("the document is empty.")
    parser = _new_parser()
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        message = (exc.msg or str(exc)).strip()
        if exc.lineno and "line" not in message:
            message = f"{message} (line {exc.lineno})"
        raise _not_well_formed(message) from None
    except (etree.LxmlError, ValueError) as exc:
        raise _not_well_formed(str(exc) or type(exc).__name__) from None
    if root is None:
        raise _not_well_formed("the document has no root element.")
    _refuse_entities(root, parser)
    return root


def _refuse_entities(root, parser):
    dtd = root.getroottree().docinfo.internalDTD
    declared = next(iter(dtd.iterentities()), None) if dtd is not None else None
    if declared is not None:
        raise OrderParseError(
            f"The order declares the XML entity “{declared.name}” in its DOCTYPE. "
            "Entity declarations are refused for security reasons (they can read "
            "files or exhaust memory); send the document without them."
        )
    undeclared = [
        error for error in parser.error_log if error.type_name in _UNDECLARED_ENTITY
    ]
    if undeclared:
        raise OrderParseError(
            f"The order uses an XML entity it does not declare (line "
            f"{undeclared[0].line}: {undeclared[0].message}). Entities are not "
            "resolved: write the characters themselves or use character references "
            "like &#233;."
        )
    reference = next(root.iter(etree.Entity), None)
    if reference is not None:
        raise OrderParseError(
            f"The order uses the XML entity {reference.text} (line "
            f"{reference.sourceline}), which is not resolved: write the characters "
            "themselves or use character references like &#233;."
        )
