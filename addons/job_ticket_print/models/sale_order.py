from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .print_job import STATES


class SaleOrder(models.Model):
    _inherit = "sale.order"

    production_stage_id = fields.Many2one(
        "production.stage",
        string="Production stage",
        tracking=True,
        copy=False,
        index="btree_not_null",
        group_expand="_read_group_production_stage_ids",
    )
    production_stage_done = fields.Boolean(related="production_stage_id.is_done")
    production_note = fields.Text(
        "Internal note", help="For production: printed on the job ticket."
    )
    print_job_ids = fields.One2many("production.print.job", "order_id")
    ticket_printer_id = fields.Many2one(
        "production.printer",
        string="Ticket printer",
        compute="_compute_ticket_printer_id",
        store=True,
    )
    ticket_state = fields.Selection(
        STATES, string="Ticket", compute="_compute_ticket_state"
    )

    @api.depends("print_job_ids.printer_id")
    def _compute_ticket_printer_id(self):
        for order in self:
            order.ticket_printer_id = order.print_job_ids[:1].printer_id

    @api.depends("print_job_ids.state")
    def _compute_ticket_state(self):
        for order in self:
            order.ticket_state = order.print_job_ids[:1].state

    @api.model
    def _read_group_production_stage_ids(self, stages, domain):
        return stages.search([])

    def _job_ticket_wanted(self):
        """:return: the orders of ``self`` that get a job ticket on confirmation
        (per company: every order, or only those from the web shop)."""
        return self.filtered(
            lambda order: (
                order.company_id.job_ticket_scope == "all" or order.ecom_intake_id
            )
        )

    def action_confirm(self):
        result = super().action_confirm()
        confirmed = self.filtered(lambda order: order.state == "sale")
        first = self.env["production.stage"].search([], limit=1)
        confirmed.filtered(lambda order: not order.production_stage_id).write(
            {"production_stage_id": first.id}
        )
        wanted = confirmed._job_ticket_wanted().filtered(
            lambda order: not order.print_job_ids
        )
        self.env["production.print.job"]._create_for_orders(wanted)
        return result

    def write(self, vals):
        if "production_stage_id" not in vals:
            return super().write(vals)
        stage = self.env["production.stage"].browse(vals["production_stage_id"])
        newly_done = self.filtered(
            lambda order: stage.is_done and not order.production_stage_id.is_done
        )
        result = super().write(vals)
        newly_done._on_production_done()
        return result

    def _on_production_done(self):
        """Hook: the orders reached a done stage. Invoice them now (in a job after
        commit), unless their customer is invoiced monthly."""
        for order in self:
            if order.partner_invoice_id.commercial_partner_id.invoice_monthly:
                order.message_post(
                    body=_("Production done: invoiced with the monthly invoice.")
                )
                continue
            order.with_delay(
                description=_("Invoice and e-mail %s", order.name)
            )._job_invoice_on_completion()

    # ------------------------------------------------------------ production UI
    def _next_production_stage(self):
        self.ensure_one()
        stages = self.env["production.stage"].search([])
        current = self.production_stage_id
        if not current:
            return stages[:1]
        later = stages.filtered(
            lambda stage: (stage.sequence, stage.id) > (current.sequence, current.id)
        )
        return later[:1]

    def action_production_next_stage(self):
        for order in self:
            if order.state != "sale":
                raise UserError(_("%s is not a confirmed order.", order.name))
            nxt = order._next_production_stage()
            if not nxt:
                raise UserError(_("%s is already in its last stage.", order.name))
            order.production_stage_id = nxt
        return True

    @api.model
    def production_scan(self, code):
        """Find the order of a scanned ticket (barcode, or the QR code's URL).

        :return: a dict for the scan page, or ``{"error": ...}``
        """
        code = (code or "").strip()
        if "/job_ticket/o/" in code:
            code = code.rsplit("/job_ticket/o/", 1)[1].split("?")[0].strip("/")
        if not code:
            return {"error": _("Nothing scanned.")}
        order = self.search([("name", "=", code), ("state", "=", "sale")], limit=1)
        if not order:
            return {"error": _("No confirmed order %s.", code)}
        return order._production_scan_info()

    def _production_scan_info(self):
        self.ensure_one()
        nxt = self._next_production_stage()
        return {
            "id": self.id,
            "name": self.name,
            "customer": self.partner_id.commercial_partner_id.name,
            "shop_ref": self.client_order_ref or "",
            "stage": self.production_stage_id.name or "",
            "next_stage": nxt.name or "",
            "next_is_done": nxt.is_done,
        }

    def production_scan_advance(self):
        """Move to the next stage from the scan page.

        :return: the new scan info
        """
        self.ensure_one()
        self.action_production_next_stage()
        return self._production_scan_info()

    def action_open_print_jobs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "job_ticket_print.action_print_job"
        )
        action["domain"] = [("order_id", "=", self.id)]
        return action
