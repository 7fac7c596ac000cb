from odoo.tests import tagged

from .common import PortalPaymentsCase


@tagged("post_install", "-at_install")
class TestStripeWebhook(PortalPaymentsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls.make_invoice(cls.acme, 80.0, days_ago=3)
        cls.tx = cls.env["payment.transaction"].create(
            {
                "provider_id": cls.stripe.id,
                "payment_method_id": cls.card.id,
                "amount": 80.0,
                "currency_id": cls.invoice.currency_id.id,
                "partner_id": cls.acme.id,
                "reference": "WH-TEST-1",
                "provider_reference": "pi_webhooktest",
                "invoice_ids": [(6, 0, cls.invoice.ids)],
            }
        )
        cls.Event = cls.env["portal.payments.stripe.event"]

    def canceled_intent_event(self, event_id=None):
        return self.stripe_event(
            "payment_intent.canceled",
            {
                "id": "pi_webhooktest",
                "object": "payment_intent",
                "description": "WH-TEST-1",
                "status": "canceled",
                "payment_method": None,
            },
            event_id=event_id,
        )

    def test_genuine_event_is_handled_and_recorded(self):
        event = self.canceled_intent_event()
        response = self.post_webhook(event)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.tx.state, "cancel")
        self.assertEqual(self.Event.search_count([("event_id", "=", event["id"])]), 1)

    def test_repeated_event_is_a_no_op(self):
        event = self.canceled_intent_event()
        self.assertEqual(self.post_webhook(event).status_code, 200)
        self.tx.state = "pending"  # something changed since; a replay must not touch it
        self.assertEqual(self.post_webhook(event).status_code, 200)
        self.assertEqual(self.tx.state, "pending")
        self.assertEqual(self.Event.search_count([("event_id", "=", event["id"])]), 1)

    def test_rotated_secret_any_v1_signature(self):
        event = self.canceled_intent_event()
        response = self.post_webhook(
            event, secrets=["whsec_old_rolled_out", self.webhook_secret]
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.tx.state, "cancel")

    def test_wrong_secret_rejected(self):
        event = self.canceled_intent_event()
        response = self.post_webhook(event, secrets=["whsec_attacker"])
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.tx.state, "draft")
        self.assertFalse(self.Event.search([("event_id", "=", event["id"])]))

    def test_empty_secret_rejects(self):
        self.stripe.stripe_webhook_secret = False
        event = self.canceled_intent_event()
        response = self.post_webhook(event, secrets=[""])
        self.assertEqual(response.status_code, 403)
        response = self.post_webhook(event, header="")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.tx.state, "draft")
        self.assertFalse(self.Event.search([("event_id", "=", event["id"])]))

    def test_stale_timestamp_rejected(self):
        event = self.canceled_intent_event()
        import time  # noqa: PLC0415

        response = self.post_webhook(event, timestamp=int(time.time()) - 3600)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.tx.state, "draft")
        self.assertFalse(self.Event.search([("event_id", "=", event["id"])]))

    def test_dispute_creates_activity_and_suspends_autopay(self):
        self.acme.portal_autopay_state = "enrolled"
        event = self.stripe_event(
            "charge.dispute.created",
            {
                "id": "dp_test",
                "object": "dispute",
                "amount": 8000,
                "currency": "usd",
                "charge": "ch_webhooktest",
                "payment_intent": "pi_webhooktest",
                "reason": "fraudulent",
                "status": "needs_response",
            },
        )
        response = self.post_webhook(event)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.acme.portal_autopay_state, "suspended")
        activity = self.invoice.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("dp_test", activity.note)
        self.assertEqual(
            activity.user_id,
            self.stripe.portal_payments_accountant_id
            or self.env.ref("base.user_admin"),
        )
        self.assertEqual(self.tx.state, "draft")  # the payment itself is untouched
