from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._reconcile_ecom_card_payments()
        return posted

    def _reconcile_ecom_card_payments(self):
        """Settle invoices of shop orders with the card payment the shop took."""
        for invoice in self.filtered(lambda move: move.move_type == "out_invoice"):
            payments = invoice.line_ids.sale_line_ids.order_id.ecom_payment_id.filtered(
                lambda pay: pay.state in ("in_process", "paid")
            )
            if not payments:
                continue
            receivable = invoice.line_ids.filtered(
                lambda line: (
                    line.account_type == "asset_receivable" and not line.reconciled
                )
            )
            accounts = receivable.account_id
            payment_lines = payments.move_id.line_ids.filtered(
                lambda line, accounts=accounts: (
                    line.account_id in accounts and not line.reconciled
                )
            )
            if receivable and payment_lines:
                (receivable + payment_lines).reconcile()
