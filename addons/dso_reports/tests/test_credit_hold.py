"""Credit hold: web-shop orders wait, quotations warn, payment releases, Zoho knows."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.ecom_order_intake.tests.intake_common import IntakeCase, native_order
from odoo.addons.zoho_connector.tests.common import ZohoCase

from .common import ReceivablesMixin


@tagged("post_install", "-at_install")
class TestCreditHoldIntake(ReceivablesMixin, IntakeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.company = cls.env.company
        cls.company.credit_hold_overdue_days = 30
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Held Printing Co",
                "is_company": True,
                "ref": "C-9001",
                "monthly_billing_eligible": True,
                "credit_limit": 1000.0,
            }
        )
        cls.paper.taxes_id = False
        cls.today = fields.Date.context_today(cls.env.user)

    def invoice(self, amount, days_overdue):
        due = self.today - timedelta(days=days_overdue)
        return self.make_invoice(
            amount, due - timedelta(days=30), due, partner=self.customer
        )

    def order(self, order_id, quantity=10, payment=None):
        price = self.paper.lst_price
        return self.receive(
            native_order(
                order_id,
                [(self.paper.default_code, quantity, price)],
                customer={"AccountRef": "C-9001"},
                payment=payment,
            )
        )

    def test_order_over_the_limit_waits_with_the_reason(self):
        self.invoice(900.0, days_overdue=-10)  # not due yet, 900 of 1,000 used
        self.assertFalse(self.customer.credit_hold)
        quantity = int(200 / self.paper.lst_price) + 1
        intake = self.order("HOLD-1", quantity=quantity)
        self.assertEqual(intake.state, "needs_review")
        problem = intake.problem_ids.filtered(lambda p: p.code == "credit_hold")
        self.assertEqual(len(problem), 1)
        self.assertIn("Held Printing Co is on credit hold", problem.message)
        self.assertIn("over the credit limit", problem.message)
        self.assertFalse(intake.sale_order_id)

    def test_order_without_prices_counts_at_our_prices(self):
        """An order may leave its prices to us: it counts against the credit
        limit at them, not as nothing."""
        self.invoice(900.0, days_overdue=-10)
        quantity = int(200 / self.paper.lst_price) + 1
        intake = self.receive(
            native_order(
                "HOLD-0",
                [(self.paper.default_code, quantity, None)],
                customer={"AccountRef": "C-9001"},
            )
        )
        self.assertEqual(intake.state, "needs_review")
        self.assertEqual(intake.problem_ids.code, "credit_hold")

    def test_overdue_hold_lifts_when_the_customer_pays(self):
        invoice = self.invoice(300.0, days_overdue=45)
        self.customer._credit_hold_refresh()
        self.env.cr.precommit.run()  # write the tracking of the hold
        self.assertTrue(self.customer.credit_hold)
        self.assertIn("45 days overdue", self.customer.credit_hold_reason)
        held = self.order("HOLD-2")
        self.assertEqual(held.state, "needs_review")
        self.assertIn(
            "45 days overdue",
            held.problem_ids.filtered(lambda p: p.code == "credit_hold").message,
        )
        # a quotation for the customer warns
        quotation = self.env["sale.order"].new({"partner_id": self.customer.id})
        self.assertIn("on credit hold", quotation.credit_hold_warning)
        # card-paid orders pass (the company's setting)
        self.assertTrue(self.company.credit_hold_card_passes)

        self.pay(invoice, 300.0, self.today)
        self.env.cr.precommit.run()
        self.assertFalse(self.customer.credit_hold)
        self.assertFalse(self.customer.credit_hold_reason)
        self.customer.invalidate_recordset(["message_ids"])
        history = self.customer.message_ids.filtered(
            lambda message: "credit hold" in (message.body or "").lower()
        )
        self.assertEqual(len(history), 2, "the hold and the release are logged")
        self.assertIn("45 days overdue", history[-1].body)
        self.assertIn("lifted", history[0].body)
        self.assertEqual(history.author_id, self.env.user.partner_id)
        next_order = self.order("HOLD-3")
        self.assertEqual(next_order.state, "done")
        self.assertTrue(next_order.sale_order_id)

    def test_invoices_of_the_customer_and_its_contacts_add_up(self):
        # invoiced on its own, then filed under the customer: its receivable
        # line keeps the contact as partner
        contact = self.env["res.partner"].create({"name": "Accounts payable"})
        self.invoice(400.0, days_overdue=-5)
        due = self.today - timedelta(days=12)
        invoice = self.make_invoice(
            250.0, due - timedelta(days=30), due, partner=contact
        )
        contact.parent_id = self.customer
        self.assertEqual(invoice.line_ids.filtered("date_maturity").partner_id, contact)
        facts = self.customer._dso_open_facts()
        self.assertEqual(facts, {self.customer.id: (650.0, 250.0, 12)})
        self.assertEqual(contact._dso_open_facts(), facts)
        # this order of about 400 goes over the limit of 1,000 with them
        intake = self.order("HOLD-6", quantity=int(400 / self.paper.lst_price))
        self.assertIn(
            "the open balance of",
            intake.problem_ids.filtered(lambda p: p.code == "credit_hold").message,
        )

    def test_unpaid_cash_sale_counts_for_credit_control(self):
        # not a credit sale for DSO, but owed all the same
        buyer = self.make_customer("Card buyer", monthly_billing_eligible=False)
        due = self.today - timedelta(days=45)
        self.make_invoice(120.0, due, due, partner=buyer)
        buyer._credit_hold_refresh()
        self.assertTrue(buyer.credit_hold)
        self.assertEqual(buyer.dso_open_amount, 120.0)
        self.assertEqual(buyer.dso_overdue_amount, 120.0)
        self.assertEqual(buyer.dso_oldest_overdue_days, 45)

    def test_card_paid_order_passes_a_hold_when_configured(self):
        self.customer.sudo().write(
            {"credit_hold_manual": True, "credit_hold_manual_reason": "Disputed bills"}
        )
        self.assertTrue(self.customer.credit_hold)
        self.assertIn("Disputed bills", self.customer.credit_hold_reason)
        total = self.order_total([(self.paper, 2, self.paper.lst_price)], self.customer)
        paid = self.order("HOLD-4", 2, payment=("card", "pi_hold4", f"{total:.2f}"))
        self.assertEqual(paid.state, "done")
        self.company.credit_hold_card_passes = False
        blocked = self.order("HOLD-5", 2, payment=("card", "pi_hold5", f"{total:.2f}"))
        self.assertEqual(blocked.state, "needs_review")
        self.assertIn(
            "Disputed bills",
            blocked.problem_ids.filtered(lambda p: p.code == "credit_hold").message,
        )


@tagged("post_install", "-at_install")
class TestCreditHoldZoho(ZohoCase):
    def test_hold_flag_reaches_zoho(self):
        (account_id,) = self.zoho.add_accounts(1)
        self.backend._zoho_pull(full=True)
        customer = self.bound_partner(account_id)
        with self.trap_jobs() as trap:
            customer.write(
                {"credit_hold_manual": True, "credit_hold_manual_reason": "Bounced"}
            )
            trap.perform_enqueued_jobs()
        account = self.zoho.records["Accounts"][account_id]
        self.assertIs(account["Credit_Hold__c"], True)
        self.assertIn("Bounced", account["Credit_Hold_Reason__c"])
        with self.trap_jobs() as trap:
            customer.write({"credit_hold_manual": False})
            trap.perform_enqueued_jobs()
        self.assertIs(
            self.zoho.records["Accounts"][account_id]["Credit_Hold__c"], False
        )

    def test_backends_map_the_hold_as_odoo_owned_fields(self):
        mappings = self.backend.field_mapping_ids.filtered(
            lambda mapping: mapping.zoho_field.startswith("Credit_Hold")
        )
        self.assertEqual(
            sorted(mappings.mapped(lambda m: (m.zoho_field, m.odoo_field_id.name))),
            [
                ("Credit_Hold_Reason__c", "credit_hold_reason"),
                ("Credit_Hold__c", "credit_hold"),
            ],
        )
        self.assertEqual(set(mappings.mapped("owner")), {"odoo"})
