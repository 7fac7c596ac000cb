from odoo import _, fields, models
from odoo.exceptions import UserError


class ProductionPrintJobReprint(models.TransientModel):
    _name = "production.print.job.reprint"
    _description = "Reprint a job ticket"

    order_id = fields.Many2one("sale.order", required=True)
    reason = fields.Char(required=True)

    def action_reprint(self):
        self.ensure_one()
        job = self.env["production.print.job"].search(
            [("order_id", "=", self.order_id.id)], order="id desc", limit=1
        )
        if not job:
            raise UserError(_("%s has no job ticket to reprint.", self.order_id.name))
        queued = job.action_reprint(self.reason)
        message = (
            _("The ticket of %s will print again.", self.order_id.name)
            if queued
            else _(
                "The ticket of %s had not printed yet: it prints once.",
                self.order_id.name,
            )
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
