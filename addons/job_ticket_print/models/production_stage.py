from odoo import fields, models


class ProductionStage(models.Model):
    _name = "production.stage"
    _description = "Production stage of a sale order"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean("Folded on the board")
    is_done = fields.Boolean(
        "Done",
        help="An order reaching this stage is finished: it is invoiced and the "
        "invoice is e-mailed (or it waits for the monthly invoice).",
    )
    active = fields.Boolean(default=True)
