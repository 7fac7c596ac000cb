from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    zoho_binding_ids = fields.One2many(
        "zoho.partner.binding", "partner_id", string="Zoho CRM records"
    )

    def _zoho_receivable_facts(self):
        """:return: the money facts sales see in Zoho, for a commercial partner.

        Amounts are in the company currency.
        """
        self.ensure_one()
        partner = self.commercial_partner_id
        today = fields.Date.context_today(self)
        lines = self.env["account.move.line"].search(
            [
                ("partner_id", "child_of", partner.id),
                ("account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual", "!=", 0),
            ]
        )
        overdue = lines.filtered(
            lambda line: line.date_maturity and line.date_maturity < today
        )
        payment = self.env["account.payment"].search(
            [
                ("partner_id", "child_of", partner.id),
                ("payment_type", "=", "inbound"),
                ("state", "in", ("in_process", "paid")),
            ],
            order="date desc, id desc",
            limit=1,
        )
        open_balance = sum(lines.mapped("amount_residual"))
        return {
            "open_balance": round(open_balance, 2),
            "overdue_amount": round(sum(overdue.mapped("amount_residual")), 2),
            "oldest_overdue_days": max(
                ((today - line.date_maturity).days for line in overdue), default=0
            ),
            "last_payment_date": payment.date and payment.date.isoformat() or None,
            "last_payment_amount": payment.amount_company_currency_signed
            if payment
            else 0.0,
            "credit_hold": bool(
                partner.credit_limit and open_balance > partner.credit_limit
            ),
        }

    def _zoho_enqueue_receivables(self):
        """Queue a push of the receivable facts of these customers' bound accounts."""
        bindings = self.env["zoho.partner.binding"].search(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("zoho_module", "=", "Accounts"),
                ("backend_id.state", "=", "connected"),
            ]
        )
        for binding in bindings:
            binding.with_delay(
                description=f"Zoho: receivables of {binding.partner_id.display_name}",
                identity_key=f"zoho-receivables-{binding.id}",
            )._zoho_push_receivables()
