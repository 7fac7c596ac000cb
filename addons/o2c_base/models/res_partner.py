from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    zoho_account_id = fields.Char(
        string="Zoho account ID",
        copy=False,
        index="btree_not_null",
        tracking=True,
        help="Record id of the matching Account in Zoho CRM. Filled by the Zoho "
        "connector; the order intake matches customers on it first.",
    )
    monthly_billing_eligible = fields.Boolean(
        string="Monthly account",
        tracking=True,
        help="The customer may order without paying by card; orders are "
        "invoiced and paid on the payment terms.",
    )

    _sql_constraints = [
        (
            "zoho_account_id_unique",
            "UNIQUE(zoho_account_id)",
            "Another contact is already linked to this Zoho account.",
        ),
    ]

    @api.model
    def _commercial_fields(self):
        # zoho_account_id stays on the company: child contacts have their own ids
        return super()._commercial_fields() + ["monthly_billing_eligible"]
