import time
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError

from .common import ZohoCase


@tagged("post_install", "-at_install")
class TestZohoPush(ZohoCase):
    def setUp(self):
        super().setUp()
        (self.account_id,) = self.zoho.add_accounts(1)
        self.backend._zoho_pull(full=True)
        self.binding = self.env["zoho.partner.binding"].search(
            [("zoho_id", "=", self.account_id)]
        )
        self.customer = self.binding.partner_id
        self.customer.user_id = self.env.ref("o2c_base.user_manager")

    def make_invoice(self, amount=100.0, due_days_ago=0):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_payment_term_id": False,
                "invoice_date": fields.Date.context_today(self.customer)
                - timedelta(days=due_days_ago),
                "invoice_date_due": fields.Date.context_today(self.customer)
                - timedelta(days=due_days_ago),
                "invoice_line_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Paper",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [(5, 0, 0)],
                        },
                    )
                ],
            }
        )
        return invoice

    def test_posting_an_invoice_queues_facts_and_invoice_push(self):
        invoice = self.make_invoice(250.0, due_days_ago=20)
        with self.trap_jobs() as trap:
            invoice.action_post()
            trap.assert_enqueued_job(
                invoice._zoho_push_invoice, args=(self.backend.id,)
            )
            trap.assert_enqueued_job(self.backend._zoho_push_receivables)
            trap.perform_enqueued_jobs()
        account = self.zoho.records["Accounts"][self.account_id]
        self.assertEqual(account["Open_Balance__c"], 250.0)
        self.assertEqual(account["Overdue_Amount__c"], 250.0)
        self.assertEqual(account["Oldest_Overdue_Days__c"], 20)
        self.assertFalse(account["Credit_Hold__c"])
        zoho_invoice = self.zoho.records["Invoices"][invoice.zoho_record_id]
        self.assertEqual(zoho_invoice["Subject"], invoice.name)
        self.assertEqual(zoho_invoice["Account_Name"], {"id": self.account_id})
        self.assertEqual(zoho_invoice["Grand_Total"], 250.0)
        attachments = self.zoho.attachments[invoice.zoho_record_id]
        self.assertEqual(len(attachments), 1)
        self.assertTrue(attachments[0]["content"])

    def _zoho_invoices(self, invoice):
        with self.zoho.lock:
            return [
                rec
                for rec in self.zoho.records["Invoices"].values()
                if rec.get("Subject") == invoice.name
            ]

    def test_a_billing_clerk_posts_and_odoobot_talks_to_zoho(self):
        clerk = self.env["res.users"].create(
            {
                "name": "Billing clerk",
                "login": "zoho-billing-clerk",
                "groups_id": [
                    (6, 0, [self.env.ref("account.group_account_invoice").id])
                ],
            }
        )
        invoice = self.make_invoice(42.0)
        with self.trap_jobs() as trap:
            invoice.with_user(clerk).action_post()
            trap.assert_jobs_count(2)
            self.assertEqual({job.user_id for job in trap.enqueued_jobs}, {1})
            trap.perform_enqueued_jobs()
        self.assertTrue(invoice.zoho_record_id)

    def test_retried_invoice_job_after_timeout_makes_no_duplicate(self):
        invoice = self.make_invoice(80.0)
        with self.trap_jobs():
            invoice.action_post()
        # the upsert is the first call; Zoho does it but answers too late, so the
        # call is retried (inline: an upsert may be repeated), then the job too
        self.backend.invoice_target = "invoices"
        self.zoho.delay_next(3)
        self.backend.request_timeout = 1
        invoice._zoho_push_invoice(self.backend.id)
        self.backend.request_timeout = 30
        deadline = time.time() + 10
        while time.time() < deadline and not self._zoho_invoices(invoice):
            time.sleep(0.1)
        self.assertEqual(len(self._zoho_invoices(invoice)), 1)  # Zoho has it already
        invoice._zoho_push_invoice(self.backend.id)
        invoice._zoho_push_invoice(self.backend.id)
        matching = self._zoho_invoices(invoice)
        self.assertEqual(len(matching), 1)
        self.assertEqual(len(self.zoho.attachments[matching[0]["id"]]), 1)

    def test_invoice_as_note_when_org_has_no_invoices_module(self):
        self.zoho.invoices_enabled = False
        invoice = self.make_invoice(60.0)
        with self.trap_jobs():
            invoice.action_post()
        invoice._zoho_push_invoice(self.backend.id)
        invoice._zoho_push_invoice(self.backend.id)
        self.assertEqual(invoice.zoho_module, "Notes")
        notes = [
            rec
            for rec in self.zoho.records.get("Notes", {}).values()
            if invoice.name in (rec.get("Note_Title") or "")
        ]
        self.assertEqual(len(notes), 1)

    def posted_invoice(self, amount):
        invoice = self.make_invoice(amount)
        with self.trap_jobs():
            invoice.action_post()
        return invoice

    def pay(self, invoice, amount):
        """:return: the payment of ``amount`` registered on ``invoice``"""
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount})
            ._create_payments()
        )

    def test_payment_updates_the_facts(self):
        invoice = self.posted_invoice(100.0)
        with self.trap_jobs() as trap:
            self.pay(invoice, 40.0)
            trap.assert_enqueued_job(self.backend._zoho_push_receivables)
            trap.perform_enqueued_jobs()
        account = self.zoho.records["Accounts"][self.account_id]
        self.assertEqual(account["Open_Balance__c"], 60.0)
        self.assertEqual(account["Last_Payment_Amount__c"], 40.0)
        self.assertEqual(
            account["Last_Payment_Date__c"],
            fields.Date.context_today(self.customer).isoformat(),
        )

    def test_payment_taken_back_reopens_the_balance_in_zoho(self):
        # e.g. a returned bank debit: the payment is cancelled, which removes
        # its reconciliation with the invoice
        invoice = self.posted_invoice(100.0)
        with self.trap_jobs() as trap:
            payments = self.pay(invoice, 100.0)
            trap.perform_enqueued_jobs()
        account = self.zoho.records["Accounts"][self.account_id]
        self.assertEqual(account["Open_Balance__c"], 0.0)
        with self.trap_jobs() as trap:
            payments.action_draft()
            payments.action_cancel()
            self.env.flush_all()  # the job runs after commit, which flushes
            trap.assert_enqueued_job(self.backend._zoho_push_receivables)
            trap.perform_enqueued_jobs()
        self.assertEqual(invoice.payment_state, "not_paid")
        account = self.zoho.records["Accounts"][self.account_id]
        self.assertEqual(account["Open_Balance__c"], 100.0)

    def pushed_invoice(self, amount):
        """:return: a posted invoice Zoho has (record and PDF), all jobs done"""
        invoice = self.make_invoice(amount)
        with self.trap_jobs() as trap:
            invoice.action_post()
            trap.perform_enqueued_jobs()
        self.assertTrue(invoice.zoho_record_id)
        return invoice

    def zoho_invoice(self, invoice):
        with self.zoho.lock:
            return dict(self.zoho.records["Invoices"][invoice.zoho_record_id])

    def zoho_pdfs(self, invoice):
        with self.zoho.lock:
            return list(self.zoho.attachments.get(invoice.zoho_record_id, []))

    def uploads(self):
        return [
            req
            for req in self.zoho.api_requests()
            if req[0] == "POST" and req[1].endswith("/Attachments")
        ]

    def test_payment_refreshes_the_invoice_in_zoho_without_its_pdf(self):
        invoice = self.pushed_invoice(100.0)
        self.assertEqual(self.zoho_invoice(invoice)["Status"], "Created")
        self.zoho.clear_requests()
        with self.trap_jobs() as trap:
            self.pay(invoice, 40.0)
            trap.assert_jobs_count(1)  # the customer's batched push
            trap.perform_enqueued_jobs()
        record = self.zoho_invoice(invoice)
        self.assertEqual(record["Balance__c"], 60.0)
        self.assertEqual(record["Status"], "Created")
        with self.trap_jobs() as trap:
            self.pay(invoice, 60.0)
            trap.perform_enqueued_jobs()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        record = self.zoho_invoice(invoice)
        self.assertEqual(record["Balance__c"], 0.0)
        self.assertEqual(record["Status"], "Paid")
        self.assertEqual(record["Grand_Total"], 100.0)  # the rest is left as it was
        # no PDF sent again, not even looked for
        self.assertFalse(self.api_calls("/Attachments"))
        self.assertEqual(len(self.zoho_pdfs(invoice)), 1)

    def test_many_partials_in_one_transaction_make_one_job_and_one_call(self):
        first, second = self.pushed_invoice(100.0), self.pushed_invoice(30.0)
        self.zoho.clear_requests()
        with self.trap_jobs() as trap:
            (
                self.env["account.payment.register"]
                .with_context(
                    active_model="account.move", active_ids=(first | second).ids
                )
                .create({"group_payment": True})
                ._create_payments()
            )
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        for invoice in first | second:
            record = self.zoho_invoice(invoice)
            self.assertEqual((record["Status"], record["Balance__c"]), ("Paid", 0.0))
        upserts = [r for r in self.zoho.api_requests() if r[1].endswith("/upsert")]
        self.assertEqual(
            sorted(r[1].split("/")[-2] for r in upserts), ["Accounts", "Invoices"]
        )
        # paid and unchanged since: not sent again
        self.zoho.clear_requests()
        with self.trap_jobs() as trap:
            self.env["zoho.partner.binding"]._cron_push_receivables()
            trap.perform_enqueued_jobs()
        self.assertFalse(self.api_calls("/Invoices"))

    def test_unreconciled_payment_reopens_the_invoice_in_zoho(self):
        invoice = self.pushed_invoice(100.0)
        with self.trap_jobs() as trap:
            self.pay(invoice, 100.0)
            trap.perform_enqueued_jobs()
        self.assertEqual(self.zoho_invoice(invoice)["Status"], "Paid")
        with self.trap_jobs() as trap:
            invoice.line_ids.remove_move_reconcile()
            self.env.flush_all()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(invoice.payment_state, "not_paid")
        record = self.zoho_invoice(invoice)
        self.assertEqual((record["Status"], record["Balance__c"]), ("Created", 100.0))

    def repost(self, invoice, amount):
        """Reset ``invoice`` to draft, change its amount, post it again; :return:
        the push job's invoice (rendering real PDFs), not run yet"""
        invoice.button_draft()
        invoice.invoice_line_ids.price_unit = amount
        with self.trap_jobs() as trap:
            invoice.action_post()
            trap.assert_enqueued_job(
                invoice._zoho_push_invoice, args=(self.backend.id,)
            )
        return invoice.with_context(force_report_rendering=True)

    def test_reposted_invoice_replaces_its_pdf_in_zoho(self):
        invoice = self.make_invoice(100.0).with_context(force_report_rendering=True)
        with self.trap_jobs():
            invoice.action_post()
        invoice._zoho_push_invoice(self.backend.id)
        (old,) = self.zoho_pdfs(invoice)
        self.assertTrue(old["content"].startswith(b"%PDF"))
        invoice = self.repost(invoice, 150.0)
        invoice._zoho_push_invoice(self.backend.id)
        self.assertEqual(self.zoho_invoice(invoice)["Grand_Total"], 150.0)
        (new,) = self.zoho_pdfs(invoice)  # exactly one: the old one is gone
        self.assertNotEqual(new["id"], old["id"])
        self.assertEqual(new["File_Name"], old["File_Name"])
        self.assertTrue(new["content"].startswith(b"%PDF"))
        self.assertNotEqual(new["content"], old["content"])
        self.assertFalse(invoice.zoho_pdf_stale)
        # pushed again (a retried or requeued job): nothing uploaded
        self.zoho.clear_requests()
        invoice._zoho_push_invoice(self.backend.id)
        self.assertFalse(self.uploads())
        self.assertEqual(self.zoho_pdfs(invoice), [new])

    def test_replacement_stopped_half_way_is_finished_by_the_retry(self):
        invoice = self.repost(self.pushed_invoice(100.0), 120.0)
        # the new PDF reaches Zoho, the old one's deletion does not
        self.zoho.fail_next(1, status=500, method="DELETE")
        with self.assertRaises(RetryableJobError):
            invoice._zoho_push_invoice(self.backend.id)
        self.assertEqual(len(self.zoho_pdfs(invoice)), 2)
        invoice._zoho_push_invoice(self.backend.id)  # queue_job's retry
        (pdf,) = self.zoho_pdfs(invoice)
        self.assertTrue(pdf["content"].startswith(b"%PDF"))

    def test_reposted_invoice_uses_its_new_pdf_not_the_one_sent_before(self):
        invoice = self.pushed_invoice(100.0)
        # sent to the customer: Odoo keeps that PDF as the invoice's document
        sent = self.env["ir.attachment"].create(
            {
                "name": "INV sent.pdf",
                "raw": b"%PDF-1.4 the invoice of 100.00 as sent",
                "res_model": "account.move",
                "res_id": invoice.id,
                "res_field": "invoice_pdf_report_file",
            }
        )
        invoice.invalidate_recordset(["invoice_pdf_report_id"])
        self.assertEqual(invoice.invoice_pdf_report_id, sent)
        invoice = self.repost(invoice, 150.0)
        # no longer the invoice's document, still in its chatter
        self.assertFalse(invoice.invoice_pdf_report_id)
        self.assertTrue(sent.exists())
        self.assertEqual((sent.res_model, sent.res_id), ("account.move", invoice.id))
        invoice._zoho_push_invoice(self.backend.id)
        (pdf,) = self.zoho_pdfs(invoice)
        self.assertTrue(pdf["content"].startswith(b"%PDF"))
        self.assertNotIn(b"as sent", pdf["content"])

    def upserts(self, module):
        return [
            req
            for req in self.zoho.api_requests()
            if req[0] == "POST" and req[1].endswith(f"/{module}/upsert")
        ]

    def test_cancelled_invoices_are_cancelled_in_zoho_by_one_job(self):
        first, second = self.pushed_invoice(100.0), self.pushed_invoice(30.0)
        account = self.zoho.records["Accounts"][self.account_id]
        self.assertEqual(account["Open_Balance__c"], 130.0)
        self.zoho.clear_requests()
        with self.trap_jobs() as trap:
            (first | second).button_cancel()
            self.assertEqual((first | second).mapped("state"), ["cancel"] * 2)
            trap.assert_jobs_count(1)  # the customer's batched push, no call yet
            trap.assert_enqueued_job(self.backend._zoho_push_receivables)
            self.assertFalse(self.zoho.api_requests())
            trap.perform_enqueued_jobs()
        for invoice in first | second:
            record = self.zoho_invoice(invoice)
            self.assertEqual(
                (record["Status"], record["Balance__c"]), ("Cancelled", 0.0)
            )
            self.assertEqual(record["Subject"], invoice.name)  # the same record
        self.assertEqual(len(self.upserts("Invoices")), 1)  # both in one call
        # the customer's money facts follow: nothing is owed any more
        account = self.zoho.records["Accounts"][self.account_id]
        self.assertEqual(account["Open_Balance__c"], 0.0)
        # cancelled and sent since: not sent again
        self.zoho.clear_requests()
        with self.trap_jobs() as trap:
            self.env["zoho.partner.binding"]._cron_push_receivables()
            trap.perform_enqueued_jobs()
        self.assertFalse(self.api_calls("/Invoices"))

    def test_invoice_reversed_by_its_credit_note_is_cancelled_in_zoho(self):
        invoice = self.pushed_invoice(100.0)
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "void"})
        )
        with self.trap_jobs() as trap:
            reversal.refund_moves()
            # posted, the credit note meets the invoice it reverses
            invoice.reversal_move_ids.action_post()
            self.assertEqual(invoice.payment_state, "reversed")
            trap.perform_enqueued_jobs()
        record = self.zoho_invoice(invoice)
        self.assertEqual((record["Status"], record["Balance__c"]), ("Cancelled", 0.0))

    def test_invoice_reset_to_draft_is_cancelled_in_zoho_until_posted_again(self):
        invoice = self.pushed_invoice(100.0)
        (old_pdf,) = self.zoho_pdfs(invoice)
        with self.trap_jobs() as trap:
            invoice.button_draft()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        record = self.zoho_invoice(invoice)
        self.assertEqual((record["Status"], record["Balance__c"]), ("Cancelled", 0.0))
        account = self.zoho.records["Accounts"][self.account_id]
        self.assertEqual(account["Open_Balance__c"], 0.0)
        # changed and posted again: the record is back, with the new PDF
        invoice.invoice_line_ids.price_unit = 120.0
        with self.trap_jobs() as trap:
            invoice.action_post()
            trap.perform_enqueued_jobs()
        record = self.zoho_invoice(invoice)
        self.assertEqual(
            (record["Status"], record["Balance__c"], record["Grand_Total"]),
            ("Created", 120.0, 120.0),
        )
        (new_pdf,) = self.zoho_pdfs(invoice)
        self.assertNotEqual(new_pdf["id"], old_pdf["id"])
        account = self.zoho.records["Accounts"][self.account_id]
        self.assertEqual(account["Open_Balance__c"], 120.0)
        self.assertEqual(len(self._zoho_invoices(invoice)), 1)

    def zoho_note(self, invoice):
        with self.zoho.lock:
            return dict(self.zoho.records["Notes"][invoice.zoho_record_id])

    def note_updates(self):
        return [
            req
            for req in self.zoho.api_requests()
            if req[0] == "PUT" and req[1].endswith("/Notes")
        ]

    def test_payment_updates_the_invoice_note_and_only_that_one(self):
        self.zoho.invoices_enabled = False
        paid, other = self.pushed_invoice(100.0), self.pushed_invoice(30.0)
        self.assertEqual((paid.zoho_module, other.zoho_module), ("Notes", "Notes"))
        cur = paid.currency_id.name
        self.assertIn(
            f"Status: Created; amount due: 100.00 {cur}",
            self.zoho_note(paid)["Note_Content"],
        )
        other_note = self.zoho_note(other)
        self.zoho.clear_requests()
        with self.trap_jobs() as trap:
            self.pay(paid, 40.0)
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertIn(
            f"Status: Created; amount due: 60.00 {cur}",
            self.zoho_note(paid)["Note_Content"],
        )
        # one call, for the paid invoice's note only
        self.assertEqual(len(self.note_updates()), 1)
        self.assertEqual(self.zoho_note(other), other_note)
        with self.trap_jobs() as trap:
            self.pay(paid, 60.0)
            trap.perform_enqueued_jobs()
        note = self.zoho_note(paid)
        self.assertIn(f"Status: Paid; amount due: 0.00 {cur}", note["Note_Content"])
        self.assertEqual(note["Note_Title"], f"Invoice {paid.name}")
        # nothing changed since: no call for any note
        self.zoho.clear_requests()
        with self.trap_jobs() as trap:
            self.env["zoho.partner.binding"]._cron_push_receivables()
            trap.perform_enqueued_jobs()
        self.assertFalse(self.api_calls("/Notes"))
        self.assertEqual(len(self.zoho.records["Notes"]), 2)

    def test_invoice_note_says_cancelled_then_follows_the_reposted_invoice(self):
        self.zoho.invoices_enabled = False
        invoice = self.pushed_invoice(100.0)
        cur = invoice.currency_id.name
        with self.trap_jobs() as trap:
            invoice.button_draft()
            trap.perform_enqueued_jobs()
        self.assertIn(
            "Status: Cancelled (reset to draft in Odoo: not valid until posted "
            f"again); amount due: 0.00 {cur}",
            self.zoho_note(invoice)["Note_Content"],
        )
        invoice.invoice_line_ids.price_unit = 150.0
        with self.trap_jobs() as trap:
            invoice.action_post()
            trap.perform_enqueued_jobs()
        content = self.zoho_note(invoice)["Note_Content"]
        self.assertIn(f": 150.00 {cur} (reference", content)
        self.assertIn(f"Status: Created; amount due: 150.00 {cur}", content)
        with self.trap_jobs() as trap:
            invoice.button_cancel()
            trap.perform_enqueued_jobs()
        self.assertIn(
            f"Status: Cancelled; amount due: 0.00 {cur}",
            self.zoho_note(invoice)["Note_Content"],
        )
        self.assertEqual(len(self.zoho.records["Notes"]), 1)  # the same note

    def test_overdue_invoice_gets_one_task_per_level(self):
        invoice = self.make_invoice(300.0, due_days_ago=31)
        with self.trap_jobs():
            invoice.action_post()
        Task = self.env["zoho.overdue.task"]
        with self.trap_jobs() as trap:
            Task._cron_create_tasks()
            Task._cron_create_tasks()
            trap.perform_enqueued_jobs()
        tasks = Task.search([("invoice_id", "=", invoice.id)])
        self.assertEqual(sorted(tasks.mapped("level_days")), [15, 30])
        zoho_tasks = [
            rec
            for rec in self.zoho.records["Tasks"].values()
            if invoice.name in rec["Subject"]
        ]
        self.assertEqual(len(zoho_tasks), 2)
        self.assertIn("Call about overdue invoice", zoho_tasks[0]["Subject"])
        self.assertEqual(zoho_tasks[0]["What_Id"], {"id": self.account_id})
        tasks[0]._zoho_push()  # a retry: nothing new in Zoho
        self.assertEqual(len(self.zoho.records["Tasks"]), 2)


@tagged("post_install", "-at_install")
class TestZohoNotifications(ZohoCase):
    def test_notification_queues_a_pull_of_the_ids(self):
        self.assertTrue(self.backend._zoho_enable_watch())
        channel = self.zoho.channels[self.backend.channel_id]
        self.assertTrue(channel)
        (account_id,) = self.zoho.add_accounts(1)
        Backend = self.env["zoho.backend"]
        self.assertFalse(
            Backend._zoho_receive_notification(
                {
                    "channel_id": self.backend.channel_id,
                    "token": "wrong",
                    "ids": [account_id],
                }
            )
        )
        with self.trap_jobs() as trap:
            accepted = Backend._zoho_receive_notification(
                {
                    "channel_id": self.backend.channel_id,
                    "token": self.backend.channel_token,
                    "module": "Accounts",
                    "operation": "insert",
                    "ids": [account_id],
                }
            )
            self.assertTrue(accepted)
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertTrue(self.bound_partner(account_id))
