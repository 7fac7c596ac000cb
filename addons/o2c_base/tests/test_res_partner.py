from psycopg2 import IntegrityError

from odoo.tests import TransactionCase
from odoo.tools import mute_logger
from odoo.tools.sql import index_exists

from ..models.res_partner import email_lookup_key


class TestPartnerBillingFacts(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.partner"].create(
            {"name": "Facts Inc.", "is_company": True, "zoho_account_id": "Z-1"}
        )

    def test_zoho_account_id_is_unique(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                self.env["res.partner"].create(
                    {"name": "Other", "zoho_account_id": "Z-1"}
                )
        # no id at all is fine for any number of partners
        self.env["res.partner"].create([{"name": "A"}, {"name": "B"}])

    def test_monthly_account_is_a_company_fact(self):
        contact = self.env["res.partner"].create(
            {"name": "Buyer", "parent_id": self.company.id}
        )
        self.assertFalse(contact.monthly_billing_eligible)
        self.company.monthly_billing_eligible = True
        self.assertTrue(contact.monthly_billing_eligible)
        # the Zoho id stays on the company: a contact has its own record in Zoho
        self.assertFalse(contact.zoho_account_id)

    def test_demo_has_both_kinds_of_customers(self):
        monthly = self.env.ref("o2c_base.customer_acme")
        by_card = self.env.ref("o2c_base.customer_bluebird")
        self.assertTrue(monthly.monthly_billing_eligible)
        self.assertTrue(monthly.property_payment_term_id)
        self.assertFalse(by_card.monthly_billing_eligible)
        products = self.env["product.product"].search(
            [("categ_id", "=", self.env.ref("o2c_base.product_category_o2c").id)]
        )
        self.assertGreaterEqual(len(products), 20)
        self.assertTrue(all(products.mapped("default_code")))
        self.assertTrue(all(products.mapped("barcode")))

    def test_customers_are_found_by_e_mail_through_an_index(self):
        self.company.email = "Facts Billing <Billing@Facts.example>"
        for sent in (
            "billing@facts.example",
            "BILLING@Facts.Example",
            "B <billing@facts.example>",
            # several addresses: the first, as mail keeps it
            "billing@facts.example, other@facts.example",
        ):
            self.assertEqual(
                self.env["res.partner"].search(
                    [("email_normalized", "=", email_lookup_key(sent))]
                ),
                self.company,
                sent,
            )
        # a customer with several addresses is found by its first one
        self.company.email = "Billing@Facts.example; other@facts.example"
        self.assertEqual(
            self.env["res.partner"].search(
                [("email_normalized", "=", email_lookup_key("billing@facts.example"))]
            ),
            self.company,
        )
        # no address mail can read matches nobody
        self.assertFalse(
            self.env["res.partner"].search(
                [("email_normalized", "=", email_lookup_key("not an address"))]
            )
        )
        self.assertTrue(
            index_exists(self.env.cr, "res_partner__email_normalized_index")
        )
