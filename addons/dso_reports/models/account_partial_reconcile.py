from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        partials._credit_hold_after_payment()
        return partials

    def _credit_hold_after_payment(self):
        """A customer on hold who pays is released as soon as no rule holds them."""
        lines = self.debit_move_id.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        held = lines.partner_id.commercial_partner_id.filtered("credit_hold")
        for company in lines.company_id:
            held.with_company(company)._credit_hold_refresh()
