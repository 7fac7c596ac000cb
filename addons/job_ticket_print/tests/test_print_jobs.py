from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import JobTicketCase


@tagged("post_install", "-at_install")
class TestPrintJobs(JobTicketCase):
    def test_confirmed_order_prints_its_ticket_in_a_job_after_commit(self):
        order = self.make_order(client_order_ref="PO-77", production_note="Rush")
        jobs = self.confirm(order)
        # nothing printed inside the confirming transaction: a job was queued
        self.assertEqual(self.fake_printer.tickets, [])
        self.assertEqual(len(jobs), 1)
        self.assertEqual(jobs[0].channel, "root.job_ticket")
        self.assertEqual(jobs[0].max_retries, 0)
        job = order.print_job_ids
        self.assertEqual((job.state, job.printer_id), ("pending", self.printer))
        self.assertEqual(
            order.production_stage_id, self.env.ref("job_ticket_print.stage_received")
        )
        self.run_job(jobs[0])
        ticket = self.tickets(1)[0]
        for text in (
            order.name,
            "PO-77",
            "Johnssons byggvaror",
            "Rådhusgatan 5",
            "O2C-PAPER-A4",
            "3 Units",
            "Rush",
        ):
            self.assertIn(text, ticket.text)
        self.assertEqual(ticket.barcodes, [(73, "{B" + order.name)])
        self.assertTrue(ticket.qr_codes[0].endswith(f"/job_ticket/o/{order.name}"))
        self.assertEqual(ticket.cuts, 1)
        self.assertEqual((job.state, job.print_count), ("printed", 1))
        self.assertTrue(self.printer.last_success_at)
        self.assertEqual(self.printer.queue_length, 0)

    def test_offline_printer_waits_then_prints_each_ticket_once_in_order(self):
        orders = self.make_order() + self.make_order() + self.make_order()
        self.fake_printer.stop()
        jobs = []
        for order in orders:  # confirmed one after the other
            jobs += self.confirm(order)
        results = [self.run_job(job) for job in jobs]
        for result in results:
            self.assertIsInstance(result, RetryableJobError)
        first, second, third = orders.print_job_ids.sorted("id")
        self.assertEqual(first.state, "pending")
        self.assertIn("does not answer", first.last_error)
        self.assertEqual(first.waiting_reason, "Printer offline")
        self.assertIn(
            second.waiting_reason,
            ("Printer offline", f"Waits for {orders[0].name} to print first"),
        )
        self.assertEqual(self.printer.queue_length, 3)
        self.assertIn("does not answer", self.printer.last_error)

        self.fake_printer.start()
        # the retries come back in any order: a later ticket waits for the earlier
        result = self.run_job(jobs[2])
        self.assertIsInstance(result, RetryableJobError)
        self.assertIn(f"Waits for {orders[0].name}", str(result))
        self.run_job(jobs[0])  # prints the first and the waiting ones after it
        self.run_job(jobs[1])
        self.run_job(jobs[2])
        tickets = self.tickets(3)
        self.assertEqual(len(self.fake_printer.tickets), 3)
        self.assertEqual(
            [ticket.barcodes[0][1][2:] for ticket in tickets], orders.mapped("name")
        )
        self.assertEqual(set((first | second | third).mapped("print_count")), {1})

    def test_a_ticket_whose_job_was_cancelled_does_not_hold_the_printer(self):
        orders = self.make_order() + self.make_order()
        orders.action_confirm()  # their print jobs are stored in the job queue
        first, second = orders.print_job_ids.sorted("id")

        def queue_job(ticket):
            return self.env["queue.job"].search(
                [
                    (
                        "func_string",
                        "=",
                        f"production.print.job({ticket.id},)._job_print()",
                    )
                ]
            )

        # someone cancels the first ticket's job in the job queue
        queue_job(first).button_cancelled()
        self.assertEqual(first.state, "failed")
        self.assertIn("cancelled", first.last_error)
        # the later ticket does not wait for it
        self.run_job(Job.load(self.env, queue_job(second).uuid))
        self.assertEqual(second.state, "printed")
        self.assertEqual(
            self.tickets(1)[0].barcodes[0][1][2:], orders[1].name, "only the second"
        )
        # reprinted, the first is queued and printed again
        with trap_jobs() as trap:
            self.assertTrue(first.action_reprint("job cancelled by mistake"))
        self.run_job(trap.enqueued_jobs[0])
        self.assertEqual((first.state, first.print_count), ("printed", 1))

    def test_reprint_and_retry_racing_print_one_ticket(self):
        order = self.make_order()
        self.fake_printer.stop()
        (retry,) = self.confirm(order)
        self.run_job(retry)  # offline: waits
        wizard = (
            self.env["production.print.job.reprint"]
            .with_user(self.env.ref("o2c_base.user_production"))
            .create({"order_id": order.id, "reason": "lost it"})
        )
        with trap_jobs() as trap:
            wizard.action_reprint()
        # the ticket had not printed: the reprint joins the waiting print
        self.assertEqual(trap.enqueued_jobs, [])
        request = order.print_job_ids.request_ids.filtered(
            lambda r: r.kind == "reprint"
        )
        self.assertEqual(request.user_id.login, "production")
        self.assertEqual(request.reason, "lost it")
        self.assertTrue(request.folded)
        self.fake_printer.start()
        self.run_job(retry)
        self.run_job(retry)  # a duplicate delivery of the same job
        self.assertEqual(len(self.tickets(1)), 1)

        # printed: a reprint prints it again, once, even when a stale retry runs too
        with trap_jobs() as trap:
            order.print_job_ids.action_reprint("torn")
        (reprint,) = trap.enqueued_jobs
        self.run_job(reprint)
        self.run_job(retry)
        tickets = self.tickets(2)
        self.assertEqual(len(self.fake_printer.tickets), 2)
        self.assertIn("Reprint by", tickets[1].text)
        self.assertIn("torn", tickets[1].text)
        self.assertEqual(order.print_job_ids.print_count, 2)

    def test_sent_but_not_confirmed_counts_as_printed(self):
        order = self.make_order()
        (job,) = self.confirm(order)
        print_job = order.print_job_ids
        # an earlier attempt wrote "sending" and died before confirming
        print_job.sudo().write({"state": "sending"})
        self.assertIn("counted as printed", self.run_job(job))
        self.assertEqual(print_job.state, "printed")
        self.assertEqual(self.fake_printer.tickets, [])

    def test_printer_routing_shop_then_team_then_default(self):
        shop = self.env.ref("ecom_order_intake.shop_demo")
        team = self.env["crm.team"].create({"name": "Counter"})
        shop_printer = self.printer.copy({"name": "Shop", "is_default": False})
        shop_printer.shop_ids = shop
        team_printer = self.printer.copy({"name": "Team", "is_default": False})
        team_printer.team_ids = team
        Printer = self.env["production.printer"]
        self.assertEqual(
            Printer._for_order(self.make_order(ecom_shop_id=shop.id)), shop_printer
        )
        self.assertEqual(
            Printer._for_order(self.make_order(team_id=team.id)), team_printer
        )
        self.assertEqual(
            Printer._for_order(self.make_order(team_id=False)), self.printer
        )

    def test_only_web_shop_orders_when_configured(self):
        self.company.job_ticket_scope = "intake"
        order = self.make_order()
        self.assertEqual(self.confirm(order), [])
        self.assertFalse(order.print_job_ids)
        self.assertTrue(order.production_stage_id)

    def test_print_test_page(self):
        result = self.printer.action_print_test_page()
        self.assertEqual(result["params"]["type"], "success")
        ticket = self.tickets(1)[0]
        self.assertIn("TEST PAGE", ticket.bold)
        self.assertIn("Żółć", ticket.text)

    def test_folder_printer_writes_pdf_and_escpos(self):
        folder = self.tmp_dir()
        self.printer.is_default = False
        folder_printer = self.env["production.printer"].create(
            {
                "name": "Folder",
                "kind": "folder",
                "folder_path": folder,
                "is_default": True,
            }
        )
        order = self.make_order()
        (job,) = self.confirm(order)
        self.run_job(job)
        print_job = order.print_job_ids
        self.assertEqual(
            (print_job.printer_id, print_job.state), (folder_printer, "printed")
        )
        with open(print_job.reference, "rb") as pdf:
            self.assertEqual(pdf.read(4), b"%PDF")
        with open(print_job.reference[: -len(".pdf")] + ".escpos", "rb") as raw:
            self.assertIn(order.name.encode(), raw.read())
