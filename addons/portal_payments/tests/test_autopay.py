from datetime import timedelta

import requests

from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import PortalPaymentsCase

GOOD_CARD = {
    "number": "4242424242424242",
    "exp_month": "12",
    "exp_year": "34",
    "cvc": "123",
}
DECLINED_CARD = {
    "number": "4000000000000341",
    "exp_month": "12",
    "exp_year": "34",
    "cvc": "123",
}


@tagged("post_install", "-at_install")
class TestAutopay(PortalPaymentsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Attempt = cls.env["portal.payments.autopay.attempt"]
        cls.company, cls.contact = cls.create_portal_customer(
            "Autopay Inc", "Ada Autopay", "ada_autopay"
        )

    def run_autopay(self, day):
        """The daily job on ``day``, then the charge jobs it queued."""
        with trap_jobs() as trapped:
            attempts = self.Attempt._cron_autopay(day)
            self.assertEqual(len(trapped.enqueued_jobs), len(attempts))
            trapped.perform_enqueued_jobs()
        return attempts

    def saved_card(self, card):
        """A card saved at Stripe (customer + attached method) and its Odoo token."""
        customer = self.stripe_server.api("POST", "customers", name="Autopay Inc")
        method = self.stripe_server.api(
            "POST",
            "payment_methods",
            type="card",
            **{f"card[{k}]": v for k, v in card.items()},
        )
        self.stripe_server.api(
            "POST", f"payment_methods/{method['id']}/attach", customer=customer["id"]
        )
        return self.env["payment.token"].create(
            {
                "provider_id": self.stripe.id,
                "payment_method_id": self.card.id,
                "payment_details": card["number"][-4:],
                "partner_id": self.contact.id,
                "provider_ref": customer["id"],
                "stripe_payment_method": method["id"],
            }
        )

    def enrol_in_portal(self, token):
        self.authenticate("ada_autopay", "ada_autopay")
        page = self.url_open("/my/account/balance").text
        self.assertIn("o_autopay_enrol", page)
        response = self.url_open(
            "/my/account/autopay",
            data={"token_id": token.id, "csrf_token": self.csrf_token()},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.company.portal_autopay_state, "enrolled")
        self.assertEqual(self.company.portal_autopay_token_id, token)

    def csrf_token(self):
        page = self.url_open("/my/account/balance").text
        return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]

    def intent_keys(self):
        keys = requests.get(
            f"{self.stripe_server.url}/_config/o2c/idempotency_keys", timeout=10
        ).json()
        return [k["key"] for k in keys if k["path"] == "/v1/payment_intents"]

    def test_due_invoice_is_charged_once(self):
        known = len(self.intent_keys())
        self.enrol_in_portal(
            self.saved_card(
                {
                    "number": "4242424242424242",
                    "exp_month": "12",
                    "exp_year": "34",
                    "cvc": "123",
                }
            )
        )
        due = self.make_invoice(self.company, 75.0, days_ago=31)  # due yesterday
        not_due = self.make_invoice(self.company, 20.0, days_ago=2)
        today = due.invoice_date_due + timedelta(days=1)
        attempts = self.run_autopay(today)
        self.assertEqual(attempts.move_id, due)
        self.assertEqual(attempts.transaction_id.state, "done")
        self.assertEqual(due.payment_state, "paid")
        self.assertEqual(not_due.payment_state, "not_paid")
        self.assertFalse(self.run_autopay(today))
        self.assertEqual(len(self.intent_keys()) - known, 1)

    def test_failures_notify_and_stop_after_three_attempts(self):
        known = len(self.intent_keys())
        self.enrol_in_portal(self.saved_card(DECLINED_CARD))
        invoice = self.make_invoice(self.company, 60.0, days_ago=30)
        day = invoice.invoice_date_due
        for offset, expected in ((0, 1), (0, 1), (1, 2), (2, 3), (3, 3), (10, 3)):
            self.run_autopay(day + timedelta(days=offset))
            attempts = self.Attempt.search([("move_id", "=", invoice.id)])
            self.assertEqual(len(attempts), expected, f"day +{offset}")
        self.assertEqual(set(attempts.mapped("transaction_id.state")), {"error"})
        self.assertEqual(invoice.payment_state, "not_paid")
        refs = attempts.mapped("transaction_id.reference")
        self.assertEqual(len(set(refs)), 3)
        intent_keys = self.intent_keys()[known:]
        self.assertEqual(len(intent_keys), 3)
        self.assertEqual(len(set(intent_keys)), 3)  # one key per invoice and attempt
        # the customer is told each time, the accountant gets activities
        told = invoice.message_ids.filtered(lambda m: self.company in m.partner_ids)
        self.assertEqual(len(told), 3)
        self.assertIn(
            "Autopay gave up", " ".join(invoice.activity_ids.mapped("summary"))
        )

    def test_no_new_attempt_while_an_earlier_charge_has_no_result(self):
        """The job runner is down: the first attempt's job has not run the next
        day. A second attempt (a new reference, so a new Stripe idempotency key)
        could charge the customer twice: none is made, the accountant is asked
        once, and when the first job runs the invoice is charged once."""
        known = len(self.intent_keys())
        self.enrol_in_portal(self.saved_card(GOOD_CARD))
        invoice = self.make_invoice(self.company, 40.0, days_ago=31)
        day = invoice.invoice_date_due + timedelta(days=1)
        with trap_jobs() as trapped:
            self.assertEqual(len(self.Attempt._cron_autopay(day)), 1)
            for later in (1, 2):
                self.assertFalse(self.Attempt._cron_autopay(day + timedelta(later)))
            self.assertEqual(len(trapped.enqueued_jobs), 1)
            stopped = invoice.activity_ids.filtered(
                lambda activity: "Autopay stopped" in activity.summary
            )
            self.assertEqual(len(stopped), 1)
            self.assertIn(f"{invoice.name}-AUTOPAY-1", stopped.note)
            trapped.perform_enqueued_jobs()
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(len(self.intent_keys()) - known, 1)
