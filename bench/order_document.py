"""The order both benchmarks send: a monthly-account customer, two demo products."""

NATIVE_ORDER = (
    '<Order xmlns="urn:o2c:ecom:order:1"><OrderId>{order_id}</OrderId>'
    "<OrderDate>2026-11-20</OrderDate><Currency>USD</Currency>"
    "<Customer><AccountRef>C-1001</AccountRef>"
    "<Name>Acme Office Services</Name></Customer><Lines>"
    '<Line number="1"><SKU>O2C-PAPER-A4</SKU>'
    '<Quantity unitCode="C62">10</Quantity><UnitPrice>6.50</UnitPrice></Line>'
    '<Line number="2"><SKU>O2C-TONER-BK</SKU>'
    '<Quantity unitCode="C62">1</Quantity><UnitPrice>79.00</UnitPrice></Line>'
    "</Lines></Order>"
)


def native_order(order_id):
    """:return: the benchmark order document (bytes) with a fresh order id."""
    return NATIVE_ORDER.format(order_id=order_id).encode()
