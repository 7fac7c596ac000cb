"""Receivable figures on the customer form, for sales people."""

from datetime import timedelta

from odoo import fields, models

from . import snapshot_sql


class ResPartner(models.Model):
    _inherit = "res.partner"

    dso_currency_id = fields.Many2one(
        "res.currency", compute="_compute_dso_figures", string="Company currency"
    )
    dso_open_amount = fields.Monetary(
        "Open receivables",
        compute="_compute_dso_figures",
        currency_field="dso_currency_id",
    )
    dso_overdue_amount = fields.Monetary(
        "Overdue", compute="_compute_dso_figures", currency_field="dso_currency_id"
    )
    dso_oldest_overdue_days = fields.Integer(
        "Oldest overdue (days)", compute="_compute_dso_figures"
    )
    dso_days = fields.Float(
        "DSO (days)",
        compute="_compute_dso_figures",
        digits=(16, 1),
        help="The customer's receivables ÷ its credit sales of the DSO period × "
        "days, from the latest daily snapshot.",
    )
    dso_days_to_pay = fields.Float(
        "Average days to pay",
        compute="_compute_dso_figures",
        digits=(16, 1),
        help="Amount-weighted days from invoice date to payment, last 12 months.",
    )

    def _dso_open_facts(self, company=None):
        """:return: ``{commercial partner id: (open, overdue, oldest overdue days)}``
        today, in company currency, from the receivable lines (set-based SQL)."""
        company = company or self.env.company
        partners = self.commercial_partner_id
        if not partners:
            return {}
        params = self.env["dso.snapshot"]._sql_params(
            company, fields.Date.context_today(self)
        )
        params["customer_ids"] = partners.ids
        self.flush_model(["commercial_partner_id"])
        self.env["account.move.line"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        self.env.cr.execute(snapshot_sql.PARTNER_OPEN, params)
        return {row[0]: row[1:] for row in self.env.cr.fetchall()}

    def _compute_dso_figures(self):
        company = self.env.company
        real = self.filtered("id")
        facts = real._dso_open_facts(company)
        snapshots = {}
        pay = {}
        if real:
            since = fields.Date.context_today(self) - timedelta(days=365)
            self.env.cr.execute(
                """
                SELECT DISTINCT ON (partner_id) partner_id, dso
                  FROM dso_snapshot
                 WHERE company_id = %s AND dimension = 'partner'
                   AND partner_id = ANY(%s)
                 ORDER BY partner_id, date DESC
                """,
                [company.id, real.commercial_partner_id.ids],
            )
            snapshots = dict(self.env.cr.fetchall())
            self.env.cr.execute(
                """
                SELECT partner_id, SUM(paid_days) / NULLIF(SUM(paid_amount), 0)
                  FROM dso_snapshot
                 WHERE company_id = %s AND dimension = 'partner'
                   AND partner_id = ANY(%s) AND date >= %s
                 GROUP BY partner_id
                """,
                [company.id, real.commercial_partner_id.ids, since],
            )
            pay = dict(self.env.cr.fetchall())
        for partner in self:
            key = partner.commercial_partner_id.id
            open_amount, overdue, oldest = facts.get(key, (0.0, 0.0, 0))
            partner.dso_currency_id = company.currency_id
            partner.dso_open_amount = open_amount
            partner.dso_overdue_amount = overdue
            partner.dso_oldest_overdue_days = oldest or 0
            partner.dso_days = snapshots.get(key) or 0.0
            partner.dso_days_to_pay = pay.get(key) or 0.0

    def action_dso_open_invoices(self):
        """Drill-down from the form: the customer's open invoices."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action.update(
            domain=[
                ("partner_id", "child_of", self.commercial_partner_id.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ],
            context={"create": False},
        )
        return action
