import threading
import time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ZohoCase


@tagged("post_install", "-at_install")
class TestZohoPull(ZohoCase):
    def test_full_sync_past_the_2000_record_barrier(self):
        self.zoho.add_accounts(5000)
        run = self.pull(full=True)
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.read_count, 5000)
        self.assertEqual(run.created_count, 5000)
        self.assertEqual(run.failed_count, 0)
        bindings = self.env["zoho.partner.binding"].search(
            [("backend_id", "=", self.backend.id), ("zoho_module", "=", "Accounts")]
        )
        self.assertEqual(len(bindings), 5000)
        self.assertEqual(len(set(bindings.mapped("zoho_id"))), 5000)
        # page up to 2,000 records, page_token after: ceil(5000/200) list calls
        listing = [
            req
            for req in self.api_calls("/crm/v8/Accounts")
            if req[1] == "/crm/v8/Accounts"
        ]
        self.assertEqual(len(listing), 25)
        self.assertTrue(any("page_token" in req[2] for req in listing))
        partner = bindings[0].partner_id
        self.assertTrue(partner.is_company)
        self.assertEqual(partner.zoho_account_id, bindings[0].zoho_id)
        self.assertEqual(
            partner.property_payment_term_id,
            self.env.ref("account.account_payment_term_30days"),
        )
        self.assertEqual(partner.country_id, self.env.ref("base.us"))
        self.assertEqual(self.backend.accounts_synced_until.isoformat()[:4], "2024")

    def test_incremental_with_nothing_changed_is_one_request(self):
        self.zoho.add_accounts(30)
        self.pull(full=True)
        self.zoho.clear_requests()
        run = self.pull()
        self.assertEqual(run.state, "done", run.message)
        listing = [
            req for req in self.zoho.api_requests() if req[1] == "/crm/v8/Accounts"
        ]
        self.assertEqual(len(listing), 1)
        self.assertIn("If-Modified-Since", listing[0][3])
        # what the overlap window re-reads is recognised as unchanged: no writes
        self.assertEqual(run.created_count + run.updated_count, 0)
        self.assertEqual(run.read_count, run.skipped_count)
        # without overlap, Zoho answers 304: no work at all
        self.backend.sync_overlap_minutes = 0
        self.zoho.clear_requests()
        run = self.pull()
        self.assertEqual(run.read_count, 0)
        listing = [
            req for req in self.zoho.api_requests() if req[1] == "/crm/v8/Accounts"
        ]
        self.assertEqual(len(listing), 1)

    def test_incremental_brings_changes_into_the_chatter(self):
        (account_id,) = self.zoho.add_accounts(1, Credit_Limit__c=5000.0)
        self.pull(full=True)
        partner = self.bound_partner(account_id)
        self.assertEqual(partner.credit_limit, 5000.0)
        self.zoho.touch(
            "Accounts", account_id, Credit_Limit__c=7500.0, Phone="+1 555 999"
        )
        run = self.pull()
        self.assertEqual(run.updated_count, 1)
        self.assertEqual(partner.credit_limit, 7500.0)
        self.assertEqual(partner.phone, "+1 555 999")
        audit = partner.message_ids.filtered(
            lambda msg: "Updated from Zoho" in msg.body
        )
        self.assertTrue(audit)
        self.assertIn("7500", audit[0].body)

    def test_token_expiry_mid_run(self):
        self.zoho.add_accounts(1200)
        tokens_before = self.zoho.tokens_issued

        def expire_after_first_pages():
            deadline = time.time() + 30
            while time.time() < deadline:
                if len(self.api_calls("/crm/v8/Accounts")) >= 2:
                    self.zoho.expire_all_tokens()
                    return
                time.sleep(0.01)

        watcher = threading.Thread(target=expire_after_first_pages)
        watcher.start()
        run = self.pull(full=True)
        watcher.join()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.created_count, 1200)
        self.assertGreater(self.zoho.tokens_issued, tokens_before)
        # one token to start, one after the expiry; never a burst of refreshes
        self.assertLessEqual(self.zoho.tokens_issued - tokens_before, 3)

    def test_429_storm_converges(self):
        self.zoho.add_accounts(450)
        self.zoho.storm(4)
        run = self.pull(full=True)
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.created_count, 450)

    def test_contacts_become_contacts_of_their_company(self):
        (account_id,) = self.zoho.add_accounts(1)
        contact_id = self.zoho.add_record(
            "Contacts",
            First_Name="Mina",
            Last_Name="Okafor",
            Email="mina@account0.example.com",
            Account_Name={"id": account_id, "name": "Account 00000"},
        )
        orphan_id = self.zoho.add_record(
            "Contacts", Last_Name="Nobody", Account_Name={"id": "999", "name": "?"}
        )
        run = self.pull(full=True)
        contact = self.bound_partner(contact_id, "Contacts")
        self.assertEqual(contact.name, "Mina Okafor")
        self.assertEqual(contact.parent_id, self.bound_partner(account_id))
        self.assertFalse(self.bound_partner(orphan_id, "Contacts"))
        self.assertIn(orphan_id, run.error_ids.mapped("zoho_id"))

    def test_deleted_accounts(self):
        plain_id, invoiced_id = self.zoho.add_accounts(2)
        self.pull(full=True)
        plain, invoiced = self.bound_partner(plain_id), self.bound_partner(invoiced_id)
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": invoiced.id,
                "invoice_line_ids": [
                    (0, 0, {"name": "Paper", "quantity": 1, "price_unit": 10.0})
                ],
            }
        )
        invoice.action_post()
        self.zoho.delete("Accounts", plain_id)
        self.zoho.delete("Accounts", invoiced_id)
        self.pull()
        self.assertFalse(plain.active)
        self.assertTrue(invoiced.active)
        self.assertTrue(invoiced.exists())
        self.assertIn("Deleted in Zoho", invoiced.message_ids[0].body)
        self.assertFalse(
            self.env["zoho.partner.binding"].search(
                [("zoho_id", "in", [plain_id, invoiced_id])]
            )
        )

    def test_look_alike_customer_is_proposed_not_merged(self):
        existing = self.env["res.partner"].create(
            {"name": "Account 00000", "is_company": True}
        )
        (account_id,) = self.zoho.add_accounts(1)
        run = self.pull(full=True)
        self.assertEqual(run.skipped_count, 1)
        self.assertFalse(self.bound_partner(account_id))
        proposal = self.env["zoho.dedupe.proposal"].search(
            [("zoho_id", "=", account_id)]
        )
        self.assertEqual(proposal.partner_id, existing)
        self.assertIn("name", proposal.reason)
        with self.trap_jobs() as trap:
            proposal.action_bind()
            trap.perform_enqueued_jobs()
        self.assertEqual(self.bound_partner(account_id), existing)
        self.assertEqual(existing.phone, "+1 555 0000000")

    def test_look_alike_by_e_mail_as_mail_normalizes_it(self):
        """An unbound customer whose address differs in case and carries a
        display name is the same e-mail: proposed, not duplicated."""
        existing = self.env["res.partner"].create(
            {
                "name": "Northwind billing",
                "is_company": True,
                "email": "Northwind Billing <Billing@Northwind.example>",
            }
        )
        (account_id,) = self.zoho.add_accounts(1, Email__c="billing@NORTHWIND.example")
        partners_before = self.env["res.partner"].search_count([])
        run = self.pull(full=True)
        self.assertEqual(run.skipped_count, 1)
        self.assertFalse(self.bound_partner(account_id))
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before)
        proposal = self.env["zoho.dedupe.proposal"].search(
            [("zoho_id", "=", account_id)]
        )
        self.assertEqual(proposal.partner_id, existing)
        self.assertEqual(proposal.reason, "same e-mail")

    def test_field_ownership_conflict_never_bounces(self):
        (account_id,) = self.zoho.add_accounts(1, Credit_Limit__c=1000.0)
        self.pull(full=True)
        partner = self.bound_partner(account_id)
        # someone edits a Zoho-owned field in Odoo and a money field in Zoho
        partner.credit_limit = 99999.0
        self.zoho.touch("Accounts", account_id, Open_Balance__c=123456.0)
        self.pull()
        self.assertEqual(partner.credit_limit, 1000.0)  # Zoho owns it: Zoho wins
        partner.zoho_binding_ids._zoho_mark_receivables_dirty()
        self.backend._zoho_push_receivables()
        written = self.zoho.records["Accounts"][account_id]
        self.assertEqual(written["Open_Balance__c"], 0.0)  # Odoo owns it: Odoo wins
        self.assertEqual(written["Credit_Limit__c"], 1000.0)
        self.assertEqual(self.zoho.last_write["trigger"], [])
        # the push did not make the pull see a change worth writing back
        run = self.pull()
        self.assertEqual(run.updated_count, 0)

    def test_picklist_to_selection(self):
        self.env["zoho.field.mapping"].create(
            {
                "backend_id": self.backend.id,
                "zoho_module": "Accounts",
                "zoho_field": "Account_Type",
                "odoo_field_id": self.env.ref("account.field_res_partner__trust").id,
                "transform": "selection",
                "picklist_ids": [
                    (0, 0, {"zoho_value": "Customer", "odoo_value": "good"}),
                    (0, 0, {"zoho_value": "Prospect", "odoo_value": "normal"}),
                ],
            }
        )
        customer_id, unknown_id = self.zoho.add_accounts(2)
        self.zoho.touch("Accounts", customer_id, Account_Type="Customer")
        self.zoho.touch("Accounts", unknown_id, Account_Type="Partner")
        run = self.pull(full=True)
        self.assertEqual(self.bound_partner(customer_id).trust, "good")
        self.assertEqual(self.bound_partner(unknown_id).trust, "normal")  # default kept
        errors = run.error_ids.filtered(lambda err: err.field == "Account_Type")
        self.assertEqual(errors.zoho_id, unknown_id)

    def test_broken_credentials_flag_the_backend(self):
        self.zoho.fail_next(1, status=401, code="OAUTH_SCOPE_MISMATCH")
        try:
            self.pull(full=True)
        except UserError as exc:
            self.assertIn("credentials", str(exc))
        else:
            self.fail("a pull with broken credentials must fail")
        self.assertEqual(self.backend.state, "needs_reauth")
        self.assertTrue(self.backend.last_error)
