import base64

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools.sql import index_exists

from odoo.addons.queue_job.tests.common import trap_jobs

from ..parsers.header import read_header
from .intake_common import IntakeCase, native_order


@tagged("post_install", "-at_install")
class TestIntakeProcessing(IntakeCase):
    def test_monthly_account_order_becomes_confirmed_sale_order(self):
        intake = self.receive(
            native_order(
                "WEB-100", [("O2C-PAPER-A4", 10, 6.50), ("O2C-TONER-BK", 1, 79.00)]
            )
        )
        self.assertEqual(intake.state, "done", intake.problem_summary)
        order = intake.sale_order_id
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.partner_id, self.acme)
        self.assertEqual(order.ecom_intake_id, intake)
        self.assertEqual(order.client_order_ref, "WEB-100")
        self.assertIn("WEB-100", order.origin)
        self.assertEqual(order.order_line.product_id, self.paper | self.toner)
        self.assertEqual(order.order_line.mapped("product_uom_qty"), [10.0, 1.0])
        self.assertEqual(order.payment_term_id, self.acme.property_payment_term_id)
        self.assertFalse(order.ecom_payment_id)

    def test_card_paid_order_ends_with_a_paid_invoice(self):
        total = self.order_total([(self.paper, 2, 6.50)], self.bluebird)
        intake = self.receive(
            native_order(
                "WEB-101",
                [("O2C-PAPER-A4", 2, 6.50)],
                customer={"AccountRef": "C-1002"},
                payment=("card", "pi_3QxTest101", f"{total:.2f}"),
            )
        )
        self.assertEqual(intake.state, "done", intake.problem_summary)
        order = intake.sale_order_id
        payment = order.ecom_payment_id
        self.assertEqual(payment.state, "in_process")
        self.assertEqual(payment.amount, total)
        self.assertEqual(payment.payment_reference, "pi_3QxTest101")
        self.assertEqual(payment.partner_id, self.bluebird)
        order.order_line.qty_delivered = 2
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(invoice.amount_residual, 0.0)

    def test_card_amount_mismatch_leaves_no_half_made_order(self):
        orders_before = self.env["sale.order"].search_count([])
        payments_before = self.env["account.payment"].search_count([])
        intake = self.receive(
            native_order(
                "WEB-102",
                [("O2C-PAPER-A4", 2, 6.50)],
                customer={"AccountRef": "C-1002"},
                payment=("card", "pi_wrong", "1.00"),
            )
        )
        self.assertEqual(intake.state, "needs_review")
        self.assertEqual(intake.problem_ids.code, "payment")
        self.assertIn("pi_wrong", intake.problem_summary)
        self.assertFalse(intake.sale_order_id)
        self.assertEqual(self.env["sale.order"].search_count([]), orders_before)
        self.assertEqual(self.env["account.payment"].search_count([]), payments_before)

    def test_card_payment_without_amount_is_the_total_the_shop_sent(self):
        """A document that gives the card payment no amount (UBL and cXML never
        do) was paid its total: a total other than ours goes to review instead
        of recording a payment of our total."""
        total = self.order_total([(self.paper, 2, 6.50)], self.bluebird)
        for order_id, sent_total, state in (
            ("WEB-164", total - 10, "needs_review"),
            ("WEB-165", total, "done"),
        ):
            body = native_order(
                order_id,
                [("O2C-PAPER-A4", 2, 6.50)],
                customer={"AccountRef": "C-1002"},
                payment=("card", f"pi_{order_id}", None),
            ).replace(b"</Order>", b"<Total>%.2f</Total></Order>" % sent_total)
            intake = self.receive(body)
            self.assertEqual(intake.state, state, intake.problem_summary)
        self.assertEqual(intake.sale_order_id.ecom_payment_id.amount, total)
        reviewed = self.Intake.search([("external_order_id", "=", "WEB-164")])
        self.assertEqual(reviewed.problem_ids.code, "payment")
        self.assertFalse(reviewed.sale_order_id)

    def test_a_delivery_address_is_no_customer(self):
        """An order of Acme shipped to Jane Private leaves her address as Acme's
        delivery contact; an order of Jane herself is not Acme's."""
        lines = [("O2C-PAPER-A4", 1, 6.50)]
        shipped = self.receive(
            native_order(
                "WEB-166",
                lines,
                ship_to={
                    "Name": "Jane Private",
                    "Street": "1 Elm Street",
                    "City": "Springfield",
                    "Zip": "12345",
                    "Country": "US",
                },
            )
        )
        self.assertEqual(shipped.state, "done", shipped.problem_summary)
        delivery = shipped.sale_order_id.partner_shipping_id
        self.assertEqual(
            (delivery.name, delivery.parent_id), ("Jane Private", self.acme)
        )
        own = self.receive(
            native_order("WEB-167", lines, customer={"Name": "Jane Private"})
        )
        self.assertEqual(own.state, "needs_review")
        self.assertEqual(own.problem_ids.code, "customer")

    def test_customer_matching_order(self):
        # an address kept with a display name, in another case, matches too
        self.bluebird.email = "Bluebird Cafe <Owner@Bluebird-Cafe.example>"
        cases = [
            (
                {"ZohoAccountId": self.acme.zoho_account_id, "Name": "Wrong Name"},
                self.acme,
            ),
            ({"AccountRef": "C-1002"}, self.bluebird),
            ({"VAT": self.acme.vat}, self.acme),
            ({"Email": "OWNER@bluebird-cafe.example"}, self.bluebird),
            ({"Name": "Acme Office Services"}, self.acme),
            # a contact's e-mail gives its company
            ({"Email": "dana.reyes@acme-office.example"}, self.acme),
        ]
        for index, (customer, expected) in enumerate(cases):
            with self.subTest(customer=customer):
                intake = self.receive(
                    native_order(
                        f"WEB-M{index}",
                        [("O2C-PAPER-A4", 1, 6.50)],
                        customer=customer,
                        payment=("card", f"pi_{index}", None),
                    )
                )
                self.assertEqual(intake.partner_id, expected, intake.problem_summary)
        # every identifier is looked up through an index (no scan of the
        # customers per order): the e-mail through the normalized address
        self.assertTrue(
            index_exists(self.env.cr, "res_partner__email_normalized_index")
        )

    def test_never_guesses_a_customer(self):
        intake = self.receive(
            native_order(
                "WEB-103", [("O2C-PAPER-A4", 1, 6.50)], customer={"Name": "Acme Office"}
            )
        )
        self.assertEqual(intake.state, "needs_review")
        self.assertEqual(intake.problem_ids.code, "customer")
        self.assertIn("Acme Office", intake.problem_summary)
        self.assertFalse(intake.partner_id)

    def test_identifiers_naming_two_customers_go_to_review(self):
        # the account ref is Bluebird Cafe, the e-mail and name are Acme's
        intake = self.receive(
            native_order(
                "WEB-105",
                [("O2C-PAPER-A4", 1, 6.50)],
                customer={
                    "AccountRef": "C-1002",
                    "Name": "Acme Office Services",
                    "Email": "ap@acme-office.example",
                },
                payment=("card", "pi_105", None),
            )
        )
        self.assertEqual(intake.state, "needs_review")
        self.assertEqual(intake.problem_ids.code, "customer_conflict")
        self.assertIn("Bluebird Cafe", intake.problem_summary)
        self.assertIn("Acme Office Services", intake.problem_summary)
        self.assertFalse(intake.partner_id)

    def test_identifiers_that_agree_match(self):
        # a buyer's e-mail belongs to the company the account ref names
        intake = self.receive(
            native_order(
                "WEB-106",
                [("O2C-PAPER-A4", 1, 6.50)],
                customer={
                    "AccountRef": "C-1001",
                    "Email": "dana.reyes@acme-office.example",
                },
                payment=("card", "pi_106", None),
            )
        )
        self.assertEqual(intake.state, "done", intake.problem_summary)
        self.assertEqual(intake.partner_id, self.env.ref("o2c_base.customer_acme"))

    def test_unknown_customer_is_reviewed_then_remembered(self):
        cs_user = self.env.ref("o2c_base.user_customer_service")
        body = native_order(
            "WEB-104", [("O2C-PAPER-A4", 1, 6.50)], customer={"AccountRef": "SHOP-77"}
        )
        intake = self.receive(body)
        self.assertEqual(intake.state, "needs_review")
        self.assertIn("SHOP-77", intake.problem_summary)
        # customer service got the e-mail (template) and an activity
        review_mail = intake.message_ids.filtered(
            lambda msg: "needs review" in (msg.subject or "")
        )
        self.assertTrue(review_mail)
        self.assertIn(cs_user.partner_id, review_mail.partner_ids)
        self.assertIn("SHOP-77", review_mail.body)
        self.assertEqual(
            intake.activity_ids.activity_type_id,
            self.env.ref("ecom_order_intake.mail_activity_intake_review"),
        )
        intake.partner_id = self.acme
        intake.action_reprocess()
        self.assertEqual(intake.state, "done", intake.problem_summary)
        self.assertEqual(intake.sale_order_id.partner_id, self.acme)
        self.assertFalse(intake.activity_ids)
        # the next order naming SHOP-77 needs nobody
        second = self.receive(
            native_order(
                "WEB-105",
                [("O2C-PAPER-A4", 1, 6.50)],
                customer={"AccountRef": "SHOP-77"},
            )
        )
        self.assertEqual(second.state, "done", second.problem_summary)
        self.assertEqual(second.partner_id, self.acme)

    def test_unknown_sku_is_reviewed_then_remembered(self):
        intake = self.receive(
            native_order(
                "WEB-106", [("O2C-PAPER-A4", 1, 6.50), ("PAPER-A4-SHOP", 3, 6.50)]
            )
        )
        self.assertEqual(intake.state, "needs_review")
        self.assertEqual(intake.problem_ids.code, "product")
        self.assertEqual(intake.problem_ids.line_ref, "2")
        unknown = intake.line_ids.filtered(lambda line: line.sku == "PAPER-A4-SHOP")
        self.assertTrue(unknown.problem)
        self.assertFalse(unknown.product_id)
        unknown.product_id = self.paper
        intake.action_reprocess()
        self.assertEqual(intake.state, "done", intake.problem_summary)
        self.assertEqual(
            intake.sale_order_id.order_line.mapped("product_uom_qty"), [1.0, 3.0]
        )
        second = self.receive(native_order("WEB-107", [("PAPER-A4-SHOP", 5, 6.50)]))
        self.assertEqual(second.state, "done", second.problem_summary)
        self.assertEqual(second.sale_order_id.order_line.product_id, self.paper)
        # the shop's count of mappings (no lookup without any) follows them
        self.assertEqual(self.shop.mapping_count, 1)
        self.shop.mapping_ids.unlink()
        self.assertEqual(self.shop.mapping_count, 0)
        third = self.receive(native_order("WEB-107b", [("PAPER-A4-SHOP", 5, 6.50)]))
        self.assertEqual(third.state, "needs_review")
        self.assertEqual(third.problem_ids.code, "product")

    def test_a_reviewer_chooses_only_the_customer_and_products_in_review(self):
        """Customer service may pick the customer and the products of an intake
        in review, nothing else: processing runs as the superuser, so an edited
        document would make orders and card payments they may not make."""
        reviewer = self.env.ref("o2c_base.user_customer_service")
        self.assertFalse(reviewer.has_group("ecom_order_intake.group_intake_manager"))
        intake = self.receive(native_order("WEB-162", [("PAPER-A4-SHOP", 1, 6.50)]))
        self.assertEqual(intake.state, "needs_review")
        as_reviewer = intake.with_user(reviewer)
        forged = native_order(
            "WEB-162",
            [("O2C-PAPER-A4", 1000, 6.50)],
            payment=("card", "pi_forged", "6500.00"),
        )
        with self.assertRaises(AccessError):
            as_reviewer.write({"raw_payload": base64.b64encode(forged)})
        with self.assertRaises(AccessError):
            as_reviewer.line_ids.write({"quantity": 1000})
        as_reviewer.line_ids.product_id = self.paper
        as_reviewer.action_reprocess()
        self.assertEqual(intake.state, "done", intake.problem_summary)
        self.assertEqual(intake.sale_order_id.order_line.product_uom_qty, 1.0)
        self.assertFalse(intake.sale_order_id.ecom_payment_id)
        with self.assertRaises(AccessError):
            as_reviewer.write({"state": "needs_review"})
        with self.assertRaises(AccessError):
            as_reviewer.partner_id = self.bluebird  # not in review any more
        # the buttons still work for them
        other = self.receive(native_order("WEB-163", [("NOT-OURS", 1, 6.50)]))
        other.with_user(reviewer).action_cancel()
        self.assertEqual(other.state, "cancelled")

    def test_product_by_gtin_when_sku_unknown(self):
        body = native_order("WEB-108", [("UNKNOWN", 1, 79.00)]).replace(
            b"<SKU>UNKNOWN</SKU>", b"<GTIN>%s</GTIN>" % self.toner.barcode.encode()
        )
        intake = self.receive(body)
        self.assertEqual(intake.state, "done", intake.problem_summary)
        self.assertEqual(intake.sale_order_id.order_line.product_id, self.toner)

    def test_customer_without_monthly_account_must_pay_by_card(self):
        intake = self.receive(
            native_order(
                "WEB-109",
                [("O2C-PAPER-A4", 1, 6.50)],
                customer={"AccountRef": "C-1002"},
            )
        )
        self.assertEqual(intake.state, "needs_review")
        self.assertEqual(intake.problem_ids.code, "eligibility")
        self.assertIn("Bluebird Cafe", intake.problem_summary)
        self.assertFalse(intake.sale_order_id)

    def test_currency_mismatch_is_reviewed(self):
        intake = self.receive(
            native_order("WEB-110", [("O2C-PAPER-A4", 1, 6.50)], currency="EUR")
        )
        self.assertEqual(intake.state, "needs_review")
        self.assertEqual(intake.problem_ids.code, "currency")
        self.assertIn("EUR", intake.problem_summary)
        self.assertIn("USD", intake.problem_summary)

    def test_price_outside_tolerance_is_reviewed(self):
        intake = self.receive(
            native_order(
                "WEB-111", [("O2C-PAPER-A4", 1, 6.55), ("O2C-TONER-BK", 1, 60.00)]
            )
        )
        # 6.55 is within 1 % of 6.50; 60 is far below 79
        self.assertEqual(intake.state, "needs_review")
        self.assertEqual(intake.problem_ids.code, "price")
        self.assertEqual(intake.problem_ids.line_ref, "2")
        self.shop.price_tolerance_percent = 30
        intake.action_reprocess()
        self.assertEqual(intake.state, "done", intake.problem_summary)
        self.assertEqual(
            intake.sale_order_id.order_line.mapped("price_unit"), [6.55, 60.0]
        )

    def test_each_line_checked_against_its_pricelist_rule(self):
        """The rules of the customer's pricelist, read once for the order, each
        line priced by the rule of its own product and quantity."""
        contract = self.env["product.pricelist"].create(
            {
                "name": "Acme contract",
                "currency_id": self.env.company.currency_id.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "1_product",
                            "product_tmpl_id": self.paper.product_tmpl_id.id,
                            "compute_price": "fixed",
                            "fixed_price": 5.0,
                            "min_quantity": 10,
                        }
                    ),
                    Command.create(
                        {
                            "applied_on": "1_product",
                            "product_tmpl_id": self.toner.product_tmpl_id.id,
                            "compute_price": "percentage",
                            "percent_price": 10,
                        }
                    ),
                ],
            }
        )
        self.acme.property_product_pricelist = contract
        # paper: 5.00 from 10 reams on, the list price 6.50 below; toner: 10 %
        # off 79.00
        intake = self.receive(
            native_order(
                "WEB-116",
                [
                    ("O2C-PAPER-A4", 10, 5.0),
                    ("O2C-PAPER-A4", 2, 6.5),
                    ("O2C-TONER-BK", 1, 71.1),
                ],
            )
        )
        self.assertEqual(intake.state, "done", intake.problem_summary)
        self.assertEqual(intake.sale_order_id.pricelist_id, contract)
        self.assertEqual(
            intake.sale_order_id.order_line.mapped("price_unit"), [5.0, 6.5, 71.1]
        )
        # the contract price of 2 reams is the list price; of a toner, not 79.00
        intake = self.receive(
            native_order(
                "WEB-117", [("O2C-PAPER-A4", 2, 5.0), ("O2C-TONER-BK", 1, 79.0)]
            )
        )
        self.assertEqual(intake.state, "needs_review")
        self.assertEqual(intake.problem_ids.mapped("line_ref"), ["1", "2"])
        self.assertEqual(set(intake.problem_ids.mapped("code")), {"price"})
        self.assertIn("71.1", intake.problem_ids[1].message)

    def test_discounted_price_is_not_discounted_twice(self):
        """With Odoo's "Discounts" setting on, a sale line of a percentage rule
        shows the list price and the rule's discount. The shop sends the price
        it charged, the discount already taken: the order must total what the
        shop charged, not that price less the discount once more."""
        self.env.ref("base.group_user").implied_ids |= self.env.ref(
            "sale.group_discount_per_so_line"
        )
        self.assertTrue(
            self.env["product.pricelist.item"]._is_discount_feature_enabled()
        )
        self.acme.property_product_pricelist = self.env["product.pricelist"].create(
            {
                "name": "Acme 10 % off",
                "currency_id": self.env.company.currency_id.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "3_global",
                            "compute_price": "percentage",
                            "percent_price": 10,
                        }
                    )
                ],
            }
        )
        # 10 % off 6.50 and 79.00, as the shop charged them
        intake = self.receive(
            native_order(
                "WEB-161", [("O2C-PAPER-A4", 10, 5.85), ("O2C-TONER-BK", 1, 71.10)]
            )
        )
        self.assertEqual(intake.state, "done", intake.problem_summary)
        lines = intake.sale_order_id.order_line
        self.assertEqual(lines.mapped("price_unit"), [5.85, 71.10])
        self.assertEqual(lines.mapped("discount"), [0.0, 0.0])
        self.assertAlmostEqual(intake.sale_order_id.amount_untaxed, 58.50 + 71.10)

    def test_category_rules_apply_to_their_categories_and_below(self):
        """The order's rules are read with those of every category: each line
        gets the rule of its product's category or a parent of it, never the
        rule of another category."""
        Category = self.env["product.category"]
        office = Category.create({"name": "Office supplies"})
        self.paper.categ_id = Category.create({"name": "Paper", "parent_id": office.id})
        self.toner.categ_id = Category.create({"name": "Toner"})
        other = Category.create({"name": "Furniture"})
        contract = self.env["product.pricelist"].create(
            {
                "name": "Acme contract",
                "currency_id": self.env.company.currency_id.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "2_product_category",
                            "categ_id": office.id,
                            "compute_price": "percentage",
                            "percent_price": 20,
                        }
                    ),
                    Command.create(
                        {
                            "applied_on": "2_product_category",
                            "categ_id": other.id,
                            "compute_price": "percentage",
                            "percent_price": 50,
                        }
                    ),
                ],
            }
        )
        self.acme.property_product_pricelist = contract
        # paper: 20 % off 6.50 (its parent category's rule); toner: list price
        intake = self.receive(
            native_order(
                "WEB-118", [("O2C-PAPER-A4", 1, 5.2), ("O2C-TONER-BK", 1, 79.0)]
            )
        )
        self.assertEqual(intake.state, "done", intake.problem_summary)
        # the furniture rule (50 % off) is no price of paper or toner
        intake = self.receive(
            native_order(
                "WEB-119", [("O2C-PAPER-A4", 1, 3.25), ("O2C-TONER-BK", 1, 39.5)]
            )
        )
        self.assertEqual(intake.state, "needs_review")
        self.assertEqual(intake.problem_ids.mapped("line_ref"), ["1", "2"])
        self.assertEqual(set(intake.problem_ids.mapped("code")), {"price"})

    def test_prices_are_those_of_the_shops_company(self):
        """A shop of a second company prices its orders with that company's
        costs, whatever company the job runs in (the safety-net cron's drain
        runs in its user's company, here the first one)."""
        second = self.env["res.company"].create(
            {"name": "O2C Second Co", "currency_id": self.env.company.currency_id.id}
        )
        shop = self.shop.copy({"code": "second-shop", "company_id": second.id})
        for product, first_cost, second_cost in (
            (self.paper, 1.0, 4.0),
            (self.toner, 10.0, 50.0),
        ):
            product.with_company(self.env.company).standard_price = first_cost
            product.with_company(second).standard_price = second_cost
        cost_plus = self.env["product.pricelist"].create(
            {
                "name": "Cost plus 25 %",
                "company_id": second.id,
                "currency_id": second.currency_id.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "3_global",
                            "compute_price": "formula",
                            "base": "standard_price",
                            "price_discount": -25,  # a markup
                        }
                    )
                ],
            }
        )
        self.acme.with_company(second).property_product_pricelist = cost_plus
        body = native_order(
            "WEB-160", [("O2C-PAPER-A4", 10, 5.0), ("O2C-TONER-BK", 1, 62.5)]
        )
        with trap_jobs():  # received; its drain job is left to the cron's
            status, _created = self.Intake._receive(
                shop, "msg_second_company", {}, body, read_header(body)
            )
        self.assertEqual(self.env.company, self.env.ref("base.main_company"))
        shop.with_env(self.env)._drain_intakes_job()
        intake = self.Intake.search(
            [("shop_id", "=", shop.id), ("name", "=", status["intake"])]
        )
        # 4.00 + 25 % and 50.00 + 25 %: the second company's costs (the first
        # company's would make them 1.25 and 12.50)
        self.assertEqual(intake.state, "done", intake.problem_summary)
        self.assertEqual(intake.sale_order_id.company_id, second)
        self.assertEqual(intake.sale_order_id.pricelist_id, cost_plus)
        self.assertEqual(
            intake.sale_order_id.order_line.mapped("price_unit"), [5.0, 62.5]
        )

    def test_unit_of_measure(self):
        intake = self.receive(
            native_order("WEB-112", [("O2C-PAPER-A4", 2, 78.0, "DZN")])
        )
        self.assertEqual(intake.state, "done", intake.problem_summary)
        line = intake.sale_order_id.order_line
        self.assertEqual(line.product_uom, self.env.ref("uom.product_uom_dozen"))
        wrong = self.receive(native_order("WEB-113", [("O2C-PAPER-A4", 2, 6.5, "KGM")]))
        self.assertEqual(wrong.problem_ids.code, "uom")

    def test_delivery_address_creates_then_reuses_a_delivery_contact(self):
        ship_to = {
            "Name": "Acme warehouse",
            "Street": "1 Dock Road",
            "City": "Tacoma",
            "Zip": "98402",
            "Country": "US",
        }
        first = self.receive(
            native_order("WEB-114", [("O2C-PAPER-A4", 1, 6.5)], ship_to=ship_to)
        )
        second = self.receive(
            native_order("WEB-115", [("O2C-PAPER-A4", 1, 6.5)], ship_to=ship_to)
        )
        delivery = first.sale_order_id.partner_shipping_id
        self.assertEqual(delivery.parent_id, self.acme)
        self.assertEqual(delivery.type, "delivery")
        self.assertEqual(delivery.street, "1 Dock Road")
        self.assertEqual(second.sale_order_id.partner_shipping_id, delivery)

    def test_same_document_twice_makes_one_intake(self):
        body = native_order("WEB-116", [("O2C-PAPER-A4", 1, 6.5)])
        first = self.receive(body, webhook_id="msg_same")
        again = self.receive(body, webhook_id="msg_same")
        resent = self.receive(body, webhook_id="msg_other_delivery")
        self.assertEqual(first, again)
        self.assertEqual(first, resent)
        self.assertEqual(
            self.env["sale.order"].search_count([("ecom_intake_id", "=", first.id)]), 1
        )

    def test_job_runs_twice_without_second_order(self):
        intake = self.receive(native_order("WEB-117", [("O2C-PAPER-A4", 1, 6.5)]))
        order = intake.sale_order_id
        intake._process_job()
        intake._process()
        self.assertEqual(intake.sale_order_id, order)
        self.assertEqual(
            self.env["sale.order"].search_count([("client_order_ref", "=", "WEB-117")]),
            1,
        )

    def test_native_update_replaces_and_delete_cancels(self):
        original = self.receive(native_order("WEB-118", [("O2C-PAPER-A4", 1, 6.5)]))
        update = self.receive(
            native_order("WEB-118", [("O2C-PAPER-A4", 4, 6.5)], action="update")
        )
        self.assertEqual(update.state, "done", update.problem_summary)
        self.assertEqual(update.original_intake_id, original)
        self.assertEqual(original.sale_order_id.state, "cancel")
        self.assertEqual(update.sale_order_id.order_line.product_uom_qty, 4.0)
        delete = self.receive(
            native_order("WEB-118", [("O2C-PAPER-A4", 4, 6.5)], action="delete")
        )
        self.assertEqual(delete.state, "done", delete.problem_summary)
        self.assertEqual(update.sale_order_id.state, "cancel")

    def test_change_of_a_card_paid_order_keeps_its_one_payment(self):
        """A change carrying the same card charge moves its payment to the new
        order (one charge, one payment); a change that drops it, or says the
        charge is another amount, goes to review."""
        total = self.order_total([(self.paper, 2, 6.50)], self.bluebird)

        def card_order(reams, amount, action=None):
            return self.receive(
                native_order(
                    "WEB-168",
                    [("O2C-PAPER-A4", reams, 6.50)],
                    customer={"AccountRef": "C-1002"},
                    payment=("card", "pi_168", amount),
                    action=action,
                )
            )

        original = card_order(2, f"{total:.2f}")
        paid = original.sale_order_id.ecom_payment_id
        self.assertTrue(paid)
        # a change that keeps the lines and the charge
        update = card_order(2, f"{total:.2f}", action="update")
        self.assertEqual(update.state, "done", update.problem_summary)
        self.assertEqual(update.sale_order_id.ecom_payment_id, paid)
        self.assertFalse(original.sale_order_id.ecom_payment_id)
        payments = self.env["account.payment"].search(
            [("payment_reference", "=", "pi_168")]
        )
        self.assertEqual(payments, paid)
        # more reams on the same charge: not what was taken
        more = card_order(4, None, action="update")
        self.assertEqual(more.state, "needs_review")
        self.assertEqual(more.problem_ids.code, "payment")
        self.assertEqual(update.sale_order_id.state, "sale")
        self.assertEqual(
            self.env["account.payment"].search_count(
                [("payment_reference", "=", "pi_168")]
            ),
            1,
        )

    def test_change_in_review_of_an_order_in_review_is_processed_again(self):
        """A change supersedes its original still in review; when the change
        goes to review too, the reviewer's choice makes its order (the
        cancelled original is still the order it changes)."""
        original = self.receive(native_order("WEB-169", [("PAPER-A4-SHOP", 1, 6.5)]))
        self.assertEqual(original.state, "needs_review")
        change = self.receive(
            native_order("WEB-169", [("PAPER-A4-SHOP", 3, 6.5)], action="update")
        )
        self.assertEqual(change.state, "needs_review")
        self.assertEqual(original.state, "cancelled")
        change.line_ids.product_id = self.paper
        change.action_reprocess()
        self.assertEqual(change.state, "done", change.problem_summary)
        self.assertEqual(change.original_intake_id, original)
        self.assertEqual(change.sale_order_id.order_line.product_uom_qty, 3.0)
        self.assertEqual(
            self.env["sale.order"].search_count([("client_order_ref", "=", "WEB-169")]),
            1,
        )

    def test_change_of_a_change_in_review_replaces_the_order(self):
        """A change that arrives while an earlier change is in review takes
        its place: the order is replaced once (one confirmed order, with the
        last change's lines), and the earlier change is superseded."""
        original = self.receive(native_order("WEB-171", [("O2C-PAPER-A4", 1, 6.5)]))
        first_order = original.sale_order_id
        change = self.receive(
            native_order("WEB-171", [("PAPER-A4-SHOP", 2, 6.5)], action="update")
        )
        self.assertEqual(change.state, "needs_review")
        self.assertEqual(change.original_intake_id, original)
        self.assertEqual(first_order.state, "sale")
        again = self.receive(
            native_order(
                "WEB-171",
                [("O2C-PAPER-A4", 3, 6.5), ("O2C-TONER-BK", 1, 79.0)],
                action="update",
            )
        )
        self.assertEqual(again.state, "done", again.problem_summary)
        self.assertEqual(first_order.state, "cancel")
        confirmed = self.env["sale.order"].search(
            [("client_order_ref", "=", "WEB-171"), ("state", "=", "sale")]
        )
        self.assertEqual(confirmed, again.sale_order_id)
        self.assertEqual(confirmed.order_line.product_id, self.paper | self.toner)
        self.assertEqual(confirmed.order_line.mapped("product_uom_qty"), [3.0, 1.0])
        self.assertEqual(change.state, "cancelled")
        self.assertFalse(change.activity_ids)
        self.assertEqual(again.original_intake_id, original)

    def test_cancellation_while_a_change_is_in_review_cancels_the_order(self):
        original = self.receive(native_order("WEB-172", [("O2C-PAPER-A4", 1, 6.5)]))
        change = self.receive(
            native_order("WEB-172", [("PAPER-A4-SHOP", 2, 6.5)], action="update")
        )
        self.assertEqual(change.state, "needs_review")
        delete = self.receive(
            native_order("WEB-172", [("PAPER-A4-SHOP", 2, 6.5)], action="delete")
        )
        self.assertEqual(delete.state, "done", delete.problem_summary)
        self.assertEqual(original.sale_order_id.state, "cancel")
        self.assertEqual(change.state, "cancelled")
        self.assertEqual(delete.original_intake_id, original)
        self.assertEqual(delete.sale_order_id, original.sale_order_id)
        self.assertFalse(
            self.env["sale.order"].search_count(
                [("client_order_ref", "=", "WEB-172"), ("state", "!=", "cancel")]
            )
        )

    def test_change_of_a_change_in_review_reviewed_itself_is_processed_again(self):
        """A change that supersedes a change in review and goes to review too
        still changes the original's order once processed again."""
        original = self.receive(native_order("WEB-173", [("O2C-PAPER-A4", 1, 6.5)]))
        first_order = original.sale_order_id
        change = self.receive(
            native_order("WEB-173", [("PAPER-A4-SHOP", 2, 6.5)], action="update")
        )
        again = self.receive(
            native_order("WEB-173", [("PAPER-A4-SHOP", 5, 6.5)], action="update")
        )
        self.assertEqual(again.state, "needs_review")
        self.assertEqual(change.state, "cancelled")
        # the intake whose order it changes, not the change it superseded
        self.assertEqual(again.original_intake_id, original)
        self.assertFalse(again.sale_order_id)
        self.assertEqual(first_order.state, "sale")
        again.line_ids.product_id = self.paper
        again.action_reprocess()
        self.assertEqual(again.state, "done", again.problem_summary)
        self.assertEqual(again.original_intake_id, original)
        self.assertEqual(first_order.state, "cancel")
        confirmed = self.env["sale.order"].search(
            [("client_order_ref", "=", "WEB-173"), ("state", "=", "sale")]
        )
        self.assertEqual(confirmed, again.sale_order_id)
        self.assertEqual(confirmed.order_line.product_uom_qty, 5.0)

    def test_change_of_an_invoiced_order_with_a_change_in_review_is_reviewed(self):
        """The invoiced order is found behind the change in review: the next
        change goes to review (no second order); once the invoice is
        cancelled, processed again it replaces the order."""
        original = self.receive(native_order("WEB-174", [("O2C-PAPER-A4", 1, 6.5)]))
        first_order = original.sale_order_id
        first_order.order_line.qty_delivered = 1
        invoice = first_order._create_invoices()
        invoice.action_post()
        change = self.receive(
            native_order("WEB-174", [("O2C-PAPER-A4", 2, 6.5)], action="update")
        )
        self.assertEqual(change.state, "needs_review")
        self.assertEqual(change.problem_ids.code, "change")
        again = self.receive(
            native_order("WEB-174", [("O2C-PAPER-A4", 3, 6.5)], action="update")
        )
        self.assertEqual(again.state, "needs_review")
        self.assertEqual(again.problem_ids.code, "change")
        self.assertIn(first_order.name, again.problem_summary)
        self.assertEqual(change.state, "cancelled")
        self.assertEqual(again.original_intake_id, original)
        self.assertEqual(first_order.state, "sale")
        self.assertEqual(
            self.env["sale.order"].search_count([("client_order_ref", "=", "WEB-174")]),
            1,
        )
        # handled by hand: the invoice is cancelled, the change processed again
        invoice.button_draft()
        invoice.button_cancel()
        again.action_reprocess()
        self.assertEqual(again.state, "done", again.problem_summary)
        self.assertEqual(first_order.state, "cancel")
        confirmed = self.env["sale.order"].search(
            [("client_order_ref", "=", "WEB-174"), ("state", "=", "sale")]
        )
        self.assertEqual(confirmed, again.sale_order_id)
        self.assertEqual(confirmed.order_line.product_uom_qty, 3.0)

    def test_change_of_a_card_paid_order_with_a_change_in_review_moves_its_payment(
        self,
    ):
        """A change in review of a card-paid order is superseded by the next
        change, which moves the order's one payment to its new order (no
        second payment of the same charge)."""
        total = self.order_total([(self.paper, 2, 6.50)], self.bluebird)

        def card_order(reams, amount, action=None):
            return self.receive(
                native_order(
                    "WEB-175",
                    [("O2C-PAPER-A4", reams, 6.50)],
                    customer={"AccountRef": "C-1002"},
                    payment=("card", "pi_175", amount),
                    action=action,
                )
            )

        original = card_order(2, f"{total:.2f}")
        first_order = original.sale_order_id
        paid = first_order.ecom_payment_id
        self.assertTrue(paid)
        # more reams on the same charge: to review
        more = card_order(4, None, action="update")
        self.assertEqual(more.state, "needs_review")
        self.assertEqual(more.problem_ids.code, "payment")
        # the shop goes back to what was charged
        back = card_order(2, f"{total:.2f}", action="update")
        self.assertEqual(back.state, "done", back.problem_summary)
        self.assertEqual(more.state, "cancelled")
        self.assertEqual(first_order.state, "cancel")
        self.assertFalse(first_order.ecom_payment_id)
        self.assertEqual(back.sale_order_id.ecom_payment_id, paid)
        self.assertEqual(
            self.env["account.payment"].search([("payment_reference", "=", "pi_175")]),
            paid,
        )
        self.assertEqual(
            self.env["sale.order"].search(
                [("client_order_ref", "=", "WEB-175"), ("state", "=", "sale")]
            ),
            back.sale_order_id,
        )

    def test_an_earlier_change_processed_again_leaves_a_later_one_to_follow(self):
        """*Process again* on a change in review while a later change of the
        order is still received: the later one (the shop's last word) is not
        superseded; the earlier change replaces the order, then the later one
        replaces that."""
        original = self.receive(native_order("WEB-176", [("O2C-PAPER-A4", 1, 6.5)]))
        change = self.receive(
            native_order("WEB-176", [("PAPER-A4-SHOP", 2, 6.5)], action="update")
        )
        self.assertEqual(change.state, "needs_review")
        later = self.receive(
            native_order("WEB-176", [("O2C-PAPER-A4", 3, 6.5)], action="update"),
            process=False,
        )
        self.assertEqual(later.state, "received")
        change.line_ids.product_id = self.paper
        change.action_reprocess()
        self.assertEqual(change.state, "done", change.problem_summary)
        self.assertEqual(change.original_intake_id, original)
        self.assertEqual(original.sale_order_id.state, "cancel")
        self.assertEqual(later.state, "received")
        later._process_job()
        self.assertEqual(later.state, "done", later.problem_summary)
        self.assertEqual(later.original_intake_id, change)
        self.assertEqual(change.sale_order_id.state, "cancel")
        confirmed = self.env["sale.order"].search(
            [("client_order_ref", "=", "WEB-176"), ("state", "=", "sale")]
        )
        self.assertEqual(confirmed, later.sale_order_id)
        self.assertEqual(confirmed.order_line.product_uom_qty, 3.0)

    def test_a_change_after_the_shop_cancelled_the_order_is_reviewed(self):
        """The shop cancelled the order, then sends a change of it: not a new
        order made silently, nor the cancelled one cancelled again; review."""
        original = self.receive(native_order("WEB-177", [("O2C-PAPER-A4", 1, 6.5)]))
        order = original.sale_order_id
        delete = self.receive(
            native_order("WEB-177", [("O2C-PAPER-A4", 1, 6.5)], action="delete")
        )
        self.assertEqual(delete.state, "done", delete.problem_summary)
        self.assertEqual(order.state, "cancel")
        messages = order.message_ids
        change = self.receive(
            native_order("WEB-177", [("O2C-PAPER-A4", 2, 6.5)], action="update")
        )
        self.assertEqual(change.state, "needs_review")
        self.assertEqual(change.problem_ids.code, "change")
        self.assertIn(
            f"cancelled this order with {delete.name} on", change.problem_summary
        )
        self.assertIn("re-create the order by hand", change.problem_summary)
        self.assertFalse(change.sale_order_id)
        self.assertEqual(delete.state, "done")
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.message_ids, messages)
        self.assertEqual(
            self.env["sale.order"].search_count([("client_order_ref", "=", "WEB-177")]),
            1,
        )
        # processed again, it stays in review: the reviewer re-creates the
        # order or cancels the intake
        change.action_reprocess()
        self.assertEqual(change.state, "needs_review")
        self.assertEqual(
            self.env["sale.order"].search_count([("client_order_ref", "=", "WEB-177")]),
            1,
        )

    def test_a_change_of_an_order_cancelled_in_odoo_is_reviewed(self):
        """A person cancelled the sale order in Odoo; the shop then sends a
        change of it: not a new order made silently, review."""
        original = self.receive(native_order("WEB-179", [("O2C-PAPER-A4", 1, 6.5)]))
        order = original.sale_order_id
        order._action_cancel()
        messages = order.message_ids
        change = self.receive(
            native_order("WEB-179", [("O2C-PAPER-A4", 2, 6.5)], action="update")
        )
        self.assertEqual(change.state, "needs_review")
        self.assertEqual(change.problem_ids.code, "change")
        self.assertIn(f"{order.name} was cancelled in Odoo", change.problem_summary)
        self.assertFalse(change.sale_order_id)
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.message_ids, messages)
        self.assertEqual(
            self.env["sale.order"].search_count([("client_order_ref", "=", "WEB-179")]),
            1,
        )

    def test_a_change_after_the_shop_cancelled_an_order_in_review_is_reviewed(self):
        """An order in review the shop cancelled is not made by a later change."""
        original = self.receive(native_order("WEB-178", [("PAPER-A4-SHOP", 1, 6.5)]))
        self.assertEqual(original.state, "needs_review")
        delete = self.receive(
            native_order("WEB-178", [("PAPER-A4-SHOP", 1, 6.5)], action="delete")
        )
        self.assertEqual(delete.state, "done", delete.problem_summary)
        self.assertEqual(original.state, "cancelled")
        change = self.receive(
            native_order("WEB-178", [("O2C-PAPER-A4", 2, 6.5)], action="update")
        )
        self.assertEqual(change.state, "needs_review")
        self.assertIn(delete.name, change.problem_summary)
        self.assertFalse(
            self.env["sale.order"].search_count([("client_order_ref", "=", "WEB-178")])
        )

    def test_a_cancellation_of_a_cancelled_order_is_done_quietly(self):
        """The shop cancels an order twice: the second cancellation is done,
        with the order it cancelled, and leaves the order as it is."""
        original = self.receive(native_order("WEB-179", [("O2C-PAPER-A4", 1, 6.5)]))
        order = original.sale_order_id
        delete = self.receive(
            native_order("WEB-179", [("O2C-PAPER-A4", 1, 6.5)], action="delete")
        )
        self.assertEqual(order.state, "cancel")
        messages = order.message_ids
        # another document (a repeated delivery of the first one would be
        # answered with its intake)
        again = self.receive(
            native_order("WEB-179", [("O2C-PAPER-A4", 2, 6.5)], action="delete")
        )
        self.assertEqual(again.state, "done", again.problem_summary)
        self.assertEqual(again.sale_order_id, order)
        self.assertEqual(again.original_intake_id, delete)
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.message_ids, messages)

    def test_change_of_an_invoiced_order_is_reviewed(self):
        original = self.receive(native_order("WEB-119", [("O2C-PAPER-A4", 1, 6.5)]))
        original.sale_order_id.order_line.qty_delivered = 1
        original.sale_order_id._create_invoices().action_post()
        delete = self.receive(
            native_order("WEB-119", [("O2C-PAPER-A4", 1, 6.5)], action="delete")
        )
        self.assertEqual(delete.state, "needs_review")
        self.assertEqual(delete.problem_ids.code, "change")
        self.assertEqual(original.sale_order_id.state, "sale")

    def test_change_of_a_change_for_an_unknown_order_is_reviewed(self):
        """A second change of an order never received supersedes the first
        one in review and goes to review itself: no order is made of it."""
        change = self.receive(
            native_order("WEB-NEVER-2", [("O2C-PAPER-A4", 1, 6.5)], action="update")
        )
        self.assertEqual(change.state, "needs_review")
        again = self.receive(
            native_order("WEB-NEVER-2", [("O2C-PAPER-A4", 2, 6.5)], action="update")
        )
        self.assertEqual(again.state, "needs_review")
        self.assertIn("WEB-NEVER-2", again.problem_summary)
        self.assertFalse(
            self.env["sale.order"].search_count(
                [("client_order_ref", "=", "WEB-NEVER-2")]
            )
        )
        self.assertEqual(change.state, "cancelled")

    def test_change_for_unknown_order_is_reviewed(self):
        delete = self.receive(
            native_order("WEB-NEVER", [("O2C-PAPER-A4", 1, 6.5)], action="delete")
        )
        self.assertEqual(delete.state, "needs_review")
        self.assertIn("WEB-NEVER", delete.problem_summary)

    def test_format_not_accepted_by_shop(self):
        self.shop.accept_native = False
        intake = self.receive(native_order("WEB-120", [("O2C-PAPER-A4", 1, 6.5)]))
        self.assertEqual(intake.problem_ids.code, "format")


@tagged("post_install", "-at_install")
class TestIntakeTaxIncludedPrice(IntakeCase):
    """A product whose sales tax is included in its price, for customers whose
    fiscal position maps the tax to a 0 % one (tax exempt): Odoo takes the
    included tax out of the price on their sale lines, and so does the intake
    when it checks the shop's price."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        Tax = cls.env["account.tax"]
        cls.included = Tax.create(
            {
                "name": "Sales tax 10 % (included)",
                "amount": 10.0,
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
                "company_id": company.id,
            }
        )
        cls.exempt = Tax.create(
            {
                "name": "Exempt 0 %",
                "amount": 0.0,
                "type_tax_use": "sale",
                "company_id": company.id,
            }
        )
        cls.tax_exempt = cls.env["account.fiscal.position"].create(
            {
                "name": "Tax exempt",
                "company_id": company.id,
                "tax_ids": [
                    Command.create(
                        {"tax_src_id": cls.included.id, "tax_dest_id": cls.exempt.id}
                    )
                ],
            }
        )
        # 110.00 with the tax, 100.00 without
        cls.gift_box = cls.env["product.product"].create(
            {
                "name": "Gift box",
                "default_code": "O2C-GIFT-BOX",
                "list_price": 110.0,
                "taxes_id": [Command.set(cls.included.ids)],
                "company_id": company.id,
            }
        )

    def hand_entered_line(self, partner, quantity, shipping=None):
        """:return: the line Odoo makes for ``quantity`` gift boxes entered by hand
        on a sale order of ``partner``."""
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                **({"partner_shipping_id": shipping.id} if shipping else {}),
                "order_line": [
                    Command.create(
                        {"product_id": self.gift_box.id, "product_uom_qty": quantity}
                    )
                ],
            }
        )
        return order.order_line

    def assertSameLine(self, line, expected):
        for name in (
            "price_unit",
            "tax_id",
            "price_subtotal",
            "price_tax",
            "price_total",
        ):
            self.assertEqual(line[name], expected[name], name)
        for name in (
            "fiscal_position_id",
            "amount_untaxed",
            "amount_tax",
            "amount_total",
        ):
            self.assertEqual(line.order_id[name], expected.order_id[name], name)

    def test_tax_exempt_customer_pays_the_price_without_the_included_tax(self):
        self.acme.property_account_position_id = self.tax_exempt
        intake = self.receive(native_order("WEB-300", [("O2C-GIFT-BOX", 2, 100.00)]))
        self.assertEqual(intake.state, "done", intake.problem_summary)
        line = intake.sale_order_id.order_line
        self.assertEqual(intake.sale_order_id.fiscal_position_id, self.tax_exempt)
        self.assertEqual(line.price_unit, 100.0)
        self.assertEqual(line.tax_id, self.exempt)
        self.assertEqual(intake.sale_order_id.amount_total, 200.0)
        self.assertSameLine(line, self.hand_entered_line(self.acme, 2))

    def test_price_with_the_included_tax_is_reviewed_for_a_tax_exempt_customer(self):
        """The list price (tax included) is the price of a customer without
        fiscal position, not of a tax-exempt one."""
        # without fiscal position: the list price, with its tax, as before
        plain = self.receive(native_order("WEB-301", [("O2C-GIFT-BOX", 1, 110.00)]))
        self.assertEqual(plain.state, "done", plain.problem_summary)
        line = plain.sale_order_id.order_line
        self.assertEqual((line.price_unit, line.tax_id), (110.0, self.included))
        self.assertSameLine(line, self.hand_entered_line(self.acme, 1))
        self.assertEqual(
            self.receive(
                native_order("WEB-302", [("O2C-GIFT-BOX", 1, 100.00)])
            ).problem_ids.code,
            "price",
        )
        # tax exempt: 110.00 is 10 % above the customer's price
        self.acme.property_account_position_id = self.tax_exempt
        intake = self.receive(native_order("WEB-303", [("O2C-GIFT-BOX", 1, 110.00)]))
        self.assertEqual(intake.state, "needs_review")
        self.assertEqual(intake.problem_ids.code, "price")
        self.assertIn("the customer's price is 100.0 USD", intake.problem_summary)
        self.assertFalse(intake.sale_order_id)

    def test_within_tolerance_the_shop_price_stays_on_the_line(self):
        self.acme.property_account_position_id = self.tax_exempt
        intake = self.receive(native_order("WEB-304", [("O2C-GIFT-BOX", 1, 100.50)]))
        self.assertEqual(intake.state, "done", intake.problem_summary)
        line = intake.sale_order_id.order_line
        self.assertEqual((line.price_unit, line.tax_id), (100.5, self.exempt))
        self.assertEqual(intake.sale_order_id.amount_total, 100.5)

    def test_fiscal_position_of_the_delivery_address(self):
        """The fiscal position Odoo gives the order from where it ships: to an
        address of the order's customer it has none yet (made with the order),
        and for a customer with a VAT number only (``vat_required``)."""
        self.env["account.fiscal.position"].create(
            {
                "name": "Export to Canada",
                "company_id": self.env.company.id,
                "auto_apply": True,
                "vat_required": True,
                "country_id": self.env.ref("base.ca").id,
                "sequence": 1,
                "tax_ids": [
                    Command.create(
                        {"tax_src_id": self.included.id, "tax_dest_id": self.exempt.id}
                    )
                ],
            }
        )
        self.assertTrue(self.acme.vat)
        ship_to = {
            "Name": "Acme Toronto",
            "Street": "1 Bay Street",
            "City": "Toronto",
            "Zip": "M5J 2R8",
            "Country": "CA",
        }
        contacts = self.acme.child_ids
        # the price with the tax, to Canada: reviewed, and no contact made
        reviewed = self.receive(
            native_order("WEB-305", [("O2C-GIFT-BOX", 1, 110.00)], ship_to=ship_to)
        )
        self.assertEqual(reviewed.problem_ids.code, "price")
        self.assertEqual(self.acme.child_ids, contacts)
        intake = self.receive(
            native_order("WEB-306", [("O2C-GIFT-BOX", 1, 100.00)], ship_to=ship_to)
        )
        self.assertEqual(intake.state, "done", intake.problem_summary)
        order = intake.sale_order_id
        self.assertEqual(order.partner_shipping_id.parent_id, self.acme)
        self.assertEqual(order.fiscal_position_id.name, "Export to Canada")
        self.assertSameLine(
            order.order_line,
            self.hand_entered_line(self.acme, 1, order.partner_shipping_id),
        )
        # to the contact the order made: the same
        again = self.receive(
            native_order("WEB-307", [("O2C-GIFT-BOX", 1, 100.00)], ship_to=ship_to)
        )
        self.assertEqual(again.state, "done", again.problem_summary)
        self.assertEqual(
            again.sale_order_id.partner_shipping_id, order.partner_shipping_id
        )
