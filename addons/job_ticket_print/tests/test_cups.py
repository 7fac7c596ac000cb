import uuid

from odoo.tests import tagged

from .common import (
    JobTicketCase,
    ensure_cups_queue,
    pdf_text,
    remove_cups_queue,
    wait_for_files,
)


@tagged("post_install", "-at_install")
class TestCupsPrinter(JobTicketCase):
    def test_ticket_through_a_real_cups_queue_is_a_pdf_with_every_field(self):
        queue = f"o2c_test_{uuid.uuid4().hex[:8]}"
        out_dir = self.tmp_dir()
        ensure_cups_queue(queue, out_dir)
        self.addCleanup(remove_cups_queue, queue)
        self.printer.is_default = False
        self.env["production.printer"].create(
            {"name": "CUPS", "kind": "cups", "cups_queue": queue, "is_default": True}
        )
        customer = self.env.ref("o2c_base.customer_johnssons")
        customer.name = "Bäckerei Müller & Söhne"
        order = self.make_order(
            client_order_ref="WEB-Żółć-1", production_note="Żółć tape, fragile"
        )
        (job,) = self.confirm(order)
        self.run_job(job)
        print_job = order.print_job_ids
        self.assertEqual(print_job.state, "printed")
        self.assertTrue(print_job.reference.startswith(queue + "-"))
        (path,) = wait_for_files(out_dir, ".pdf")
        with open(path, "rb") as pdf:
            self.assertEqual(pdf.read(4), b"%PDF")
        text = pdf_text(path)
        for expected in (
            order.name,
            "WEB-Żółć-1",
            "Bäckerei Müller & Söhne",
            "Rådhusgatan 5",
            "11000 Stockholm",
            "O2C-PAPER-A4",
            "3 Units",
            "Żółć tape, fragile",
            "Delivery date",
        ):
            self.assertIn(expected, text)
