"""Demo history: 14 months of invoices and payments with a go-live 4 months ago.

Before go-live customers on 30-day terms paid after about two months; after it,
after about a month, so the dashboard shows the drop. Deterministic (seeded).
"""

import random
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models

MONTHS = 14
GO_LIVE_MONTHS_AGO = 4
MONTHLY_CUSTOMERS = [
    "dso_reports.customer_harbor",
    "dso_reports.customer_summit",
    "dso_reports.customer_riverside",
    "dso_reports.customer_copperline",
]
CARD_CUSTOMERS = ["dso_reports.customer_pinecrest", "dso_reports.customer_nova"]
SALESPEOPLE = ["o2c_base.user_manager", "o2c_base.user_customer_service"]


class DsoDemo(models.AbstractModel):
    _name = "dso.demo"
    _description = "Receivables demo history"

    @api.model
    def _generate(self, seed=7):
        """Create the history, then its snapshots; :return: number of invoices."""
        rng = random.Random(seed)
        company = self.env.company
        today = fields.Date.context_today(self)
        start = today - relativedelta(months=MONTHS)
        go_live = today - relativedelta(months=GO_LIVE_MONTHS_AGO)
        product = self.env.ref("o2c_base.product_paper_a4")
        monthly = [self.env.ref(xmlid) for xmlid in MONTHLY_CUSTOMERS]
        card = [self.env.ref(xmlid) for xmlid in CARD_CUSTOMERS]
        users = [self.env.ref(xmlid) for xmlid in SALESPEOPLE]
        plans, invoice_vals = [], []
        day = start
        while day < today:
            for _index in range(rng.choice((1, 2))):
                is_card = rng.random() < 0.2
                partner = rng.choice(card if is_card else monthly)
                amount = round(rng.uniform(8000, 20000), -1)
                due = day if is_card else day + timedelta(days=30)
                if is_card:
                    delay = 0
                elif day < go_live - timedelta(days=20):
                    delay = max(20, int(rng.gauss(70, 10)))
                else:
                    delay = max(10, int(rng.gauss(32, 5)))
                plans.append((day + timedelta(days=delay), amount, rng.random()))
                invoice_vals.append(
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_user_id": rng.choice(users).id,
                        "invoice_date": day,
                        "date": day,
                        "invoice_payment_term_id": False,
                        "invoice_date_due": due,
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "product_id": product.id,
                                    "quantity": 1,
                                    "price_unit": amount,
                                    "tax_ids": [Command.clear()],
                                }
                            )
                        ],
                    }
                )
            day += timedelta(days=2)
        invoices = self.env["account.move"].create(invoice_vals)
        invoices.action_post()
        journal = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
        )
        payment_vals, pairs = [], []
        for invoice, (pay_day, amount, luck) in zip(invoices, plans, strict=True):
            # some customers pay half first and the rest three weeks later
            parts = (
                [(pay_day, round(amount / 2, 2)), (pay_day + timedelta(days=21), None)]
                if luck < 0.1
                else [(pay_day, amount)]
            )
            paid = 0.0
            for part_day, part in parts:
                if part_day > today:
                    break
                part = part if part is not None else amount - paid
                paid += part
                payment_vals.append(
                    {
                        "payment_type": "inbound",
                        "partner_type": "customer",
                        "partner_id": invoice.partner_id.id,
                        "amount": part,
                        "date": part_day,
                        "journal_id": journal.id,
                        "memo": invoice.name,
                    }
                )
                pairs.append(invoice)
        # and one customer forgot an invoice: over its credit limit, it is on hold
        held = self.env.ref("dso_reports.customer_copperline")
        late = today - timedelta(days=75)
        forgotten = self.env["account.move"].create(
            {
                **invoice_vals[0],
                "partner_id": held.id,
                "invoice_date": late,
                "date": late,
                "invoice_date_due": late + timedelta(days=30),
            }
        )
        forgotten.action_post()
        payments = self.env["account.payment"].create(payment_vals)
        payments.action_post()
        for invoice, payment in zip(pairs, payments, strict=True):
            (invoice.line_ids | payment.move_id.line_ids).filtered(
                lambda line: (
                    line.account_id.account_type == "asset_receivable"
                    and not line.reconciled
                )
            ).reconcile()
        # the demo holds Copperline by its credit limit, not by a company-wide
        # overdue rule: the other addons' demo customers (Acme, Bluebird) have
        # overdue invoices too and must keep ordering
        held.with_company(company).credit_limit = round(forgotten.amount_total / 2)
        company.dso_baseline_date = go_live
        self.env["dso.snapshot"]._snapshot_days(start, today, company)
        self.env["res.partner"].browse(
            [p.id for p in monthly + card]
        )._credit_hold_refresh()
        return len(invoices)
