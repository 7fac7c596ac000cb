from odoo import fields, models

from .zoho_work import JOB_MAX_RETRIES


class ZohoDedupeProposal(models.Model):
    """An unbound Zoho account that looks like an existing customer.

    It is never merged silently: a person binds it or creates a new customer.
    """

    _name = "zoho.dedupe.proposal"
    _description = "Zoho binding proposal"
    _order = "id desc"

    backend_id = fields.Many2one("zoho.backend", required=True, ondelete="cascade")
    zoho_module = fields.Char(default="Accounts", required=True)
    zoho_id = fields.Char("Zoho ID", required=True)
    zoho_name = fields.Char("Zoho account")
    partner_id = fields.Many2one(
        "res.partner", string="Existing customer", required=True
    )
    reason = fields.Char(help="What the two have in common.")
    state = fields.Selection(
        [("pending", "To decide"), ("bound", "Bound"), ("new", "Created new")],
        default="pending",
        required=True,
    )

    _sql_constraints = [
        (
            "proposal_unique",
            "UNIQUE(backend_id, zoho_module, zoho_id, partner_id)",
            "This proposal exists already.",
        ),
    ]

    def action_bind(self):
        for proposal in self.filtered(lambda prop: prop.state == "pending"):
            self.env["zoho.partner.binding"].create(
                {
                    "backend_id": proposal.backend_id.id,
                    "partner_id": proposal.partner_id.id,
                    "zoho_module": proposal.zoho_module,
                    "zoho_id": proposal.zoho_id,
                }
            )
            proposal.partner_id.zoho_account_id = proposal.zoho_id
            proposal.state = "bound"
            proposal.backend_id.with_delay(max_retries=JOB_MAX_RETRIES)._zoho_pull_ids(
                proposal.zoho_module, [proposal.zoho_id]
            )
        return True

    def action_create_new(self):
        for proposal in self.filtered(lambda prop: prop.state == "pending"):
            others = self.search(
                [
                    ("backend_id", "=", proposal.backend_id.id),
                    ("zoho_id", "=", proposal.zoho_id),
                    ("state", "=", "pending"),
                ]
            )
            others.state = "new"
            # the import sees the decision and creates a new customer
            proposal.backend_id.with_delay(max_retries=JOB_MAX_RETRIES)._zoho_pull_ids(
                proposal.zoho_module, [proposal.zoho_id]
            )
        return True
