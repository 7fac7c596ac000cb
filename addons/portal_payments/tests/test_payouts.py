import requests

from odoo.tests import tagged

from .common import PortalPaymentsCase


@tagged("post_install", "-at_install")
class TestStripePayouts(PortalPaymentsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Account = cls.env["account.account"]
        clearing = Account.create(
            {"name": "Stripe clearing", "code": "101590", "account_type": "asset_cash"}
        )
        cls.journal = cls.env["account.journal"].create(
            {
                "name": "Stripe",
                "code": "STRP",
                "type": "bank",
                "default_account_id": clearing.id,
            }
        )
        cls.fees = Account.create(
            {"name": "Stripe fees", "code": "626100", "account_type": "expense"}
        )
        cls.transit = Account.create(
            {
                "name": "Stripe payouts in transit",
                "code": "101595",
                "account_type": "asset_current",
                "reconcile": True,
            }
        )
        cls.stripe.write(
            {
                "journal_id": cls.journal.id,
                "stripe_fee_account_id": cls.fees.id,
                "stripe_payout_account_id": cls.transit.id,
            }
        )
        cls.company, _contact = cls.create_portal_customer(
            "Payout Test Co", "Pia Payout", "pia_payout"
        )

    def test_payout_with_three_charges_a_refund_and_fees_nets_to_zero(self):
        invoices = [
            self.make_invoice(self.company, amount, days_ago=5)
            for amount in (100.0, 250.0, 40.0)
        ]
        txs = [
            self.pay_by_card(inv, inv.amount_total, "pia_payout") for inv in invoices
        ]
        for inv in invoices:
            self.assertFalse(inv.amount_residual)
        refund_tx = txs[1]._send_refund_request(amount_to_refund=30.0)
        self.assertEqual(refund_tx.state, "done")
        refund_tx._post_process()
        self.assertTrue(refund_tx.payment_id)

        payout = requests.post(
            f"{self.stripe_server.url}/_config/o2c/payouts", timeout=10
        ).json()
        fees = sum(round(a * 100 * 0.029) + 30 for a in (100.0, 250.0, 40.0)) / 100.0
        self.assertAlmostEqual(payout["amount"] / 100.0, 390.0 - 30.0 - fees)

        statements = self.stripe._portal_payments_import_payouts()
        self.assertEqual(len(statements), 1)
        statement = statements
        self.assertEqual(statement.stripe_payout_id, payout["id"])
        lines = statement.line_ids
        self.assertEqual(len(lines), 3 + 3 + 1 + 1)  # charges, fees, refund, payout
        self.assertAlmostEqual(sum(lines.mapped("amount")), 0.0)
        self.assertTrue(statement.is_complete)
        self.assertTrue(
            all(lines.mapped("is_reconciled")),
            lines.filtered(lambda ln: not ln.is_reconciled).mapped("payment_ref"),
        )
        # each charge and the refund met their customer payment
        for tx in (*txs, refund_tx):
            outstanding = tx.payment_id.move_id.line_ids.filtered(
                lambda ln, a=tx.payment_id.outstanding_account_id: ln.account_id == a
            )
            self.assertTrue(outstanding.reconciled, tx.reference)
        self.assertEqual(invoices[0].payment_state, "paid")
        # fees on the expense account, the payout waits in transit for the bank line
        fee_balance = sum(
            self.env["account.move.line"]
            .search([("account_id", "=", self.fees.id)])
            .mapped("balance")
        )
        self.assertAlmostEqual(fee_balance, fees)
        transit_balance = sum(
            self.env["account.move.line"]
            .search([("account_id", "=", self.transit.id)])
            .mapped("balance")
        )
        self.assertAlmostEqual(transit_balance, payout["amount"] / 100.0)
        # the clearing account is empty again
        clearing = self.journal.default_account_id
        self.assertAlmostEqual(
            sum(
                self.env["account.move.line"]
                .search([("account_id", "=", clearing.id)])
                .mapped("balance")
            ),
            0.0,
        )
        # a second import finds nothing new
        self.assertFalse(self.stripe._portal_payments_import_payouts())
