"""The job boundary: what queue_job sees when Zoho is busy, refuses or is spent."""

from odoo import Command
from odoo.exceptions import UserError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError

from ..components.mapping import export_value
from .common import ZohoCase


@tagged("post_install", "-at_install")
class TestZohoJobs(ZohoCase):
    def setUp(self):
        super().setUp()
        self.account_ids = self.zoho.add_accounts(3)
        self.backend._zoho_pull(full=True)
        self.bindings = self.env["zoho.partner.binding"].search(
            [("backend_id", "=", self.backend.id), ("zoho_module", "=", "Accounts")]
        )

    def raised(self, exception, function, *args):
        """:return: the exception ``function`` raised, keeping what it committed
        (``assertRaises`` would roll back to a savepoint, run records included)."""
        try:
            function(*args)
        except exception as exc:
            return exc
        self.fail(f"{exception.__name__} not raised")

    def last_run(self, kind):
        return self.env["zoho.sync.run"].search(
            [("backend_id", "=", self.backend.id), ("kind", "=", kind)], limit=1
        )

    def test_busy_zoho_becomes_a_retry_after_its_retry_after(self):
        self.bindings._zoho_mark_receivables_dirty()
        self.zoho.fail_next(10, status=429, retry_after=120)
        raised = self.raised(RetryableJobError, self.backend._zoho_push_receivables)
        self.assertGreaterEqual(raised.seconds, 120)
        run = self.last_run("push_receivables")
        self.assertEqual(run.state, "retrying")
        self.assertIn("429", run.message)
        self.assertEqual(run.requests_made, 1)  # a long Retry-After is not slept

    def test_short_retry_after_is_waited_inline(self):
        self.bindings._zoho_mark_receivables_dirty()
        self.zoho.fail_next(2, status=429, retry_after=0)
        self.backend._zoho_push_receivables()
        run = self.last_run("push_receivables")
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.updated_count, 3)

    def test_exhausted_retries_fail_plainly_and_tell_the_manager(self):
        self.bindings._zoho_mark_receivables_dirty()
        job = self.backend.with_delay(max_retries=3)._zoho_push_receivables()
        job.db_record().retry = 2  # this is the third and last attempt
        self.zoho.fail_next(10, status=503, retry_after=60)
        backend = self.backend.with_context(job_uuid=job.uuid)
        raised = self.raised(UserError, backend._zoho_push_receivables)
        self.assertIn("after 3 attempts", str(raised))
        run = self.last_run("push_receivables")
        self.assertEqual(run.state, "failed")
        activity = self.backend.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("after 3 attempts", activity.note)
        self.assertTrue(activity.user_id.has_group("zoho_connector.group_zoho_manager"))

    def test_daily_budget_is_never_overspent(self):
        used = self.backend.credits_used_today
        self.assertGreater(used, 0)  # the pull counted
        self.backend.daily_credit_budget = used + 1
        self.bindings._zoho_mark_receivables_dirty()
        self.backend._zoho_push_receivables()  # one upsert: 1 credit
        self.bindings._zoho_mark_receivables_dirty()
        calls = len(self.zoho.api_requests())
        raised = self.raised(RetryableJobError, self.backend._zoho_push_receivables)
        self.assertGreater(raised.seconds, 0)  # tomorrow
        self.assertEqual(len(self.zoho.api_requests()), calls)  # nothing sent
        self.backend.invalidate_recordset(["credits_used_today"])
        self.assertEqual(self.backend.credits_used_today, used + 1)

    def test_receivables_go_out_100_accounts_per_call(self):
        self.zoho.add_accounts(147)
        self.backend._zoho_pull(full=True)
        bindings = self.env["zoho.partner.binding"].search(
            [("backend_id", "=", self.backend.id), ("zoho_module", "=", "Accounts")]
        )
        self.assertEqual(len(bindings), 150)
        with self.trap_jobs() as trap:
            bindings.partner_id._zoho_enqueue_receivables()
            trap.assert_jobs_count(1)
        self.zoho.clear_requests()
        self.backend._zoho_push_receivables()
        upserts = [r for r in self.zoho.api_requests() if r[1].endswith("/upsert")]
        self.assertEqual(len(upserts), 2)
        pending = self.env["zoho.receivables.pending"].search(
            [("binding_id", "in", bindings.ids)]
        )
        self.assertFalse(pending)
        self.assertEqual(self.last_run("push_receivables").updated_count, 150)

    def test_a_mapping_owned_by_odoo_is_pushed(self):
        # what an addon does to send one more partner field to Zoho
        self.env["zoho.field.mapping"].create(
            {
                "backend_id": self.backend.id,
                "zoho_module": "Accounts",
                "zoho_field": "Description",
                "odoo_field_id": self.env.ref("base.field_res_partner__barcode").id,
                "owner": "odoo",
            }
        )
        partner = self.bindings[0].partner_id
        partner.barcode = "Pays by wire"
        partner._zoho_enqueue_receivables()
        self.backend._zoho_push_receivables()
        account = self.zoho.records["Accounts"][self.bindings[0].zoho_id]
        self.assertEqual(account["Description"], "Pays by wire")
        self.assertEqual(account["Open_Balance__c"], 0.0)

    def test_full_sync_is_queued_even_when_an_incremental_one_waits(self):
        self.assertTrue(self.backend._enqueue_pull(full=False)[1])
        self.assertFalse(self.backend._enqueue_pull(full=False)[1])
        self.assertTrue(self.backend._enqueue_pull(full=True)[1])
        jobs = self.env["queue.job"].search(
            [("method_name", "=", "_zoho_pull"), ("state", "=", "pending")]
        )
        self.assertEqual(sorted(job.kwargs["full"] for job in jobs), [False, True])

    def test_every_kind_of_job_leaves_a_finished_run(self):
        self.backend._zoho_enable_watch()
        self.assertEqual(self.last_run("watch").state, "done")
        self.zoho.fail_next(1, status=400, code="INVALID_DATA")
        self.raised(
            Exception, self.backend._zoho_pull_ids, "Accounts", [self.account_ids[0]]
        )
        self.assertEqual(self.last_run("pull_ids").state, "failed")
        self.assertFalse(self.env["zoho.sync.run"].search([("state", "=", "running")]))

    def test_a_neutralized_copy_queues_nothing_to_zoho(self):
        partner = self.bindings[0].partner_id
        self.env.flush_all()
        for query in get_neutralization_queries(["zoho_connector"]):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        self.assertEqual(self.backend.state, "draft")
        self.assertFalse(self.backend.sudo().refresh_token)
        self.assertFalse(self.env["zoho.backend.token"].sudo().search([]))
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_line_ids": [
                    Command.create({"name": "Paper", "quantity": 1, "price_unit": 9})
                ],
            }
        )
        with self.trap_jobs() as trap:
            invoice.action_post()
            trap.assert_jobs_count(0)
        self.assertEqual(invoice.state, "posted")

    def test_export_values_follow_the_odoo_field_type(self):
        self.assertEqual(export_value(3.14159, "monetary"), 3.14)
        self.assertEqual(export_value(False, "integer"), 0)
        self.assertIs(export_value(False, "char"), None)
        self.assertIs(export_value(1, "boolean"), True)
