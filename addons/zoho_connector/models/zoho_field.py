from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..components.mapping import TRANSFORMS

MODULES = [("Accounts", "Accounts"), ("Contacts", "Contacts")]


class ZohoField(models.Model):
    """A field of a Zoho module, as Zoho's /settings/fields describes it."""

    _name = "zoho.field"
    _description = "Zoho CRM field"
    _order = "zoho_module, label"
    _rec_names_search = ["label", "api_name"]

    backend_id = fields.Many2one("zoho.backend", required=True, ondelete="cascade")
    zoho_module = fields.Selection(MODULES, required=True)
    api_name = fields.Char(required=True)
    label = fields.Char()
    data_type = fields.Char()
    custom_field = fields.Boolean()

    _sql_constraints = [
        (
            "field_unique",
            "UNIQUE(backend_id, zoho_module, api_name)",
            "This Zoho field is already known.",
        ),
    ]

    @api.depends("label", "api_name", "data_type")
    def _compute_display_name(self):
        for field in self:
            label = field.label or field.api_name
            field.display_name = f"{label} ({field.api_name}, {field.data_type or '?'})"


class ZohoFieldMapping(models.Model):
    """Which Zoho field fills which Odoo field, and who owns the value."""

    _name = "zoho.field.mapping"
    _description = "Zoho CRM field mapping"
    _order = "zoho_module, sequence, id"

    backend_id = fields.Many2one("zoho.backend", required=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    zoho_module = fields.Selection(MODULES, required=True, default="Accounts")
    zoho_field_id = fields.Many2one(
        "zoho.field",
        string="Zoho field (from Zoho)",
        domain="[('backend_id', '=', backend_id), ('zoho_module', '=', zoho_module)]",
        help="Load the fields from Zoho on the backend, then pick one here.",
    )
    zoho_field = fields.Char(
        "Zoho field API name",
        required=True,
        compute="_compute_zoho_field",
        store=True,
        readonly=False,
    )
    odoo_field_id = fields.Many2one(
        "ir.model.fields",
        string="Odoo field",
        required=True,
        ondelete="cascade",
        domain="[('model', '=', 'res.partner')]",
        help="Zoho-owned values fill a stored field; Odoo-owned values may come "
        "from any field, computed ones included.",
    )
    transform = fields.Selection(TRANSFORMS, required=True, default="text")
    owner = fields.Selection(
        [("zoho", "Zoho (CRM field)"), ("odoo", "Odoo (money field)")],
        required=True,
        default="zoho",
        help="Zoho-owned values flow Zoho → Odoo and are never sent back; Odoo-owned "
        "values flow Odoo → Zoho and a pull never overwrites them. A value therefore "
        "never bounces between the two.",
    )
    picklist_ids = fields.One2many(
        "zoho.picklist.map", "mapping_id", string="Picklist values"
    )

    _sql_constraints = [
        (
            "mapping_unique",
            "UNIQUE(backend_id, zoho_module, zoho_field)",
            "This Zoho field is already mapped.",
        ),
    ]

    @api.constrains("owner", "odoo_field_id")
    def _check_zoho_owned_field_is_stored(self):
        for mapping in self:
            if mapping.owner == "zoho" and not mapping.odoo_field_id.store:
                raise ValidationError(
                    self.env._(
                        "%s is computed by Odoo: only Odoo can own its value.",
                        mapping.odoo_field_id.field_description,
                    )
                )

    @api.depends("zoho_field_id")
    def _compute_zoho_field(self):
        for mapping in self:
            if mapping.zoho_field_id:
                mapping.zoho_field = mapping.zoho_field_id.api_name


class ZohoPicklistMap(models.Model):
    """A Zoho picklist value and the Odoo payment terms it stands for."""

    _name = "zoho.picklist.map"
    _description = "Zoho picklist value mapping"

    mapping_id = fields.Many2one(
        "zoho.field.mapping", required=True, ondelete="cascade"
    )
    zoho_value = fields.Char(required=True)
    payment_term_id = fields.Many2one("account.payment.term")
    odoo_value = fields.Char(
        "Odoo value", help="For a selection field: the value it takes in Odoo."
    )
