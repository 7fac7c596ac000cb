from odoo import fields, models

from .zoho_field import MODULES


class ZohoPartnerBinding(models.Model):
    """A Zoho Account or Contact and the Odoo partner it is."""

    _name = "zoho.partner.binding"
    _description = "Zoho CRM record binding"
    _order = "backend_id, zoho_module, id"
    _rec_name = "zoho_id"

    backend_id = fields.Many2one(
        "zoho.backend", required=True, ondelete="restrict", index=True
    )
    partner_id = fields.Many2one(
        "res.partner", required=True, ondelete="restrict", index=True
    )
    zoho_module = fields.Selection(MODULES, required=True)
    zoho_id = fields.Char("Zoho ID", required=True)
    zoho_modified_at = fields.Datetime("Modified in Zoho", readonly=True)
    synced_at = fields.Datetime("Last sync", readonly=True)
    active = fields.Boolean(default=True)
    deleted_in_zoho = fields.Boolean(readonly=True)
    receivables_pushed_at = fields.Datetime(readonly=True)

    _sql_constraints = [
        (
            "zoho_id_unique",
            "UNIQUE(backend_id, zoho_module, zoho_id)",
            "This Zoho record is already bound to a partner.",
        ),
    ]
