from odoo import api, fields, models

from ..utils.webhook_signature import generate_secret


class EcomShopSecret(models.Model):
    """A signing secret of a shop; several may be active while a shop rotates."""

    _name = "ecom.shop.secret"
    _description = "Web shop signing secret"
    _order = "create_date desc, id desc"

    shop_id = fields.Many2one(
        "ecom.shop", required=True, ondelete="cascade", index=True
    )
    name = fields.Char(
        "Label", required=True, default=lambda self: fields.Date.today().isoformat()
    )
    secret = fields.Char(
        required=True, default=lambda self: generate_secret(), copy=False
    )
    active = fields.Boolean(default=True)

    @api.model_create_multi
    def create(self, vals_list):
        self.env["ecom.shop"]._forget_intake_doors()
        secrets = super().create(vals_list)
        for secret in secrets:
            secret.shop_id.message_post(
                body=self.env._("Signing secret “%s” added.", secret.name)
            )
        return secrets

    def write(self, vals):
        self.env["ecom.shop"]._forget_intake_doors()
        return super().write(vals)

    def unlink(self):
        self.env["ecom.shop"]._forget_intake_doors()
        return super().unlink()
