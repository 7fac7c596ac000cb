"""The credit hold reaches Zoho with the receivable facts the connector pushes."""

from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _zoho_receivable_facts(self):
        facts = super()._zoho_receivable_facts()
        partner = self.commercial_partner_id
        facts["credit_hold"] = partner.credit_hold
        facts["credit_hold_reason"] = partner.credit_hold_reason or ""
        return facts
