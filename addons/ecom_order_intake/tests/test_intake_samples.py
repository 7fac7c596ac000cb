from odoo.tests import tagged

from .common import shared_sample_path
from .intake_common import IntakeCase


@tagged("post_install", "-at_install")
class TestPublishedSamples(IntakeCase):
    """The standards' own sample documents, unchanged, become sale orders."""

    @staticmethod
    def sample(name):
        with open(shared_sample_path(name), "rb") as sample:
            return sample.read()

    def cxml_change(self, order_type, payload_id, quantity_2="20"):
        """The shared cXML sample turned into a later change of the same order."""
        body = self.sample("cxml-1.2.050-OrderRequest.xml")
        body = body.replace(b'type="new"', b'type="%s"' % order_type.encode())
        body = body.replace(b"1625586002.193314.7293@dev", payload_id.encode())
        return body.replace(b'quantity="20"', b'quantity="%s"' % quantity_2.encode())

    def test_ubl_sample_becomes_sale_order(self):
        intake = self.receive(self.sample("UBL-Order-2.1-Example.xml"))
        self.assertEqual(intake.doc_format, "ubl")
        self.assertEqual(intake.state, "done", intake.problem_summary)
        order = intake.sale_order_id
        self.assertEqual(order.partner_id, self.env.ref("o2c_base.customer_johnssons"))
        self.assertEqual(order.currency_id.name, "SEK")
        self.assertEqual(
            [
                (line.product_id.default_code, line.product_uom_qty, line.price_unit)
                for line in order.order_line
            ],
            [("SItemNo001", 120.0, 50.0), ("SItemNo011", 15.0, 15.0)],
        )
        self.assertEqual(
            order.order_line[0].product_uom, self.env.ref("uom.product_uom_litre")
        )
        # the delivery location of the sample becomes a delivery contact
        self.assertEqual(order.partner_shipping_id.city, "Stockholm")

    def test_cxml_sample_becomes_sale_order(self):
        intake = self.receive(self.sample("cxml-1.2.050-OrderRequest.xml"))
        self.assertEqual(intake.doc_format, "cxml")
        self.assertEqual(intake.document_key, "payload:1625586002.193314.7293@dev")
        self.assertEqual(intake.state, "done", intake.problem_summary)
        order = intake.sale_order_id
        self.assertEqual(order.partner_id, self.env.ref("o2c_base.customer_zinc"))
        self.assertEqual(order.currency_id.name, "EUR")
        self.assertEqual(order.amount_untaxed, 85.0)
        self.assertEqual(order.partner_shipping_id.city, "Sunnyvale")
        self.assertNotIn(b"coyote", intake.raw_headers.encode())

    def test_cxml_update_and_delete(self):
        original = self.receive(self.sample("cxml-1.2.050-OrderRequest.xml"))
        update = self.receive(
            self.cxml_change("update", "update-1@dev", quantity_2="30")
        )
        self.assertEqual(update.action, "update")
        self.assertEqual(update.state, "done", update.problem_summary)
        self.assertEqual(update.original_intake_id, original)
        self.assertEqual(original.sale_order_id.state, "cancel")
        self.assertEqual(update.sale_order_id.state, "sale")
        self.assertEqual(
            update.sale_order_id.order_line.mapped("product_uom_qty"), [10.0, 30.0]
        )
        # the same update resent is recognised by its payloadID
        self.assertEqual(
            self.receive(self.cxml_change("update", "update-1@dev", quantity_2="30")),
            update,
        )
        delete = self.receive(self.cxml_change("delete", "delete-1@dev"))
        self.assertEqual(delete.action, "delete")
        self.assertEqual(delete.state, "done", delete.problem_summary)
        self.assertEqual(update.sale_order_id.state, "cancel")

    def test_peppol_order_without_version(self):
        body = self.sample("UBL-Order-2.1-Example.xml")
        body = body.replace(b"<cbc:UBLVersionID>2.1</cbc:UBLVersionID>", b"")
        body = body.replace(
            b"urn:www.cenbii.eu:transaction:biicoretrdm001:ver1.0",
            b"urn:fdc:peppol.eu:poacc:trns:order:3",
        )
        body = body.replace(b"<cbc:ID>34</cbc:ID>", b"<cbc:ID>PEPPOL-34</cbc:ID>", 1)
        self.assertNotIn(b"UBLVersionID", body)
        intake = self.receive(body)
        self.assertEqual(intake.doc_format, "ubl")
        self.assertEqual(intake.external_order_id, "PEPPOL-34")
        self.assertEqual(intake.state, "done", intake.problem_summary)
        self.assertEqual(intake.partner_id, self.env.ref("o2c_base.customer_johnssons"))
