"""The credit hold reaches Zoho with the receivable facts the connector pushes."""

from odoo import api, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _zoho_receivable_facts(self):
        facts = super()._zoho_receivable_facts()
        partner = self.commercial_partner_id
        facts["credit_hold"] = partner.credit_hold
        facts["credit_hold_reason"] = partner.credit_hold_reason or ""
        return facts


# Odoo-owned Zoho fields of the credit hold (zoho field, partner field, transform):
# a pull never overwrites them; a mapping-driven push sends them.
CREDIT_HOLD_MAPPINGS = [
    ("Credit_Hold__c", "credit_hold", "boolean"),
    ("Credit_Hold_Reason__c", "credit_hold_reason", "text"),
]


class ZohoBackend(models.Model):
    _inherit = "zoho.backend"

    def _create_default_mappings(self):
        result = super()._create_default_mappings()
        self._dso_add_credit_hold_mappings()
        return result

    @api.model
    def _dso_install_credit_hold_mappings(self):
        """At install: the backends that exist already get the mappings too."""
        self.with_context(active_test=False).search([])._dso_add_credit_hold_mappings()

    def _dso_add_credit_hold_mappings(self):
        """Map the hold fields as Odoo-owned: the connector's own ``Credit_Hold__c``
        mapping (unique per backend and Zoho field) is repointed to the hold."""
        Mapping = self.env["zoho.field.mapping"].with_context(active_test=False)
        odoo_fields = {
            field.name: field
            for field in self.env["ir.model.fields"].search(
                [
                    ("model", "=", "res.partner"),
                    ("name", "in", [name for _z, name, _t in CREDIT_HOLD_MAPPINGS]),
                ]
            )
        }
        for backend in self:
            known = {
                mapping.zoho_field: mapping
                for mapping in Mapping.search(
                    [("backend_id", "=", backend.id), ("zoho_module", "=", "Accounts")]
                )
            }
            new = []
            for zoho_field, odoo_field, transform in CREDIT_HOLD_MAPPINGS:
                values = {
                    "odoo_field_id": odoo_fields[odoo_field].id,
                    "transform": transform,
                    "owner": "odoo",
                }
                if zoho_field in known:
                    known[zoho_field].write(values)
                else:
                    new.append(
                        dict(
                            values,
                            backend_id=backend.id,
                            sequence=100,
                            zoho_module="Accounts",
                            zoho_field=zoho_field,
                        )
                    )
            Mapping.create(new)
