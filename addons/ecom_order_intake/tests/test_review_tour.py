from odoo.tests import HttpCase, tagged

from ..parsers.header import read_header
from .intake_common import native_order


@tagged("post_install", "-at_install")
class TestReviewTour(HttpCase):
    def test_customer_service_resolves_unknown_sku_in_browser(self):
        shop = self.env.ref("ecom_order_intake.shop_demo")
        body = native_order("TOUR-1", [("TOUR-SKU-404", 2, 6.5)])
        self.env["ecom.order.intake"].with_context(queue_job__no_delay=True)._receive(
            shop, "msg_tour_1", {}, body, read_header(body)
        )
        intake = self.env["ecom.order.intake"].search(
            [("external_order_id", "=", "TOUR-1")]
        )
        self.assertEqual(intake.state, "needs_review")
        self.start_tour("/odoo", "ecom_intake_review_tour", login="service")
        self.assertEqual(intake.state, "done", intake.problem_summary)
        self.assertEqual(
            intake.sale_order_id.order_line.product_id.default_code, "O2C-PAPER-A4"
        )
        self.assertEqual(
            self.env["ecom.shop.mapping"]
            .search([("shop_id", "=", shop.id), ("external_code", "=", "TOUR-SKU-404")])
            .product_id.default_code,
            "O2C-PAPER-A4",
        )
