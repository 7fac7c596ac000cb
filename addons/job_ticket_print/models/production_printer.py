import logging
import os
import re

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv.expression import OR as Domain_or
from odoo.tools import config

from ..ticket import transport
from ..ticket.content import test_page_ticket
from ..ticket.errors import PrinterError
from ..ticket.escpos_render import AUTO, render_escpos
from ..ticket.pdf_render import PAPER_SIZES, render_pdf

_logger = logging.getLogger(__name__)

KINDS = [
    ("escpos", "ESC/POS network printer"),
    ("cups", "CUPS / IPP queue (PDF)"),
    ("folder", "Folder (PDF and ESC/POS files)"),
]
PAPERS = [
    ("a4", "A4"),
    ("letter", "Letter"),
    ("label_100x150", "Label 100 × 150 mm"),
    ("label_62x100", "Label 62 × 100 mm"),
]
assert {key for key, _label in PAPERS} == set(PAPER_SIZES)


class ProductionPrinter(models.Model):
    _name = "production.printer"
    _description = "Job ticket printer"
    _inherit = ["mail.thread"]
    _order = "sequence, name"

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    kind = fields.Selection(KINDS, required=True, default="folder", tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    # ESC/POS
    host = fields.Char(tracking=True)
    port = fields.Integer(default=9100, tracking=True)
    escpos_profile = fields.Char(
        "Printer profile",
        default="default",
        help="A python-escpos printer profile (TM-T88III, TM-T20II...): it tells "
        "which code pages and features the printer has.",
    )
    paper_width_chars = fields.Integer("Paper width (characters)", default=42)
    code_page = fields.Char(
        default=AUTO,
        help="'auto': switch between the profile's code pages as the text needs. "
        "Or one code page (CP858, CP852...): characters it lacks print as their "
        "base letter.",
    )
    timeout = fields.Integer("Timeout (s)", default=10)
    # CUPS
    cups_queue = fields.Char("CUPS queue", tracking=True)
    cups_server = fields.Char(
        "CUPS server", help="host[:port] of the CUPS server; empty: this machine"
    )
    cups_options = fields.Char(
        "lp options", help="Space-separated -o options, e.g. 'media=A4 sides=one-sided'"
    )
    # folder
    folder_path = fields.Char(
        "Folder",
        help="Where the PDF and .escpos files go. A relative path is inside the "
        "Odoo data directory.",
    )
    paper = fields.Selection(PAPERS, "PDF paper", default="a4", required=True)
    # routing
    is_default = fields.Boolean(
        "Default printer",
        help="Prints the orders no other printer of the company takes.",
    )
    team_ids = fields.Many2many("crm.team", string="Sales teams")
    shop_ids = fields.Many2many("ecom.shop", string="Web shops")
    # status
    last_success_at = fields.Datetime("Last success", readonly=True)
    last_error = fields.Text(readonly=True)
    last_error_at = fields.Datetime("Last error at", readonly=True)
    print_job_ids = fields.One2many("production.print.job", "printer_id")
    queue_length = fields.Integer(compute="_compute_queue_length")

    @api.constrains("kind", "host", "cups_queue", "code_page", "escpos_profile")
    def _check_kind_settings(self):
        for printer in self:
            if printer.kind == "escpos" and not printer.host:
                raise ValidationError(_("An ESC/POS printer needs a host."))
            if printer.kind == "cups" and not printer.cups_queue:
                raise ValidationError(_("A CUPS printer needs a queue name."))
            if printer.kind == "escpos":
                printer._check_code_page()

    def _check_code_page(self):
        from escpos.capabilities import get_profile  # noqa: PLC0415

        try:
            code_pages = get_profile(self.escpos_profile or "default").get_code_pages()
        except Exception as exc:
            raise ValidationError(
                _("Unknown printer profile %s.", self.escpos_profile)
            ) from exc
        if self.code_page and self.code_page != AUTO:
            if self.code_page.upper() not in code_pages:
                raise ValidationError(
                    _(
                        "Profile %(profile)s has no code page %(page)s; it has: "
                        "%(pages)s",
                        profile=self.escpos_profile,
                        page=self.code_page,
                        pages=", ".join(code_pages),
                    )
                )

    @api.constrains("is_default", "company_id", "active")
    def _check_one_default(self):
        for printer in self.filtered(lambda p: p.is_default and p.active):
            if self.search_count(
                [
                    ("id", "!=", printer.id),
                    ("is_default", "=", True),
                    ("company_id", "=", printer.company_id.id),
                ]
            ):
                raise ValidationError(
                    _("%s already has a default printer.", printer.company_id.name)
                )

    def _compute_queue_length(self):
        counts = dict(
            self.env["production.print.job"]._read_group(
                [("printer_id", "in", self.ids), ("state", "=", "pending")],
                ["printer_id"],
                ["__count"],
            )
        )
        for printer in self:
            printer.queue_length = counts.get(printer, 0)

    @api.model
    def _for_order(self, order):
        """:return: the printer of ``order``: the first one of its company that
        takes its web shop, else its sales team, else the company's default."""
        base = [("company_id", "=", order.company_id.id)]
        shop = order.ecom_shop_id
        # one query when at most one printer could take the order (the usual
        # case: one default printer per company)
        options = [[("is_default", "=", True)]]
        if shop:
            options.append([("shop_ids", "in", shop.ids)])
        if order.team_id:
            options.append([("team_ids", "in", order.team_id.ids)])
        candidates = self.search([*base, *Domain_or(options)], limit=2)
        if len(candidates) < 2:
            return candidates
        if shop:
            printer = self.search([*base, ("shop_ids", "in", shop.ids)], limit=1)
            if printer:
                return printer
        if order.team_id:
            printer = self.search(
                [*base, ("team_ids", "in", order.team_id.ids)], limit=1
            )
            if printer:
                return printer
        return self.search([*base, ("is_default", "=", True)], limit=1)

    # ------------------------------------------------------------------ output
    def _resolved_folder(self):
        self.ensure_one()
        path = self.folder_path or "job_tickets"
        if not os.path.isabs(path):
            path = os.path.join(config["data_dir"], path, self.env.cr.dbname)
        return path

    def _send_ticket(self, ticket, basename):
        """Print ``ticket`` here: the one door to every kind of printer.

        :return: a reference of what was printed (CUPS job id, file path, host)
        :raises PrinterUnreachable: nothing was sent; try again later
        :raises PrinterError: something may have been sent
        """
        self.ensure_one()
        if self.kind == "escpos":
            data = render_escpos(
                ticket,
                profile=self.escpos_profile or "default",
                width=self.paper_width_chars or 42,
                code_page=self.code_page or AUTO,
            )
            transport.send_escpos(self.host, self.port, data, timeout=self.timeout)
            return f"{self.host}:{self.port}"
        pdf = render_pdf(ticket, self.paper)
        if self.kind == "cups":
            return transport.send_cups(
                self.cups_queue,
                pdf,
                basename,
                server=self.cups_server or None,
                options=(self.cups_options or "").split(),
                timeout=self.timeout * 3,
            )
        data = render_escpos(ticket, width=self.paper_width_chars or 42)
        paths = transport.write_folder(
            self._resolved_folder(), basename, {".pdf": pdf, ".escpos": data}
        )
        return paths[0]

    def _printer_says_not_printed(self, reference):
        """Ask the printer about a ticket sent without confirmation.

        :return: True only when the printer knows it did not print it (then it is
            printed again); False when it printed or cannot tell.
        """
        self.ensure_one()
        if self.kind == "folder" and reference:
            return not os.path.exists(reference)
        if self.kind == "cups" and reference and "-" in reference:
            return transport.cups_job_completed(reference, self.cups_server) is False
        return False

    def _record_result(self, error=None):
        """Store the outcome of a print on the printer (in the caller's cursor)."""
        now = fields.Datetime.now()
        if error:
            self.write({"last_error": error, "last_error_at": now})
        else:
            self.write({"last_success_at": now})

    def _qr_url(self, code):
        base = self.get_base_url()
        return f"{base}/job_ticket/o/{code}"

    def action_print_test_page(self):
        self.ensure_one()
        ticket = test_page_ticket(self.name, self._qr_url("TEST"))
        basename = re.sub(r"[^\w-]+", "_", f"test-page-{self.name}")
        try:
            reference = self._send_ticket(ticket, basename)
        except PrinterError as exc:
            self.sudo()._record_result(str(exc))
            raise UserError(_("The test page did not print: %s", exc)) from exc
        self.sudo()._record_result()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("Test page sent (%s).", reference),
                "sticky": False,
            },
        }

    def action_view_print_jobs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "job_ticket_print.action_print_job"
        )
        action["domain"] = [("printer_id", "=", self.id)]
        action["context"] = {"search_default_waiting": 1}
        return action
