from odoo import api, fields, models

from ..utils import aging

OPEN_INVOICE_TYPES = ("out_invoice", "out_receipt")
#: notification groups of the customer side: their e-mail button becomes "Pay now"
PAY_BUTTON_GROUPS = ("portal_customer", "portal", "additional_intended_recipient")


class AccountMove(models.Model):
    _inherit = "account.move"

    portal_payment_status = fields.Selection(
        selection=[(key, label) for key, label in aging.STATUS_LABELS.items()],
        string="Customer payment status",
        compute="_compute_portal_payment_status",
        help="What the customer sees in the portal. A payment still processing at "
        "the bank (ACH) keeps the invoice out of 'Paid' until it settles.",
    )

    @api.depends("amount_total", "amount_residual", "transaction_ids.state")
    def _compute_portal_payment_status(self):
        for move in self:
            processing = any(tx.state == "pending" for tx in move.transaction_ids)
            move.portal_payment_status = aging.invoice_status(
                move.amount_total,
                move.amount_residual,
                processing,
                rounding=move.currency_id.rounding / 2 if move.currency_id else 0.005,
            )

    def _portal_pay_url(self):
        """URL of the multi-invoice pay flow with this invoice ticked.

        Carries the invoice's access token so the link of the invoice e-mail works
        without logging in.
        """
        self.ensure_one()
        token = self._portal_ensure_token()
        return (
            f"{self.get_base_url()}/my/account/pay"
            f"?invoice_ids={self.id}&access_token={token}"
        )

    def _notify_get_recipients_groups(self, message, model_description, msg_vals=None):
        # The button of the invoice e-mail (stock template and layout) opens the
        # pay flow with the invoice ticked while the invoice is open.
        groups = super()._notify_get_recipients_groups(
            message, model_description, msg_vals=msg_vals
        )
        if (
            len(self) != 1
            or self.move_type not in OPEN_INVOICE_TYPES
            or self.state != "posted"
            or self.payment_state not in ("not_paid", "partial")
        ):
            return groups
        pay_url = self._portal_pay_url()
        for group_name, _group_method, group_data in groups:
            if group_name in PAY_BUTTON_GROUPS and group_data.get("has_button_access"):
                group_data["button_access"] = {
                    "url": pay_url,
                    "title": self.env._("Pay now"),
                }
        return groups
