from odoo import models


class ProductPricelist(models.Model):
    _inherit = "product.pricelist"

    def _get_applicable_rules(self, products, date, ecom_order_rules=None, **kwargs):
        """With ``ecom_order_rules``: the rules of this pricelist for all the
        products of a web order, read once for the order (see
        ``ecom.order.intake._order_price_rules``) instead of once per line.
        They may hold rules of the order's other products: the price
        computation keeps only the rules applicable to each product
        (``_is_applicable_for``)."""
        if ecom_order_rules is not None:
            return ecom_order_rules
        return super()._get_applicable_rules(products, date, **kwargs)
