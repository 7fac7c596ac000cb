"""Helpers for tests of the intake and for addons built on it.

``native_order()`` writes a native order document; ``IntakeCase`` gives a shop
with a known secret and receives documents the way the endpoint does.
"""

import time
import uuid
from xml.sax.saxutils import escape

from odoo.tests import TransactionCase

from odoo.addons.queue_job.tests.common import trap_jobs

from ..parsers.header import read_header
from ..utils.webhook_signature import signed_headers

TEST_SECRET = "whsec_dGVzdC1zaG9wLXNlY3JldC1mb3ItdW5pdC10ZXN0cw=="
NATIVE_NS = "urn:o2c:ecom:order:1"


def native_order(
    order_id,
    lines,
    customer=None,
    currency="USD",
    payment=None,
    action=None,
    ship_to=None,
    order_date="2026-11-20",
):
    """:return: a native order document (bytes).

    :param lines: ``[(sku, quantity, unit_price)]``; price may be None,
        a 4th item is the UN/ECE unit code
    :param customer: dict of Customer children, e.g. ``{"AccountRef": "C-1001"}``;
        ``Name`` (required by the XSD) defaults to "Web customer"
    :param payment: ``(method, reference, amount)``
    :param ship_to: dict of address children
    """

    def elements(values):
        return "".join(
            f"<{tag}>{escape(str(value))}</{tag}>"
            for tag, value in values.items()
            if value
        )

    customer = {"Name": "Web customer", **(customer or {"AccountRef": "C-1001"})}
    customer_order = ("ZohoAccountId", "AccountRef", "Name", "Email", "VAT", "Phone")
    parts = [f'<Order xmlns="{NATIVE_NS}">', f"<OrderId>{escape(order_id)}</OrderId>"]
    parts.append(f"<OrderDate>{order_date}</OrderDate>")
    if action:
        parts.append(f"<Action>{action}</Action>")
    parts.append(f"<Currency>{currency}</Currency>")
    parts.append(
        "<Customer>%s</Customer>"
        % elements({key: customer[key] for key in customer_order if key in customer})
    )
    if ship_to:
        address_order = ("Name", "Street", "Street2", "City", "Zip", "State", "Country")
        parts.append(
            "<ShipTo>%s</ShipTo>"
            % elements({key: ship_to[key] for key in address_order if key in ship_to})
        )
    parts.append("<Lines>")
    for number, line in enumerate(lines, start=1):
        sku, quantity, price = line[:3]
        unit = line[3] if len(line) > 3 else "C62"
        price_xml = "" if price is None else f"<UnitPrice>{price}</UnitPrice>"
        parts.append(
            f'<Line number="{number}"><SKU>{escape(sku)}</SKU>'
            f'<Quantity unitCode="{unit}">{quantity}</Quantity>{price_xml}</Line>'
        )
    parts.append("</Lines>")
    if payment:
        method, reference, amount = payment
        parts.append(f'<Payment method="{method}">')
        if reference:
            parts.append(f"<Reference>{escape(reference)}</Reference>")
        if amount is not None:
            parts.append(f"<Amount>{amount}</Amount>")
        parts.append("</Payment>")
    parts.append("</Order>")
    return "".join(parts).encode()


def signed_delivery(body, secret=TEST_SECRET, webhook_id=None, timestamp=None):
    """:return: the headers the shop would send with ``body``."""
    webhook_id = webhook_id or f"msg_{uuid.uuid4().hex}"
    timestamp = int(time.time()) if timestamp is None else timestamp
    headers = signed_headers(secret, webhook_id, timestamp, body)
    headers["Content-Type"] = "application/xml"
    return headers


class IntakeCase(TransactionCase):
    """A shop signed with TEST_SECRET, and the demo company's customers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.shop = cls.env["ecom.shop"].create(
            {"name": "Test shop", "code": "test-shop", "price_tolerance_percent": 1.0}
        )
        cls.env["ecom.shop.secret"].create(
            {"shop_id": cls.shop.id, "name": "test", "secret": TEST_SECRET}
        )
        cls.Intake = cls.env["ecom.order.intake"]
        cls.acme = cls.env.ref("o2c_base.customer_acme")  # monthly account, C-1001
        cls.bluebird = cls.env.ref("o2c_base.customer_bluebird")  # card only, C-1002
        cls.paper = cls.env.ref("o2c_base.product_paper_a4")
        cls.toner = cls.env.ref("o2c_base.product_toner_bk")

    def receive(self, body, webhook_id=None, process=True):
        """Receive ``body`` as the endpoint does and run its job.

        :param process: False: leave the intake received (its job not run)
        :return: the intake
        """
        with trap_jobs() as trap:
            status, _created = self.Intake._receive(
                self.shop,
                webhook_id or f"msg_{uuid.uuid4().hex}",
                {},
                body,
                read_header(body),
            )
            if process:
                trap.perform_enqueued_jobs()
        return self.Intake.search(
            [("shop_id", "=", self.shop.id), ("name", "=", status["intake"])]
        )

    def order_total(self, lines, partner):
        """:return: what the order of ``[(product, qty, price)]`` costs with taxes."""
        total = 0.0
        for product, quantity, price in lines:
            taxes = product.taxes_id.filtered(
                lambda tax, company=self.env.company: tax.company_id == company
            )
            total += taxes.compute_all(
                price, quantity=quantity, product=product, partner=partner
            )["total_included"]
        return round(total, 2)
