import json
import subprocess

from odoo.tests import TransactionCase, tagged

from .common import PortalPaymentsCase


def pdf_text(pdf):
    """Text of a PDF, through poppler's pdftotext."""
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


@tagged("post_install", "-at_install")
class TestAccountPage(PortalPaymentsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inv_acme = cls.make_invoice(cls.acme, 300.0, days_ago=50)
        cls.refund_acme = cls.make_invoice(cls.acme, 20.0, days_ago=10, refund=True)
        cls.inv_blue = cls.make_invoice(cls.bluebird, 777.77, days_ago=2)

    def test_company_contact_sees_company_account(self):
        # Dana is a contact of Acme; the invoice is addressed to the company.
        self.assertNotIn(self.dana.partner_id, self.inv_acme.message_partner_ids)
        self.authenticate("dana", "dana")
        # /my leads to it (stock /my/account stays the "Your details" form)
        home = self.url_open("/my").text
        self.assertIn('href="/my/account/balance"', home)
        # /my/account, her details form, opens with her company's balance on top
        details = self.url_open("/my/account").text
        self.assertIn("o_portal_account_summary", details)
        self.assertIn('name="street"', details)  # the stock form is still there
        summary = self.acme._portal_account_summary()
        self.assertTrue(summary["aging"]["overdue"])
        self.assertIn(f"{summary['aging']['overdue']:,.2f}", details)
        page = self.url_open("/my/account/balance").text
        self.assertIn(self.inv_acme.name, page)
        self.assertIn(self.refund_acme.name, page)
        self.assertNotIn(self.inv_blue.name, page)
        self.assertIn("o_aging_d1_30", page)
        # the portal invoice page itself opens for her, with a link back
        detail = self.url_open(f"/my/invoices/{self.inv_acme.id}")
        self.assertIn("/my/account/balance", detail.text)
        moves = self.env["account.move"].with_user(self.dana).search([])
        self.assertIn(self.inv_acme, moves)
        self.assertNotIn(self.inv_blue, moves)

    def test_summary_amounts(self):
        summary = self.acme._portal_account_summary()
        open_total = sum(
            self.env["account.move.line"]
            .search(
                [
                    ("partner_id", "child_of", self.acme.id),
                    ("parent_state", "=", "posted"),
                    ("account_id.account_type", "=", "asset_receivable"),
                ]
            )
            .mapped("amount_residual")
        )
        self.assertAlmostEqual(summary["aging"]["total"], open_total)
        self.assertIn(self.inv_acme, summary["open_invoices"])
        self.assertIn(self.refund_acme, summary["credit_notes"])
        # 300 due 20 days ago (30-day terms, dated 50 days ago) is overdue 1-30
        self.assertGreaterEqual(summary["aging"]["d1_30"], 300.0)

    def test_statement_pdf_balances(self):
        today = self.inv_blue.invoice_date
        start = self.inv_acme.invoice_date
        statement = self.acme._portal_statement(start, today)
        opening = statement["opening"]
        self.assertAlmostEqual(
            statement["closing"],
            opening
            + sum(line["debit"] - line["credit"] for line in statement["lines"]),
        )
        refs = [line["ref"] for line in statement["lines"]]
        self.assertIn(self.inv_acme.name, refs)
        self.assertIn(self.refund_acme.name, refs)

    def test_statement_route_is_the_users_company(self):
        self.authenticate("dana", "dana")
        # a partner id slipped into the URL changes nothing
        response = self.url_open(
            f"/my/account/statement?report_type=html&partner_id={self.bluebird.id}"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Acme Office Services", response.text)
        self.assertNotIn(self.inv_blue.name, response.text)
        self.assertNotIn("Bluebird", response.text)
        self.authenticate(None, None)
        response = self.url_open(
            "/my/account/statement?report_type=html", allow_redirects=False
        )
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_url_tampering_other_company(self):
        self.authenticate("dana", "dana")
        # open and download B's invoice
        response = self.url_open(
            f"/my/invoices/{self.inv_blue.id}", allow_redirects=False
        )
        self.assertEqual(response.status_code, 303)
        response = self.url_open(
            f"/my/invoices/{self.inv_blue.id}?report_type=pdf&download=true",
            allow_redirects=False,
        )
        self.assertNotEqual(response.headers.get("Content-Type"), "application/pdf")
        # pay B's invoice: the pay page and the transaction route refuse
        response = self.url_open(
            f"/my/account/pay?invoice_ids={self.inv_acme.id}&invoice_ids={self.inv_blue.id}",
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/my/account/balance"))
        result = self.make_jsonrpc_request_raw(
            f"/my/account/transaction/{self.inv_blue.id}",
            {
                "provider_id": self.stripe.id,
                "payment_method_id": self.card.id,
                "token_id": None,
                "amount": 777.77,
                "flow": "direct",
                "tokenization_requested": False,
                "landing_route": "/my/account/balance",
                "is_validation": False,
            },
        )
        self.assertIn("error", result)
        self.assertFalse(self.inv_blue.transaction_ids)
        # B's access token does not open the pay flow for A's invoice
        response = self.url_open(
            f"/my/account/pay?invoice_ids={self.inv_acme.id}"
            f"&access_token={self.inv_blue._portal_ensure_token()}",
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        self.assertNotIn("pay", response.headers["Location"].rsplit("/", 1)[-1])

    def test_public_visitor_with_token_pays_only_that_invoice(self):
        self.authenticate(None, None)
        url = self.inv_blue._portal_pay_url().split("/my/", 1)[1]
        response = self.url_open(f"/my/{url}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.inv_blue.name, response.text)
        self.assertIn("o_payment_form", response.text)
        response = self.url_open(
            f"/my/account/pay?invoice_ids={self.inv_acme.id}"
            f"&access_token={self.inv_blue.access_token}",
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)

    def test_pay_link_of_an_invoice_paid_meanwhile_shows_the_invoice(self):
        url = self.inv_blue._portal_pay_url().split("/my/", 1)[1]
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.inv_blue.ids
        ).create({})._create_payments()
        self.assertEqual(self.inv_blue.payment_state, "paid")
        self.authenticate(None, None)
        response = self.url_open(f"/my/{url}", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        location = response.headers["Location"]
        self.assertIn(f"/my/invoices/{self.inv_blue.id}?access_token=", location)
        self.assertNotIn("/web/login", location)

    def test_invoice_mail_button_opens_pay_flow(self):
        template = self.env.ref("account.email_template_edi_invoice")
        self.inv_acme.with_context(
            mail_notify_force_send=False
        ).message_post_with_source(
            template, subtype_xmlid="mail.mt_comment", partner_ids=self.acme.ids
        )
        mail = self.env["mail.mail"].search(
            [("model", "=", "account.move"), ("res_id", "=", self.inv_acme.id)],
            order="id desc",
            limit=1,
        )
        self.assertIn(f"/my/account/pay?invoice_ids={self.inv_acme.id}", mail.body_html)
        # logged in, the link lands on the account page with the invoice ticked
        self.authenticate("dana", "dana")
        response = self.url_open(
            self.inv_acme._portal_pay_url().replace(self.base_url(), "")
        )
        self.assertIn("/my/account/balance", response.url)
        self.assertIn(f'value="{self.inv_acme.id}" checked', response.text)

    def make_jsonrpc_request_raw(self, route, params):
        response = self.url_open(
            route,
            data=json.dumps(
                {"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}
            ),
            headers={"Content-Type": "application/json"},
        )
        return response.json()


@tagged("post_install", "-at_install")
class TestStatementPdf(TransactionCase):
    """The statement as a real PDF (wkhtmltopdf), read back with pdftotext."""

    def test_statement_pdf_text(self):
        # wkhtmltopdf would fetch the stylesheets from this very server, whose
        # request could wait on this test's transaction: render without them
        # (the text is what is checked here). Port 9 is "discard": refused.
        self.env["ir.config_parameter"].set_param("report.url", "http://127.0.0.1:9")
        self.acme = self.env.ref("o2c_base.customer_acme")
        self.inv_acme = self.env.ref("portal_payments.invoice_acme_old")
        self.inv_blue = self.env.ref("portal_payments.invoice_bluebird")
        start, today = self.inv_acme.invoice_date, self.inv_blue.invoice_date
        statement = self.acme._portal_statement(start, today)
        pdf, _type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(
                "portal_payments.action_report_statement",
                self.acme.ids,
                data={"date_from": str(start), "date_to": str(today)},
            )
        )
        self.assertTrue(pdf.startswith(b"%PDF"))
        text = pdf_text(pdf)
        self.assertIn("Opening balance", text)
        self.assertIn(self.inv_acme.name, text)
        self.assertNotIn(self.inv_blue.name, text)
        closing = self.env.company.currency_id.format(statement["closing"])
        self.assertIn(closing.replace("\xa0", " "), text.replace("\xa0", " "))


@tagged("post_install", "-at_install")
class TestCheckPayment(PortalPaymentsCase):
    def test_received_check_reconciles_and_shows_in_the_portal(self):
        invoice = self.make_invoice(self.acme, 64.0, days_ago=12)
        self.authenticate("dana", "dana")
        page = self.url_open("/my/account/balance").text
        self.assertIn("Checks payable to", page)
        # the accountant records the check like any payment
        journal = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.env.company.id)], limit=1
        )
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create(
            {"journal_id": journal.id, "communication": "Check 1047"}
        )._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(invoice.portal_payment_status, "paid")
        page = self.url_open("/my/account/balance").text
        history = page.split("o_portal_payments_history", 1)[1]
        self.assertIn(invoice.name, history)
        open_part = page.split("o_portal_payments_open", 1)[-1].split(
            "o_portal_payments_history"
        )[0]
        self.assertNotIn(invoice.name, open_part)
