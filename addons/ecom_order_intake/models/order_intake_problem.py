from odoo import fields, models

PROBLEM_CODES = [
    ("parse", "Unreadable document"),
    ("format", "Format not accepted"),
    ("customer", "Unknown customer"),
    ("customer_ambiguous", "Several customers match"),
    ("customer_conflict", "Identifiers name different customers"),
    ("eligibility", "No payment and no monthly account"),
    ("product", "Unknown product"),
    ("product_ambiguous", "Several products match"),
    ("uom", "Unit of measure"),
    ("currency", "Currency"),
    ("price", "Price outside tolerance"),
    ("payment", "Payment"),
    ("change", "Change or cancellation"),
    ("error", "Unexpected error"),
]


class EcomOrderIntakeProblem(models.Model):
    """Why an intake waits for a person, in words a customer-service agent reads."""

    _name = "ecom.order.intake.problem"
    _description = "Web shop order intake problem"
    _order = "intake_id, id"

    intake_id = fields.Many2one(
        "ecom.order.intake", required=True, ondelete="cascade", index=True
    )
    code = fields.Selection(PROBLEM_CODES, required=True)
    line_ref = fields.Char("Line")
    message = fields.Char(required=True)
