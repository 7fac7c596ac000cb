from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestReminders(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Reminder = cls.env["portal.payments.reminder"]
        cls.customer = cls.env["res.partner"].create(
            {"name": "Reminded Ltd", "is_company": True, "email": "ap@reminded.example"}
        )
        cls.product = cls.env.ref("o2c_base.product_paper_a4")
        cls.day0 = fields.Date.from_string("2026-03-02")  # invoice date
        cls.due = cls.day0 + timedelta(days=30)
        cls.term = cls.env.ref("account.account_payment_term_30days")

    def invoice(self, partner=None):
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": (partner or self.customer).id,
                "invoice_date": self.day0,
                "invoice_payment_term_id": self.term.id,
                "invoice_line_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": self.product.id,
                            "quantity": 1,
                            "price_unit": 100.0,
                            "tax_ids": [],
                        },
                    )
                ],
            }
        )
        move.action_post()
        self.assertEqual(move.invoice_date_due, self.due)
        return move

    def run_cron_on(self, day):
        with freeze_time(day):
            return self.Reminder._cron_send_reminders()

    def levels_of(self, invoice):
        return self.Reminder.search([("move_id", "=", invoice.id)]).level_id.mapped(
            "days"
        )

    def test_each_level_once(self):
        invoice = self.invoice()
        schedule = {
            -5: [],
            -3: [-3],
            -2: [-3],  # nothing new the day after
            0: [-3],
            1: [-3, 1],
            14: [-3, 1],
            15: [-3, 1, 15],
            16: [-3, 1, 15],
            30: [-3, 1, 15, 30],
            45: [-3, 1, 15, 30],
        }
        for offset, expected in schedule.items():
            day = self.due + timedelta(days=offset)
            self.run_cron_on(day)
            self.run_cron_on(day)  # a second run the same day sends nothing more
            self.assertEqual(sorted(self.levels_of(invoice)), expected, f"day {offset}")
        mails = self.env["mail.message"].search(
            [
                ("model", "=", "account.move"),
                ("res_id", "=", invoice.id),
                ("subject", "like", "Payment reminder"),
            ]
        )
        self.assertEqual(len(mails), 4)
        self.assertIn("/my/account/pay?invoice_ids=", mails[0].body)
        self.assertIn("/my/account/balance", mails[0].body)
        notes = self.customer.message_ids.filtered(
            lambda m: "Payment reminder" in (m.body or "")
        )
        self.assertEqual(len(notes), 4)

    def test_paid_processing_paused_and_autopay_get_none(self):
        paid = self.invoice()
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=paid.ids
        ).create({})._create_payments()
        self.assertIn(paid.payment_state, ("paid", "in_payment"))

        processing = self.invoice()
        self.env["payment.transaction"].create(
            {
                "provider_id": self.env.ref("payment.payment_provider_transfer").id,
                "payment_method_id": self.env.ref("payment.payment_method_unknown").id,
                "amount": 100.0,
                "currency_id": processing.currency_id.id,
                "partner_id": self.customer.id,
                "reference": "REMINDER-PROCESSING",
                "invoice_ids": [(6, 0, processing.ids)],
                "state": "pending",
            }
        )
        self.assertEqual(processing.portal_payment_status, "processing")

        paused_customer = self.customer.copy(
            {"name": "Paused Ltd", "portal_reminders_paused": True}
        )
        paused = self.invoice(paused_customer)
        autopay_customer = self.customer.copy(
            {"name": "Autopay Ltd", "portal_autopay_state": "enrolled"}
        )
        autopay = self.invoice(autopay_customer)
        control = self.invoice()

        for offset in (-3, 1, 15, 30):
            self.run_cron_on(self.due + timedelta(days=offset))
        for invoice in (paid, processing, paused, autopay):
            self.assertFalse(self.levels_of(invoice), invoice.partner_id.name)
        self.assertEqual(sorted(self.levels_of(control)), [-3, 1, 15, 30])

    def test_late_start_sends_only_the_latest_level(self):
        invoice = self.invoice()
        self.run_cron_on(self.due + timedelta(days=20))
        self.assertEqual(self.levels_of(invoice), [15])
        self.run_cron_on(self.due + timedelta(days=21))
        self.assertEqual(self.levels_of(invoice), [15])
