"""Active CRM: a Zoho task for the account owner when an invoice runs late."""

from datetime import timedelta

from odoo import api, fields, models

from .zoho_push import _raise_first_failure
from .zoho_work import JOB_MAX_RETRIES


class ZohoOverdueTask(models.Model):
    """One reminder per invoice and overdue level: created once, pushed once."""

    _name = "zoho.overdue.task"
    _description = "Zoho overdue-invoice task"
    _order = "id desc"

    backend_id = fields.Many2one("zoho.backend", required=True, ondelete="cascade")
    binding_id = fields.Many2one(
        "zoho.partner.binding", required=True, ondelete="cascade"
    )
    invoice_id = fields.Many2one("account.move", required=True, ondelete="cascade")
    level_days = fields.Integer("Overdue by (days)", required=True)
    subject = fields.Char()
    zoho_task_id = fields.Char("Zoho task", readonly=True)

    _sql_constraints = [
        (
            "invoice_level_unique",
            "UNIQUE(backend_id, invoice_id, level_days)",
            "This invoice already has a task for this level.",
        ),
    ]

    def _zoho_reference(self):
        return f"{self.invoice_id._zoho_reference()}-overdue-{self.level_days}"

    def _zoho_push(self):
        """Job: upsert the task in Zoho (keyed by our reference: never twice)."""
        self.ensure_one()
        if self.zoho_task_id:
            return self.zoho_task_id
        backend = self.backend_id
        invoice = self.invoice_id
        record = {
            "Subject": self.subject,
            "Odoo_Reference__c": self._zoho_reference(),
            "What_Id": {"id": self.binding_id.zoho_id},
            "$se_module": "Accounts",
            "Due_Date": fields.Date.context_today(self).isoformat(),
            "Priority": "High",
            "Description": self.env._(
                "%(invoice)s for %(total)s %(cur)s was due on %(due)s; "
                "%(residual)s %(cur)s is still open.",
                invoice=invoice.name,
                total=invoice.amount_total,
                cur=invoice.currency_id.name,
                due=invoice.invoice_date_due,
                residual=invoice.amount_residual,
            ),
        }
        owner = self.binding_id.partner_id.user_id
        if owner.email:
            record["Owner"] = {"email": owner.email}
        with backend._zoho_work("overdue_tasks") as work:
            work.counts["read"] += 1
            results = work.client.upsert(
                "Tasks", [record], duplicate_check_fields=["Odoo_Reference__c"]
            )
            self.zoho_task_id = str(_raise_first_failure(results)["details"]["id"])
            work.counts["created"] += 1
        return self.zoho_task_id

    @api.model
    def _cron_create_tasks(self):
        today = fields.Date.context_today(self)
        for backend in self.env["zoho.backend"].search([("state", "=", "connected")]):
            levels = sorted(
                {
                    int(level)
                    for level in (backend.overdue_task_days or "").split(",")
                    if level.strip().isdigit()
                }
            )
            bindings = self.env["zoho.partner.binding"].search(
                [("backend_id", "=", backend.id), ("zoho_module", "=", "Accounts")]
            )
            for level in levels:
                invoices = self.env["account.move"].search(
                    [
                        ("move_type", "=", "out_invoice"),
                        ("state", "=", "posted"),
                        ("payment_state", "in", ("not_paid", "partial")),
                        ("invoice_date_due", "<=", today - timedelta(days=level)),
                        ("commercial_partner_id", "in", bindings.partner_id.ids),
                    ]
                )
                done = self.search(
                    [
                        ("backend_id", "=", backend.id),
                        ("level_days", "=", level),
                        ("invoice_id", "in", invoices.ids),
                    ]
                ).invoice_id
                for invoice in invoices - done:
                    binding = bindings.filtered(
                        lambda bind, inv=invoice: (
                            bind.partner_id == inv.commercial_partner_id
                        )
                    )[:1]
                    task = self.create(
                        {
                            "backend_id": backend.id,
                            "binding_id": binding.id,
                            "invoice_id": invoice.id,
                            "level_days": level,
                            "subject": self.env._(
                                "Call about overdue invoice %(invoice)s "
                                "%(residual)s %(cur)s (%(days)s+ days)",
                                invoice=invoice.name,
                                residual=invoice.amount_residual,
                                cur=invoice.currency_id.symbol,
                                days=level,
                            ),
                        }
                    )
                    task.with_delay(
                        identity_key=f"zoho-overdue-task-{task.id}",
                        max_retries=JOB_MAX_RETRIES,
                    )._zoho_push()
