from odoo import api, fields, models
from odoo.exceptions import ValidationError


class EcomShopMapping(models.Model):
    """What a shop calls a customer or a product, mapped to ours by a person."""

    _name = "ecom.shop.mapping"
    _description = "Web shop code mapping"
    _order = "shop_id, kind, external_code"
    _rec_name = "external_code"

    shop_id = fields.Many2one(
        "ecom.shop", required=True, ondelete="cascade", index=True
    )
    kind = fields.Selection(
        [("customer", "Customer"), ("product", "Product")], required=True
    )
    external_code = fields.Char(
        "Shop's code",
        required=True,
        help="Customer: the account number, GLN, VAT, e-mail or name the shop sends. "
        "Product: the SKU or GTIN the shop sends.",
    )
    partner_id = fields.Many2one("res.partner", string="Customer", ondelete="cascade")
    product_id = fields.Many2one("product.product", ondelete="cascade")

    _sql_constraints = [
        (
            "code_unique",
            "UNIQUE(shop_id, kind, external_code)",
            "This shop code is already mapped.",
        ),
    ]

    @api.constrains("kind", "partner_id", "product_id")
    def _check_target(self):
        for mapping in self:
            if mapping.kind == "customer" and not mapping.partner_id:
                raise ValidationError(
                    self.env._("A customer mapping needs a customer.")
                )
            if mapping.kind == "product" and not mapping.product_id:
                raise ValidationError(self.env._("A product mapping needs a product."))

    @api.model
    def _remember(self, shop, kind, external_code, record):
        """Create or update the mapping ``external_code`` → ``record``."""
        if not external_code:
            return self.browse()
        target = "partner_id" if kind == "customer" else "product_id"
        mapping = self.search(
            [
                ("shop_id", "=", shop.id),
                ("kind", "=", kind),
                ("external_code", "=", external_code),
            ],
            limit=1,
        )
        if mapping:
            mapping[target] = record
            return mapping
        return self.create(
            {
                "shop_id": shop.id,
                "kind": kind,
                "external_code": external_code,
                target: record.id,
            }
        )

    @api.model
    def _lookup(self, shop, kind, codes):
        """:return: the mapped record for the first of ``codes`` that is mapped."""
        codes = [code for code in codes if code]
        if not codes:
            return None
        mappings = self.search(
            [
                ("shop_id", "=", shop.id),
                ("kind", "=", kind),
                ("external_code", "in", codes),
            ]
        )
        by_code = {mapping.external_code: mapping for mapping in mappings}
        for code in codes:
            if code in by_code:
                mapping = by_code[code]
                return mapping.partner_id if kind == "customer" else mapping.product_id
        return None
