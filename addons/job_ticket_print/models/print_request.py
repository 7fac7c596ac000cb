from odoo import fields, models


class ProductionPrintRequest(models.Model):
    """Who asked for a ticket to print, and why: the first print and every reprint."""

    _name = "production.print.request"
    _description = "Request to print a job ticket"
    _order = "id desc"

    print_job_id = fields.Many2one(
        "production.print.job", required=True, ondelete="cascade", index=True
    )
    kind = fields.Selection(
        [("first", "Order confirmed"), ("reprint", "Reprint")], required=True
    )
    user_id = fields.Many2one(
        "res.users", "Requested by", required=True, default=lambda self: self.env.user
    )
    reason = fields.Char()
    folded = fields.Boolean(
        "Joined a waiting print",
        help="The ticket had not printed yet when the reprint was asked for: it "
        "prints once.",
    )
