from odoo import fields, models

from .order_intake import REVIEWER_LINE_FIELDS, _check_reviewer_write


class EcomOrderIntakeLine(models.Model):
    """One order line as the shop sent it, and the product it was matched to."""

    _name = "ecom.order.intake.line"
    _description = "Web shop order intake line"
    _order = "intake_id, sequence, id"

    intake_id = fields.Many2one(
        "ecom.order.intake", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer()
    line_ref = fields.Char("Line", readonly=True)
    sku = fields.Char("SKU", readonly=True)
    gtin = fields.Char("GTIN", readonly=True)
    description = fields.Char(readonly=True)
    quantity = fields.Float(readonly=True, digits="Product Unit of Measure")
    uom_code = fields.Char("Unit", readonly=True, help="UN/ECE Recommendation 20 code")
    unit_price = fields.Float("Shop price", readonly=True, digits="Product Price")
    product_id = fields.Many2one(
        "product.product",
        help="Matched product. In review, choose one: it is remembered for this shop.",
    )
    product_set_by_reviewer = fields.Boolean(readonly=True)
    problem = fields.Char(readonly=True)

    def write(self, vals):
        _check_reviewer_write(self, vals, REVIEWER_LINE_FIELDS)
        return super().write(vals)
