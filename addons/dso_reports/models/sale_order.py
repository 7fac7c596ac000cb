from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    credit_hold_warning = fields.Char(compute="_compute_credit_hold_warning")

    @api.depends("partner_id")
    def _compute_credit_hold_warning(self):
        for order in self:
            customer = order.partner_id.commercial_partner_id
            order.credit_hold_warning = (
                customer.credit_hold
                and self.env._(
                    "%(customer)s is on credit hold: %(reason)s.",
                    customer=customer.display_name,
                    reason=customer.credit_hold_reason,
                )
            ) or False
