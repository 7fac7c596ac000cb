import requests

from odoo.tests import tagged

from .common import LocalStripe, PortalPaymentsCase


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
        cls.disputed = Account.create(
            {
                "name": "Stripe disputed funds",
                "code": "101597",
                "account_type": "asset_current",
                "reconcile": True,
            }
        )
        cls.stripe.write(
            {
                "journal_id": cls.journal.id,
                "stripe_fee_account_id": cls.fees.id,
                "stripe_payout_account_id": cls.transit.id,
                "stripe_dispute_account_id": cls.disputed.id,
            }
        )
        cls.company, _contact = cls.create_portal_customer(
            "Payout Test Co", "Pia Payout", "pia_payout"
        )
        cls.enable_ach()
        cls.bank = cls.env["account.journal"].create(
            {"name": "Operating bank", "code": "OPBK", "type": "bank"}
        )

    def setUp(self):
        super().setUp()
        # Payouts are listed from Stripe while the database rolls back after
        # each test: each test gets its own Stripe so it sees only its payouts.
        self.stripe_server = LocalStripe().start()
        self.addCleanup(self.stripe_server.stop)
        self.stripe.write(
            {
                "stripe_api_base_url": f"{self.stripe_server.url}/v1/",
                "stripe_js_url": f"{self.stripe_server.url}/js.stripe.com/v3/o2c/",
            }
        )

    def automatic_payout(self):
        """Stripe's automatic payout of the available balance: the payout."""
        return requests.post(
            f"{self.stripe_server.url}/_config/o2c/payouts", timeout=10
        ).json()

    def balance(self, account):
        return sum(
            self.env["account.move.line"]
            .search([("account_id", "=", account.id), ("parent_state", "=", "posted")])
            .mapped("balance")
        )

    def bank_line(self, amount, label):
        """A line of the operating bank's statement, as the bank sends it."""
        return self.env["account.bank.statement.line"].create(
            {"journal_id": self.bank.id, "amount": amount, "payment_ref": label}
        )

    def paid_by_card(self, amount):
        """A new invoice of ``amount``, paid by card: ``(invoice, transaction)``."""
        invoice = self.make_invoice(self.company, amount, days_ago=3)
        tx = self.pay_by_card(invoice, amount, "pia_payout")
        self.assertEqual(invoice.payment_state, "paid")
        return invoice, tx

    def open_dispute(self, tx, *statuses):
        """The cardholder disputes ``tx``'s charge; the dispute then goes
        through ``statuses``. :return: the dispute id"""
        dispute = self.stripe_server.dispute(self.charge_id(tx))
        for status in statuses:
            self.stripe_server.decide_dispute(dispute["id"], status)
        return dispute["id"]

    def import_payout(self):
        """Stripe pays out the balance, Odoo imports it: the statement."""
        self.automatic_payout()
        statement = self.stripe._portal_payments_import_payouts()
        self.assertEqual(len(statement), 1)
        self.assertAlmostEqual(sum(statement.line_ids.mapped("amount")), 0.0)
        return statement

    def reversals(self, tx):
        """The entries reversing ``tx``'s customer payment."""
        return self.env["account.move"].search(
            [("reversed_entry_id", "=", tx.payment_id.move_id.id)]
        )

    def assert_all_matched(self, statement):
        """No line of ``statement`` waits in suspense."""
        self.assertTrue(
            all(statement.line_ids.mapped("is_reconciled")),
            statement.line_ids.filtered(lambda ln: not ln.is_reconciled).mapped(
                "payment_ref"
            ),
        )
        suspense = self.journal.suspense_account_id
        self.assertNotIn(suspense, statement.line_ids.move_id.line_ids.account_id)

    def match_payouts(self):
        """What the administrator clicks: *Match payouts with bank lines*."""
        admin = self.env.ref("base.user_admin")
        return self.stripe.with_user(admin).action_stripe_match_payouts()

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

        payout = self.automatic_payout()
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

        # the bank statement brings the payout: matched, the transit is empty
        net = payout["amount"] / 100.0
        other = self.bank_line(net + 10.0, "STRIPE TRANSFER")  # not a payout of ours
        st_line = self.bank_line(net, f"STRIPE TRANSFER {payout['id']} PAYOUT TEST CO")
        result = self.match_payouts()
        self.assertIn("1 bank lines matched", result["params"]["message"])
        self.assertTrue(st_line.is_reconciled)
        self.assertFalse(other.is_reconciled)
        self.assertAlmostEqual(self.balance(self.transit), 0.0)
        transit_lines = self.env["account.move.line"].search(
            [("account_id", "=", self.transit.id)]
        )
        self.assertEqual(len(transit_lines), 2)
        self.assertTrue(all(transit_lines.mapped("reconciled")))
        self.assertTrue(transit_lines[0].full_reconcile_id)
        self.assertEqual(
            transit_lines[0].full_reconcile_id, transit_lines[1].full_reconcile_id
        )

    def test_bank_line_without_payout_id_matches_by_amount_from_the_cron(self):
        invoice = self.make_invoice(self.company, 75.0, days_ago=1)
        self.pay_by_card(invoice, 75.0, "pia_payout")
        payout = self.automatic_payout()
        self.stripe._portal_payments_import_payouts()
        net = payout["amount"] / 100.0
        st_line = self.bank_line(net, "ACH CREDIT STRIPE TRANSFER")
        unrelated = self.bank_line(net, "CUSTOMER WIRE")  # same amount, not Stripe
        self.env["account.bank.statement.line"]._cron_portal_payments_match_payouts()
        self.assertTrue(st_line.is_reconciled)
        self.assertFalse(unrelated.is_reconciled)
        self.assertAlmostEqual(self.balance(self.transit), 0.0)

    def test_ach_return_and_dispute_in_a_later_payout(self):
        returned_inv = self.make_invoice(self.company, 200.0, days_ago=6)
        disputed_inv = self.make_invoice(self.company, 120.0, days_ago=6)
        returned_tx = self.pay_by_bank_account(returned_inv, "pia_payout")
        disputed_tx = self.pay_by_bank_account(disputed_inv, "pia_payout")
        self.assertEqual(returned_inv.payment_state, "paid")
        first = self.automatic_payout()
        first_statement = self.stripe._portal_payments_import_payouts()
        self.assertTrue(all(first_statement.line_ids.mapped("is_reconciled")))
        # ACH fees: 0.8%, at most $5
        self.assertAlmostEqual(first["amount"] / 100.0, 320.0 - 1.6 - 0.96)

        # the bank returns one debit (the webhook tells us first) and the
        # other customer's bank reports an unauthorized debit (no webhook yet)
        self.stripe_server.settle(returned_tx.provider_reference, "failed")
        self.post_webhook(self.charge_event(returned_tx, "charge.failed"))
        self.assertEqual(returned_inv.payment_state, "not_paid")
        self.stripe_server.settle(disputed_tx.provider_reference, "disputed")
        self.assertEqual(disputed_inv.payment_state, "paid")
        # a card payment keeps the next payout positive
        card_inv = self.make_invoice(self.company, 500.0, days_ago=1)
        self.pay_by_card(card_inv, 500.0, "pia_payout")
        second = self.automatic_payout()
        card_fee = round(500.0 * 100 * 0.029 + 30) / 100.0
        self.assertAlmostEqual(
            second["amount"] / 100.0, 500.0 - card_fee - 200.0 - 120.0 - 15.0
        )

        statement = self.stripe._portal_payments_import_payouts()
        self.assertEqual(len(statement), 1)
        lines = statement.line_ids
        # card charge + fee, return, dispute + dispute fee, payout
        self.assertEqual(len(lines), 6)
        self.assertAlmostEqual(sum(lines.mapped("amount")), 0.0)
        self.assertTrue(
            all(lines.mapped("is_reconciled")),
            lines.filtered(lambda ln: not ln.is_reconciled).mapped("payment_ref"),
        )
        # the import reversed the disputed payment: both invoices open again
        self.assertEqual(disputed_tx.state, "error")
        self.assertEqual(disputed_tx.payment_id.state, "rejected")
        self.assertEqual(disputed_inv.payment_state, "not_paid")
        self.assertEqual(disputed_inv.amount_residual, 120.0)
        self.assertEqual(returned_inv.amount_residual, 200.0)
        self.assertEqual(card_inv.payment_state, "paid")
        # each return met the statement line of its original charge
        for tx in (returned_tx, disputed_tx):
            outstanding = tx.payment_id.outstanding_account_id
            charge_lines = first_statement.line_ids.filtered(
                lambda ln, ref=tx.reference: ln.payment_ref == ref
            ).move_id.line_ids.filtered(lambda ln, a=outstanding: ln.account_id == a)
            self.assertTrue(charge_lines.reconciled, tx.reference)
        self.assertAlmostEqual(self.balance(self.journal.default_account_id), 0.0)
        fees = 1.6 + 0.96 + card_fee + 15.0
        self.assertAlmostEqual(self.balance(self.fees), fees)
        self.assertAlmostEqual(
            self.balance(self.transit), (first["amount"] + second["amount"]) / 100.0
        )
        # both payouts arrive at the bank and are matched
        bank_lines = self.bank_line(
            first["amount"] / 100.0, f"STRIPE TRANSFER {first['id']}"
        ) + self.bank_line(second["amount"] / 100.0, f"STRIPE TRANSFER {second['id']}")
        self.match_payouts()
        self.assertTrue(all(bank_lines.mapped("is_reconciled")))
        self.assertAlmostEqual(self.balance(self.transit), 0.0)
        # a second import finds nothing new; nothing is reversed twice
        self.assertFalse(self.stripe._portal_payments_import_payouts())
        self.assertEqual(
            len(disputed_inv.activity_ids.filtered(lambda a: "returned" in a.summary)),
            1,
        )

    def test_open_dispute_holds_the_funds_and_the_payment_stands(self):
        """A card dispute withdraws the funds when it opens: while it is not
        decided the invoice stays paid and the withdrawal waits on the
        disputed funds account, labelled with its dispute."""
        new_inv, new_tx = self.paid_by_card(120.0)
        review_inv, review_tx = self.paid_by_card(80.0)
        first = self.import_payout()
        self.assert_all_matched(first)
        new_dispute = self.open_dispute(new_tx)
        review_dispute = self.open_dispute(review_tx, "under_review")
        self.post_webhook(self.dispute_event(new_dispute, "charge.dispute.created"))
        self.paid_by_card(500.0)  # keeps the payout positive

        statement = self.import_payout()
        # card charge + fee, two withdrawals + their dispute fees, payout
        self.assertEqual(len(statement.line_ids), 7)
        self.assert_all_matched(statement)
        for inv, tx, dispute in (
            (new_inv, new_tx, new_dispute),
            (review_inv, review_tx, review_dispute),
        ):
            self.assertEqual(inv.payment_state, "paid", dispute)
            self.assertEqual(tx.state, "done")
            self.assertEqual(tx.payment_id.state, "paid")
            self.assertFalse(self.reversals(tx))
            line = statement.line_ids.filtered(
                lambda ln, d=dispute: ln.stripe_dispute_id == d and ln.amount < -20
            )
            self.assertEqual(len(line), 1)
            self.assertAlmostEqual(line.amount, -inv.amount_total)
            self.assertIn(dispute, line.payment_ref)
            self.assertIn(tx.reference, line.payment_ref)
            self.assertEqual(line.partner_id, self.company)
            self.assertIn(self.disputed, line.move_id.line_ids.account_id)
        self.assertAlmostEqual(self.balance(self.disputed), 200.0)
        self.assertAlmostEqual(self.balance(self.journal.default_account_id), 0.0)
        # a re-import changes nothing: the payments still stand
        self.assertFalse(self.stripe._portal_payments_import_payouts())
        self.assertEqual(new_inv.payment_state, "paid")
        self.assertFalse(self.reversals(new_tx))
        self.assertAlmostEqual(self.balance(self.disputed), 200.0)

    def test_without_a_disputed_funds_account_the_import_goes_on(self):
        """A database upgraded from before the disputed funds account existed
        still imports its payouts: an undecided dispute's withdrawal waits in
        suspense for the accountant, and its payment stands."""
        self.stripe.stripe_dispute_account_id = False
        inv, tx = self.paid_by_card(120.0)
        self.import_payout()
        dispute = self.open_dispute(tx)
        self.paid_by_card(500.0)  # keeps the payout positive

        statement = self.import_payout()
        line = statement.line_ids.filtered(
            lambda ln: ln.stripe_dispute_id == dispute and ln.amount < -20
        )
        self.assertEqual(len(line), 1)
        self.assertIn(dispute, line.payment_ref)
        self.assertIn(
            self.journal.suspense_account_id, line.move_id.line_ids.account_id
        )
        self.assertEqual(inv.payment_state, "paid")
        self.assertFalse(self.reversals(tx))

    def test_won_dispute_withdrawal_and_reinstatement_cancel_out(self):
        """A won dispute's funds come back (``dispute_reversal``): they meet
        the withdrawal on the disputed funds account, in the same payout or a
        later one; the payment never moves, only the dispute fee is lost."""
        later_inv, later_tx = self.paid_by_card(150.0)
        same_inv, same_tx = self.paid_by_card(90.0)
        self.import_payout()
        later_dispute = self.open_dispute(later_tx)
        same_dispute = self.open_dispute(same_tx, "under_review", "won")
        self.paid_by_card(500.0)  # keeps the payout positive
        second = self.import_payout()
        self.assert_all_matched(second)
        self.assertAlmostEqual(self.balance(self.disputed), 150.0)

        self.stripe_server.decide_dispute(later_dispute, "under_review")
        self.stripe_server.decide_dispute(later_dispute, "won")
        third = self.import_payout()
        # the reinstatement, the payout
        self.assertEqual(len(third.line_ids), 2)
        self.assert_all_matched(third)
        reinstated = third.line_ids.filtered(lambda ln: ln.stripe_dispute_id)
        self.assertAlmostEqual(reinstated.amount, 150.0)
        self.assertIn(later_dispute, reinstated.payment_ref)
        self.assertIn("reinstated", reinstated.payment_ref)

        self.assertAlmostEqual(self.balance(self.disputed), 0.0)
        for dispute in (later_dispute, same_dispute):
            held = self.env["account.move.line"].search(
                [
                    ("account_id", "=", self.disputed.id),
                    ("statement_line_id.stripe_dispute_id", "=", dispute),
                ]
            )
            self.assertEqual(len(held), 2, dispute)  # withdrawn, reinstated
            self.assertTrue(all(held.mapped("reconciled")), dispute)
            self.assertTrue(held[0].full_reconcile_id)
            self.assertEqual(held[0].full_reconcile_id, held[1].full_reconcile_id)
        for inv, tx in ((later_inv, later_tx), (same_inv, same_tx)):
            self.assertEqual(inv.payment_state, "paid")
            self.assertEqual(tx.state, "done")
            self.assertFalse(self.reversals(tx))
        self.assertAlmostEqual(self.balance(self.journal.default_account_id), 0.0)
        card_fees = sum(round(a * 100 * 0.029 + 30) for a in (150, 90, 500)) / 100.0
        self.assertAlmostEqual(self.balance(self.fees), card_fees + 2 * 15.0)

    def test_lost_dispute_reverses_the_payment_once(self):
        """A lost dispute takes the money: the payment is reversed once,
        whether the webhook or the import sees the loss first, and the
        withdrawal ends against the disputed charge's statement line."""
        early_inv, early_tx = self.paid_by_card(200.0)  # withdrawn while open
        late_inv, late_tx = self.paid_by_card(100.0)  # lost before its payout
        first = self.import_payout()
        early_dispute = self.open_dispute(early_tx)
        self.paid_by_card(500.0)  # keeps the payout positive
        self.import_payout()
        self.assertEqual(early_inv.payment_state, "paid")
        self.assertAlmostEqual(self.balance(self.disputed), 200.0)

        # the early dispute is lost: the webhook reverses its payment
        self.stripe_server.decide_dispute(early_dispute, "lost")
        closed = self.dispute_event(early_dispute, "charge.dispute.closed")
        self.assertEqual(self.post_webhook(closed).status_code, 200)
        self.assertEqual(early_inv.payment_state, "not_paid")
        # the late one is lost before any webhook or import saw it
        late_dispute = self.open_dispute(late_tx, "lost")
        self.paid_by_card(600.0)
        third = self.import_payout()
        self.assert_all_matched(third)

        for inv, tx in ((early_inv, early_tx), (late_inv, late_tx)):
            self.assertEqual(inv.payment_state, "not_paid", tx.reference)
            self.assertEqual(inv.amount_residual, inv.amount_total)
            self.assertEqual(tx.payment_id.state, "rejected")
            self.assertEqual(len(self.reversals(tx)), 1, tx.reference)
            # the charge's statement line met the money taken back
            outstanding = tx.payment_id.outstanding_account_id
            charge_lines = first.line_ids.filtered(
                lambda ln, ref=tx.reference: ln.payment_ref == ref
            ).move_id.line_ids.filtered(lambda ln, a=outstanding: ln.account_id == a)
            self.assertTrue(charge_lines.reconciled, tx.reference)
        late_line = third.line_ids.filtered(
            lambda ln: ln.stripe_dispute_id == late_dispute and ln.amount < -20
        )
        self.assertNotIn(self.disputed, late_line.move_id.line_ids.account_id)
        transfer = self.env["account.move"].search(
            [("ref", "ilike", f"Lost Stripe dispute {early_dispute}")]
        )
        self.assertEqual(len(transfer), 1)
        self.assertEqual(transfer.state, "posted")
        self.assertAlmostEqual(self.balance(self.disputed), 0.0)
        self.assertFalse(
            self.env["account.move.line"]
            .search([("account_id", "=", self.disputed.id)])
            .filtered(lambda aml: not aml.reconciled)
        )
        self.assertAlmostEqual(self.balance(self.journal.default_account_id), 0.0)

        # replays: the webhooks again, a re-import; nothing is reversed twice
        self.post_webhook(self.dispute_event(early_dispute, "charge.dispute.closed"))
        self.post_webhook(self.dispute_event(late_dispute, "charge.dispute.closed"))
        self.assertFalse(self.stripe._portal_payments_import_payouts())
        for tx in (early_tx, late_tx):
            self.assertEqual(len(self.reversals(tx)), 1, tx.reference)
        self.assertEqual(
            len(
                self.env["account.move"].search(
                    [("ref", "ilike", f"Lost Stripe dispute {early_dispute}")]
                )
            ),
            1,
        )
        self.assertAlmostEqual(self.balance(self.disputed), 0.0)
