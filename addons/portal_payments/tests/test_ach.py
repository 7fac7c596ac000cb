from odoo.tests import tagged

from .common import PortalPaymentsCase


@tagged("post_install", "-at_install")
class TestAchDirectDebit(PortalPaymentsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ach = cls.enable_ach()
        cls.company, _contact = cls.create_portal_customer(
            "Bank Debit Inc", "Abe Debit", "abe_debit"
        )

    def transaction(self, invoice, **params):
        params = {"payment_method_id": self.ach.id, **params}
        return self.start_transaction(invoice, "abe_debit", **params)

    def test_saved_bank_account_processing_settled_then_returned(self):
        first = self.make_invoice(self.company, 120.0, days_ago=3)
        tx, result = self.transaction(first, tokenization_requested=True)
        intent = self.stripe_server.confirm_with_bank_account(result["client_secret"])
        self.assertEqual(intent["status"], "processing")
        self.assertTrue(tx.tokenize, "tokenize")
        self.url_open(
            f"/payment/stripe/return?reference={tx.reference}&payment_intent={intent['id']}"
        )
        # processing: visible, not paid, the bank account is saved with its mandate
        self.assertEqual(tx.state, "pending")
        self.assertEqual(first.portal_payment_status, "processing")
        self.assertEqual(first.amount_residual, 120.0)
        token = tx.token_id
        self.assertTrue(token)
        self.assertEqual(token.payment_method_id, self.ach)
        self.assertEqual(token.payment_details, "6789")
        self.assertTrue(token.stripe_mandate.startswith("mandate_"))
        self.assertIn("authorize", tx.portal_payments_mandate_text)
        self.assertEqual(
            token.portal_payments_mandate_text, tx.portal_payments_mandate_text
        )
        page = self.url_open("/my/account/balance").text
        self.assertIn("o_status_processing", page)

        # the bank settles: a signed webhook makes it paid
        self.stripe_server.settle(intent["id"], "succeeded")
        self.assertEqual(
            self.post_webhook(
                self.intent_event(intent["id"], "payment_intent.succeeded")
            ).status_code,
            200,
        )
        self.assertEqual(tx.state, "done")
        tx._post_process()
        self.assertEqual(first.portal_payment_status, "paid")

        # the next invoice is paid with the saved bank account
        second = self.make_invoice(self.company, 80.0, days_ago=1)
        tx2, _result = self.transaction(
            second, flow="token", token_id=token.id, payment_method_id=None
        )
        self.assertEqual(tx2.state, "pending")
        self.assertEqual(second.portal_payment_status, "processing")
        self.stripe_server.settle(tx2.provider_reference, "succeeded")
        self.post_webhook(
            self.intent_event(tx2.provider_reference, "payment_intent.succeeded")
        )
        tx2._post_process()
        self.assertEqual(second.payment_state, "paid")

        # days later the bank returns it: payment reversed, invoice open, activity
        self.stripe_server.settle(tx2.provider_reference, "failed")
        response = self.post_webhook(
            self.intent_event(tx2.provider_reference, "payment_intent.payment_failed")
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(tx2.state, "error")
        self.assertEqual(tx2.payment_id.state, "rejected")
        self.assertEqual(second.payment_state, "not_paid")
        self.assertEqual(second.portal_payment_status, "open")
        self.assertIn("Payment returned", second.activity_ids.summary)
        self.assertEqual(first.payment_state, "paid")  # untouched

    def test_debit_failing_while_processing_leaves_invoice_open(self):
        invoice = self.make_invoice(self.company, 55.0, days_ago=2)
        tx, result = self.transaction(invoice)
        intent = self.stripe_server.confirm_with_bank_account(result["client_secret"])
        self.url_open(
            f"/payment/stripe/return?reference={tx.reference}&payment_intent={intent['id']}"
        )
        self.assertEqual(invoice.portal_payment_status, "processing")
        self.stripe_server.settle(intent["id"], "failed")
        self.post_webhook(
            self.intent_event(intent["id"], "payment_intent.payment_failed")
        )
        self.assertEqual(tx.state, "error")
        self.assertFalse(tx.payment_id)
        self.assertEqual(invoice.portal_payment_status, "open")
        self.assertIn("Payment failed", invoice.activity_ids.summary)

    def test_tours_save_bank_account_then_pay_with_it(self):
        first = self.make_invoice(self.company, 70.0, days_ago=4)
        self.start_tour(
            "/my/account/balance", "portal_payments_ach_save", login="abe_debit"
        )
        tx = first.transaction_ids
        self.assertEqual(tx.state, "pending")
        self.assertEqual(first.portal_payment_status, "processing")
        token = tx.token_id
        self.assertEqual(token.payment_details, "6789")
        self.assertTrue(tx.portal_payments_mandate_text)
        # the bank settles: the webhook makes it paid
        self.stripe_server.settle(tx.provider_reference, "succeeded")
        event = self.intent_event(tx.provider_reference, "payment_intent.succeeded")
        self.assertEqual(self.post_webhook(event).status_code, 200)
        tx._post_process()
        self.assertEqual(first.payment_state, "paid")

        second = self.make_invoice(self.company, 30.0, days_ago=1)
        self.start_tour(
            "/my/account/balance", "portal_payments_ach_saved_method", login="abe_debit"
        )
        tx2 = second.transaction_ids
        self.assertEqual(tx2.token_id, token)
        self.assertEqual(second.portal_payment_status, "processing")
        self.stripe_server.settle(tx2.provider_reference, "succeeded")
        event = self.intent_event(tx2.provider_reference, "payment_intent.succeeded")
        self.post_webhook(event)
        tx2._post_process()
        self.assertEqual(second.payment_state, "paid")

    def settled_debit(self, amount):
        """An invoice paid by bank account, settled by the bank: (invoice, tx)."""
        invoice = self.make_invoice(self.company, amount, days_ago=2)
        tx = self.pay_by_bank_account(invoice, "abe_debit")
        self.assertEqual(invoice.payment_state, "paid")
        return invoice, tx

    def returned_activities(self, invoice):
        return invoice.activity_ids.filtered(
            lambda a: a.summary and a.summary.startswith("Payment returned")
        )

    def test_return_reported_as_charge_failed_reverses_once(self):
        invoice, tx = self.settled_debit(64.0)
        payment = tx.payment_id
        # the bank returns the debit (R01): Stripe fails the settled charge
        self.stripe_server.settle(tx.provider_reference, "failed")
        event = self.charge_event(tx, "charge.failed")
        self.assertEqual(event["data"]["object"]["status"], "failed")
        self.assertEqual(self.post_webhook(event).status_code, 200)
        self.assertEqual(tx.state, "error")
        self.assertEqual(payment.state, "rejected")
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual(invoice.amount_residual, 64.0)
        self.assertEqual(len(self.returned_activities(invoice)), 1)
        self.assertIn("insufficient funds", self.returned_activities(invoice).note)
        self.authenticate("abe_debit", "abe_debit")
        page = self.url_open("/my/account/balance").text
        self.assertIn(invoice.name, page)
        self.assertNotIn("o_status_processing", page)
        # the same event again, then the intent's own failure event: no effect
        self.assertEqual(self.post_webhook(event).status_code, 200)
        again = self.intent_event(
            tx.provider_reference, "payment_intent.payment_failed"
        )
        self.assertEqual(self.post_webhook(again).status_code, 200)
        self.assertEqual(len(self.returned_activities(invoice)), 1)
        self.assertEqual(len(invoice.activity_ids), 1)
        self.assertEqual(invoice.amount_residual, 64.0)

    def test_unauthorized_return_comes_as_lost_dispute(self):
        self.company.portal_autopay_state = "enrolled"
        invoice, tx = self.settled_debit(45.0)
        dispute = self.stripe_server.settle(tx.provider_reference, "disputed")
        self.assertEqual(dispute["status"], "lost")
        self.assertEqual(dispute["reason"], "debit_not_authorized")
        event = self.stripe_event("charge.dispute.created", dispute)
        self.assertEqual(self.post_webhook(event).status_code, 200)
        self.assertEqual(tx.state, "error")
        self.assertEqual(tx.payment_id.state, "rejected")
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual(self.company.portal_autopay_state, "suspended")
        self.assertEqual(len(invoice.activity_ids), 1)
        self.assertIn("open again", invoice.activity_ids.note)
        # Stripe closes the dispute right away: told, not reversed twice
        closed = self.stripe_event("charge.dispute.closed", dispute)
        self.assertEqual(self.post_webhook(closed).status_code, 200)
        self.assertEqual(len(invoice.activity_ids), 2)
        closed_activity = invoice.activity_ids.filtered(lambda a: "closed" in a.summary)
        self.assertNotIn("open again", closed_activity.note)
        self.assertEqual(invoice.amount_residual, 45.0)
