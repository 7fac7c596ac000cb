from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestProductionTour(HttpCase):
    def test_production_user_moves_orders_on_the_board_and_by_scanning(self):
        customer = self.env.ref("o2c_base.customer_acme")
        product = self.env.ref("o2c_base.product_paper_a4")
        orders = self.env["sale.order"].create(
            [
                {
                    "name": name,
                    "partner_id": customer.id,
                    "order_line": [(0, 0, {"product_id": product.id})],
                }
                for name in ("TOURBOARD1", "TOURSCAN1", "TOURQR1")
            ]
        )
        orders.action_confirm()
        self.start_tour(
            "/odoo/action-job_ticket_print.action_production_board",
            "job_ticket_production_tour",
            login="production",
        )
        # a phone camera opens the QR code's URL: the scan page shows the order
        self.start_tour(
            "/job_ticket/o/TOURQR1", "job_ticket_qr_tour", login="production"
        )
        orders, qr_order = orders[:2], orders[2]
        self.assertEqual(qr_order.production_stage_id.name, "In production")
        done = self.env.ref("job_ticket_print.stage_done")
        self.assertEqual(orders.production_stage_id, done)
        # reaching Done queued the invoicing of each order (after commit)
        jobs = self.env["queue.job"].search(
            [("method_name", "=", "_job_invoice_on_completion")]
        )
        self.assertEqual(
            {record_id for job in jobs for record_id in job.records.ids}
            & set(orders.ids),
            set(orders.ids),
        )
