from werkzeug.urls import url_encode

from odoo import http
from odoo.http import request


class JobTicketController(http.Controller):
    _order_url = "/job_ticket/o/<string:code>"

    @http.route(_order_url, type="http", auth="user", methods=["GET"])
    def open_from_ticket(self, code, **_kwargs):
        """The ticket's QR code: open the scan page on this order (phone camera)."""
        query = url_encode({"code": code})
        return request.redirect(
            f"/odoo/action-job_ticket_print.action_production_scan?{query}"
        )
