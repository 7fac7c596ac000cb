"""Helpers for receivables tests: customers, invoices, payments on given dates.

Everything is dated in the past on purpose: snapshots "as of" a day must not
depend on when the test runs. Fresh customers keep the customer rows of the
snapshot free of demo data.
"""

from odoo import Command, fields
from odoo.tests import TransactionCase


class ReceivablesMixin:
    """Invoices and payments on given dates; for any test class with ``env``."""

    @classmethod
    def make_customer(cls, name, **values):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "monthly_billing_eligible": True,
                **values,
            }
        )

    @classmethod
    def make_invoice(
        cls, amount, date, due, partner=None, move_type="out_invoice", currency=None
    ):
        """A posted invoice (or credit note) without taxes, due on ``due``."""
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": (partner or cls.customer).id,
                "invoice_date": fields.Date.to_date(date),
                "date": fields.Date.to_date(date),
                "invoice_payment_term_id": False,
                "invoice_date_due": fields.Date.to_date(due),
                "currency_id": (currency or cls.env.company.currency_id).id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Printing",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    @classmethod
    def pay(cls, invoices, amount, date, currency=None, **wizard_values):
        """Register a payment of ``amount`` dated ``date`` on the invoices."""
        bank = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.env.company.id)], limit=1
        )
        wizard = (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create(
                {
                    "amount": amount,
                    "payment_date": fields.Date.to_date(date),
                    "journal_id": bank.id,
                    "currency_id": (currency or invoices.currency_id[:1]).id,
                    **wizard_values,
                }
            )
        )
        return wizard._create_payments()

    @classmethod
    def reconcile(cls, debit_move, credit_move):
        lines = (debit_move | credit_move).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        lines.reconcile()


class DsoCase(ReceivablesMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.company.write({"dso_period_days": 90, "dso_aging_buckets": "30,60,90"})
        cls.currency = cls.company.currency_id
        cls.Snapshot = cls.env["dso.snapshot"]
        cls.customer = cls.make_customer("DSO test customer")

    def snapshot(self, date, partner=None):
        """Compute the day and :return: the customer's row (or an empty record)."""
        day = fields.Date.to_date(date)
        self.Snapshot._snapshot_days(day, day, self.company)
        return self.Snapshot.search(
            [
                ("date", "=", day),
                ("company_id", "=", self.company.id),
                ("dimension", "=", "partner"),
                ("partner_id", "=", (partner or self.customer).id),
            ]
        )
