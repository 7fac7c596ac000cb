import logging

from psycopg2.errors import LockNotAvailable

from odoo import _, api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError

_logger = logging.getLogger(__name__)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    invoice_send_error = fields.Text(
        "Invoice e-mail error",
        compute="_compute_invoice_send_error",
        help="Set while the e-mail of one of its invoices fails and is retried.",
    )

    @api.depends("invoice_ids.o2c_send_state", "invoice_ids.o2c_send_error")
    def _compute_invoice_send_error(self):
        for order in self:
            failing = order.invoice_ids.filtered(
                lambda move: move.o2c_send_state == "retrying"
            )
            order.invoice_send_error = (
                "\n".join(f"{move.name}: {move.o2c_send_error}" for move in failing)
                or False
            )

    def _lock_for_invoicing(self):
        """Row-lock the orders so one job at a time invoices them.

        :raises RetryableJobError: another transaction holds them
        """
        try:
            self.env.cr.execute(
                "SELECT id FROM sale_order WHERE id IN %s FOR UPDATE NOWAIT",
                [tuple(self.ids)],
            )
        except LockNotAvailable as exc:
            raise RetryableJobError(
                _("The order is being invoiced by another job."), seconds=5
            ) from exc
        self.invalidate_recordset(["invoice_status", "invoice_ids"])

    def _job_invoice_on_completion(self):
        """queue_job body: invoice a finished order, post it, queue the e-mail.

        Runs once per order even when retried: the order row is locked and only
        what is still *to invoice* is invoiced.

        :return: the invoices made, for the job's result
        """
        self.ensure_one()
        self._lock_for_invoicing()
        if self.invoice_status != "to invoice":
            return _("%s: nothing to invoice", self.name)
        invoices = self.sudo()._create_invoices()
        invoices.action_post()
        invoices._queue_o2c_send()
        return _(
            "%(order)s: %(invoices)s posted, e-mail queued",
            order=self.name,
            invoices=", ".join(invoices.mapped("name")),
        )

    @api.model
    def _cron_invoice_monthly(self):
        """Monthly cron: one invoice per "invoice monthly" customer for its
        finished orders, posted and e-mailed like a per-order invoice."""
        orders = self.search(
            [
                ("state", "=", "sale"),
                ("invoice_status", "=", "to invoice"),
                ("production_stage_id.is_done", "=", True),
                ("partner_invoice_id.commercial_partner_id.invoice_monthly", "=", True),
            ],
            order="id",
        )
        groups = {}
        for order in orders:
            key = (
                order.company_id,
                order.partner_invoice_id.commercial_partner_id,
                order.currency_id,
            )
            groups.setdefault(key, self.browse())
            groups[key] |= order
        invoices = self.env["account.move"]
        for (_company, customer, _currency), group in groups.items():
            invoice = (
                group.sudo()
                .with_context(o2c_invoice_partner=customer.id)
                ._create_invoices()
            )
            invoice.action_post()
            invoices |= invoice
        invoices._queue_o2c_send()
        return invoices

    def _get_invoice_grouping_keys(self):
        keys = super()._get_invoice_grouping_keys()
        if self.env.context.get("o2c_invoice_partner"):
            # the monthly invoice gathers every contact of the customer
            keys = [key for key in keys if key != "partner_id"]
        return keys

    def _prepare_invoice(self):
        values = super()._prepare_invoice()
        customer = self.env.context.get("o2c_invoice_partner")
        if customer:
            values["partner_id"] = customer
        return values
