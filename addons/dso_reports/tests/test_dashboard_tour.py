from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestDashboardTour(HttpCase):
    def test_manager_drills_down_from_the_dashboard(self):
        harbor = self.env.ref("dso_reports.customer_harbor")
        today = fields.Date.context_today(harbor)
        # an overdue invoice today, whatever the demo history left open
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": harbor.id,
                "invoice_date": today - timedelta(days=120),
                "invoice_date_due": today - timedelta(days=90),
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    (0, 0, {"name": "Paper", "quantity": 1, "price_unit": 900})
                ],
            }
        )
        invoice.action_post()
        self.env["dso.snapshot"]._cron_snapshot()
        self.start_tour("/odoo", "dso_dashboard_tour", login="manager")
