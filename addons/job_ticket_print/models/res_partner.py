from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResPartner(models.Model):
    _inherit = "res.partner"

    invoice_monthly = fields.Boolean(
        "Invoice monthly",
        tracking=True,
        help="Finished orders are not invoiced one by one but gathered into one "
        "invoice per month. Only for monthly accounts: card-paid orders are always "
        "invoiced when done, so the card payment settles the invoice.",
    )

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + ["invoice_monthly"]

    @api.constrains("invoice_monthly", "monthly_billing_eligible")
    def _check_invoice_monthly(self):
        for partner in self:
            if partner.invoice_monthly and not partner.monthly_billing_eligible:
                raise ValidationError(
                    _(
                        "%s is not a monthly account: only monthly accounts can be "
                        "invoiced monthly.",
                        partner.display_name,
                    )
                )
