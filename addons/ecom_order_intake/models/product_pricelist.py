from odoo import models
from odoo.osv.expression import TRUE_LEAF


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

    def _ecom_order_rules(self, products, date):
        """:return: the rules of this pricelist that may apply to ``products``
        at ``date``: Odoo's search, but with the rules of every product
        category. The price computation keeps those of the product's category
        and its parents (``_is_applicable_for``), as it does for the rules of
        other products; searching by category would first read the categories
        of the order's products and their parents, for every web order."""
        self.ensure_one()
        domain = [
            TRUE_LEAF
            if isinstance(leaf, tuple | list)
            and tuple(leaf[:2]) == ("categ_id", "parent_of")
            else leaf
            for leaf in self._get_applicable_rules_domain(products=products, date=date)
        ]
        # with the rules of an archived pricelist, as Odoo's search
        return (
            self.env["product.pricelist.item"]
            .with_context(active_test=False)
            .search(domain)
            .with_env(self.env)
        )
