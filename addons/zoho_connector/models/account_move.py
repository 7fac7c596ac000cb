from odoo import SUPERUSER_ID, api, models

from .zoho_work import JOB_MAX_RETRIES


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        invoices = posted.filtered(lambda move: move.is_sale_document())
        if invoices:
            invoices._zoho_enqueue_invoice_push()
            invoices.partner_id._zoho_enqueue_receivables()
        return posted

    def button_draft(self):
        invoices = self.filtered(lambda move: move.is_sale_document())
        # no longer valid once reset (or cancelled, which resets posted moves
        # first): the customer's money facts change, and Zoho's invoice record
        # says "Cancelled" until the invoice is posted again. An unpaid invoice
        # has no reconciliation to undo, so nothing else would tell Zoho.
        leaving = invoices.filtered(
            lambda move: move.state == "posted" or move.zoho_record_id
        )
        # Odoo 18 keeps the PDF sent for the earlier posting linked to the invoice
        # (``invoice_pdf_report_id``), and neither sending again nor the Zoho push
        # would make a new one: detach it (it stays in the chatter as a plain
        # attachment), so the next sending and the next push use the changed
        # invoice's PDF
        sent_pdfs = invoices.invoice_pdf_report_id
        result = super().button_draft()
        if sent_pdfs:
            sent_pdfs.sudo().write({"res_field": False})
            invoices.invalidate_recordset(
                ["invoice_pdf_report_id", "invoice_pdf_report_file"]
            )
        invoices.filtered("zoho_record_id").sudo().zoho_pdf_stale = True
        leaving.partner_id._zoho_enqueue_receivables()
        return result

    def button_cancel(self):
        result = super().button_cancel()
        # a draft one Zoho has (reset earlier): its record or note says so now;
        # posted ones went through button_draft, which queued the same push
        self.filtered(
            lambda move: move.is_sale_document() and move.zoho_record_id
        ).partner_id._zoho_enqueue_receivables()
        return result

    def _zoho_enqueue_invoice_push(self):
        # whoever posts, the integration works as OdooBot (jobs included)
        bindings = (
            self.env["zoho.partner.binding"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("zoho_module", "=", "Accounts"),
                    ("backend_id.state", "=", "connected"),
                ]
            )
        )
        for invoice in self.filtered(lambda move: move.move_type == "out_invoice"):
            for binding in bindings.filtered(
                lambda bind, inv=invoice: bind.partner_id == inv.commercial_partner_id
            ):
                invoice.with_user(SUPERUSER_ID).with_delay(
                    description=f"Zoho: push invoice {invoice.name}",
                    identity_key=f"zoho-invoice-{invoice.id}-{binding.backend_id.id}",
                    max_retries=JOB_MAX_RETRIES,
                )._zoho_push_invoice(binding.backend_id.id)


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        # a payment met an invoice: the customer's balance changed
        partials._zoho_receivable_partners()._zoho_enqueue_receivables()
        return partials

    def unlink(self):
        # a payment taken back (unreconciled, returned ACH debit, cancelled
        # payment) re-opens invoices: the customer's balance changed too
        partners = self._zoho_receivable_partners()
        result = super().unlink()
        partners._zoho_enqueue_receivables()
        return result

    def _zoho_receivable_partners(self):
        """:return: the customers of the receivable lines these partials join"""
        lines = self.debit_move_id | self.credit_move_id
        return lines.filtered(
            lambda line: line.account_type == "asset_receivable"
        ).partner_id
