from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    ecom_intake_id = fields.Many2one(
        "ecom.order.intake",
        string="Web shop intake",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    ecom_shop_id = fields.Many2one(
        "ecom.shop", string="Web shop", readonly=True, copy=False
    )
    ecom_payment_id = fields.Many2one(
        "account.payment",
        string="Shop card payment",
        readonly=True,
        copy=False,
        help="The card payment the shop took; reconciled with the order's invoice.",
    )

    def action_open_ecom_intake(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "ecom.order.intake",
            "res_id": self.ecom_intake_id.id,
            "view_mode": "form",
        }
