from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    zoho_binding_ids = fields.One2many(
        "zoho.partner.binding", "partner_id", string="Zoho CRM records"
    )
    # the money facts Odoo owns; field mappings owned by Odoo send them to Zoho
    zoho_open_balance = fields.Float(
        "Open balance", compute="_compute_zoho_receivables"
    )
    zoho_overdue_amount = fields.Float(
        "Overdue amount", compute="_compute_zoho_receivables"
    )
    zoho_oldest_overdue_days = fields.Integer(
        "Oldest overdue (days, for Zoho)", compute="_compute_zoho_receivables"
    )
    zoho_last_payment_date = fields.Date(
        "Last payment date", compute="_compute_zoho_receivables"
    )
    zoho_last_payment_amount = fields.Float(
        "Last payment amount", compute="_compute_zoho_receivables"
    )
    zoho_credit_hold = fields.Boolean(
        "Over credit limit", compute="_compute_zoho_receivables"
    )

    def _compute_zoho_receivables(self):
        for partner in self:
            facts = partner._zoho_receivable_facts() if partner.id else {}
            partner.zoho_open_balance = facts.get("open_balance", 0.0)
            partner.zoho_overdue_amount = facts.get("overdue_amount", 0.0)
            partner.zoho_oldest_overdue_days = facts.get("oldest_overdue_days", 0)
            partner.zoho_last_payment_date = facts.get("last_payment_date") or False
            partner.zoho_last_payment_amount = facts.get("last_payment_amount", 0.0)
            partner.zoho_credit_hold = facts.get("credit_hold", False)

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
        """Flag these customers' bound accounts; one batched push per backend."""
        self.env["zoho.partner.binding"].sudo().search(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("zoho_module", "=", "Accounts"),
                ("backend_id.state", "=", "connected"),
            ]
        )._zoho_mark_receivables_dirty()
