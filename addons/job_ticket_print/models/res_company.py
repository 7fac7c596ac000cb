from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    job_ticket_scope = fields.Selection(
        [("all", "Every confirmed order"), ("intake", "Web shop orders only")],
        string="Print job tickets for",
        default="all",
        required=True,
    )
