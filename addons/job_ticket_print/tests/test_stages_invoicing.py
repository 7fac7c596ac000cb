from odoo.tests import tagged

from odoo.addons.ecom_order_intake.tests.intake_common import IntakeCase, native_order
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import JobTicketCase


@tagged("post_install", "-at_install")
class TestStagesInvoicing(JobTicketCase, IntakeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme.email = "ap@acme-office.example"

    def finish(self, order):
        """Move ``order`` through the stages as production; :return: the jobs queued."""
        as_production = order.with_user(self.production_user)
        as_production.action_production_next_stage()
        with trap_jobs() as trap:
            as_production.action_production_next_stage()
        self.assertEqual(order.production_stage_id, self.done)
        return trap.enqueued_jobs

    def test_done_order_is_invoiced_posted_and_emailed_with_the_pdf(self):
        order = self.make_order(partner=self.acme)
        self.confirm(order)
        (invoice_job,) = self.finish(order)
        self.assertEqual(invoice_job.channel, "root.job_ticket.invoice")
        self.assertFalse(order.invoice_ids)  # invoiced after commit, in the job
        with trap_jobs() as trap:
            invoice_job.perform()
        invoice = order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.o2c_send_state, "queued")
        (send_job,) = trap.enqueued_jobs
        self.assertEqual(send_job.channel, "root.job_ticket.invoice")
        # a retried invoice job makes no second invoice
        invoice_job.perform()
        self.assertEqual(order.invoice_ids, invoice)
        # wkhtmltopdf renders the real PDF (tests otherwise get Odoo's HTML)
        invoice.with_context(force_report_rendering=True)._job_send_invoice()
        self.assertEqual(invoice.o2c_send_state, "sent")
        message = invoice.message_ids.filtered(lambda m: m.attachment_ids)[:1]
        self.assertEqual(message.partner_ids, self.acme)
        pdf = message.attachment_ids.filtered(lambda a: a.name.endswith(".pdf"))
        self.assertEqual(pdf.raw[:4], b"%PDF")
        self.assertIn("/my/invoices/", invoice.get_portal_url())
        # sent once, even when the job runs again
        self.assertIn("already sent", invoice._job_send_invoice())

    def test_card_paid_web_order_ends_with_its_invoice_paid(self):
        total = self.order_total([(self.paper, 2, 6.50)], self.bluebird)
        intake = self.receive(
            native_order(
                "WEB-JT-1",
                [("O2C-PAPER-A4", 2, 6.50)],
                customer={"AccountRef": "C-1002"},
                payment=("card", "pi_jt_1", f"{total:.2f}"),
            )
        )
        order = intake.sale_order_id
        self.assertEqual(order.state, "sale", intake.problem_summary)
        self.assertTrue(order.print_job_ids)
        (invoice_job,) = self.finish(order)
        with trap_jobs():
            invoice_job.perform()
        self.assertIn(order.invoice_ids.payment_state, ("paid", "in_payment"))

    def test_invoice_monthly_customers_get_one_invoice_a_month(self):
        gamma = self.env.ref("o2c_base.customer_gamma")
        self.assertTrue(gamma.invoice_monthly)
        contact = self.env["res.partner"].create(
            {"name": "Gamma buyer", "parent_id": gamma.id}
        )
        orders = self.make_order(partner=gamma) + self.make_order(partner=contact)
        waiting = self.make_order(partner=gamma)
        self.confirm(orders | waiting)
        for order in orders:
            self.assertEqual(self.finish(order), [])  # no per-order invoice
        self.assertFalse(orders.invoice_ids)
        with trap_jobs() as trap:
            invoices = self.env["sale.order"]._cron_invoice_monthly()
        self.assertEqual(len(invoices), 1)
        self.assertEqual(invoices.partner_id, gamma)
        self.assertEqual(invoices.state, "posted")
        self.assertEqual(orders.invoice_ids, invoices)
        self.assertFalse(waiting.invoice_ids)  # not done yet: next month
        self.assertEqual(len(trap.enqueued_jobs), 1)


@tagged("post_install", "-at_install")
class TestProductionStages(JobTicketCase):
    def test_production_moves_any_confirmed_order_and_the_chatter_tracks_it(self):
        order = self.make_order(
            partner=self.env.ref("o2c_base.customer_acme"),
            user_id=self.env.ref("base.user_admin").id,
        )
        self.confirm(order)
        self.env.cr.flush()  # as at commit: the creation is tracked, later changes too
        as_production = order.with_user(self.production_user)
        self.assertEqual(as_production.production_stage_id, self.received)
        info = (
            self.env["sale.order"]
            .with_user(self.production_user)
            .production_scan(f"http://odoo.example/job_ticket/o/{order.name}")
        )
        self.assertEqual((info["id"], info["next_stage"]), (order.id, "In production"))
        as_production.production_scan_advance()
        self.assertEqual(order.production_stage_id, self.in_production)
        self.env.cr.flush()  # tracking values are written before commit
        tracked = self.env["mail.tracking.value"].search(
            [
                ("mail_message_id.model", "=", "sale.order"),
                ("mail_message_id.res_id", "=", order.id),
                ("field_id.name", "=", "production_stage_id"),
            ]
        )
        self.assertEqual(tracked.old_value_char, "Received", tracked.read())
        self.assertEqual(tracked.new_value_char, "In production")
        self.assertIn("error", self.env["sale.order"].production_scan("S-NOPE"))
