from urllib.parse import urlencode

from odoo.tests import tagged

from .common import PortalPaymentsCase


@tagged("post_install", "-at_install")
class TestPayInvoices(PortalPaymentsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Acme's demo invoices would be ticked too; pay fresh ones of a new company
        cls.company, _contact = cls.create_portal_customer(
            "Pay Test Ltd", "Pat Payer", "pat_payer"
        )
        cls.older = cls.make_invoice(cls.company, 100.0, days_ago=45)
        cls.newer = cls.make_invoice(cls.company, 200.0, days_ago=5)

    def _pay_partially_by_card(self):
        tx, result = self.start_transaction(
            self.older | self.newer,
            "pat_payer",
            amount=150.0,
            payment_reference="BATCH-TEST",
        )
        self.assertEqual(tx.invoice_ids, self.older | self.newer)
        self.assertEqual(tx.amount, 150.0)
        intent = self.stripe_server.confirm_with_card(result["client_secret"])
        self.assertEqual(intent["status"], "succeeded")
        self.assertEqual(intent["description"], tx.reference)
        self.url_open(
            "/payment/stripe/return?"
            + urlencode({"reference": tx.reference, "payment_intent": intent["id"]})
        )
        self.assertEqual(tx.state, "done")
        tx._post_process()
        return tx

    def test_partial_amount_settles_oldest_first(self):
        tx = self._pay_partially_by_card()
        self.assertTrue(tx.payment_id)
        self.assertEqual(self.older.payment_state, "paid")
        self.assertEqual(self.older.portal_payment_status, "paid")
        self.assertAlmostEqual(self.newer.amount_residual, 150.0)
        self.assertEqual(self.newer.portal_payment_status, "partial")
        page = self.url_open("/my/account/balance").text
        self.assertIn("Partially paid", page)
        self.assertIn(self.older.name, page.split("o_portal_payments_history", 1)[1])

    def test_amount_above_open_total_is_refused(self):
        self.authenticate("pat_payer", "pat_payer")
        with self.assertRaises(Exception):  # noqa: B017 - the RPC error of the route
            self.make_jsonrpc_request(
                f"/my/account/transaction/{self.older.id}",
                {
                    "provider_id": self.stripe.id,
                    "payment_method_id": self.card.id,
                    "token_id": None,
                    "amount": 100.5,
                    "flow": "direct",
                    "tokenization_requested": False,
                    "landing_route": "/my/account/balance",
                    "is_validation": False,
                },
            )
        self.assertFalse(self.older.transaction_ids)

    def test_tour_pay_two_invoices_by_card(self):
        self.start_tour(
            "/my/account/balance", "portal_payments_pay_two_by_card", login="pat_payer"
        )
        self.assertEqual(self.older.payment_state, "paid")
        self.assertEqual(self.newer.portal_payment_status, "partial")
        self.assertAlmostEqual(self.newer.amount_residual, 150.0)
