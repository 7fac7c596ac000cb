from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    job_ticket_scope = fields.Selection(
        related="company_id.job_ticket_scope", readonly=False
    )
