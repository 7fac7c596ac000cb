import json
import logging
import time

from odoo import http
from odoo.http import request

from ..parsers.common import OrderParseError
from ..parsers.header import read_header
from ..utils.webhook_signature import SignatureError, verify

_logger = logging.getLogger(__name__)


class OrderIntakeController(http.Controller):
    """The web shop's door: authenticate, store, answer. Processing runs later."""

    _orders_url = "/ecom/intake/<string:shop_code>/orders"
    _status_url = "/ecom/intake/<string:shop_code>/orders/<string:intake_ref>"

    @http.route(
        _orders_url,
        type="http",
        methods=["POST"],
        # "none": the signature authenticates; the public user is set below
        # without the framework's query, so the request's transaction is unused
        auth="none",
        readonly=False,  # "none" would first try a read-only transaction
        csrf=False,
        save_session=False,
    )
    def receive_order(self, shop_code, **_kwargs):
        if not request.db:
            return self._error(404, "unknown_shop", "No active shop has this code.")
        request.update_env(
            user=request.env["ir.model.data"]._xmlid_to_res_id("base.public_user")
        )
        door = request.env["ecom.shop"].sudo()._intake_door(shop_code)
        if door is None:
            return self._error(404, "unknown_shop", "No active shop has this code.")
        httprequest = request.httprequest
        declared = httprequest.content_length
        if declared is None:
            return self._error(
                411, "length_required", "Send the order with a Content-Length."
            )
        if declared > door.max_body_bytes:
            return self._error(
                413,
                "too_large",
                f"The order is larger than {door.max_body_bytes} bytes.",
            )
        body = httprequest.get_data(cache=False)
        denied = self._authenticate(door, body)
        if denied:
            return denied
        try:
            header = read_header(body)
        except OrderParseError as exc:
            return self._error(400, "unreadable", str(exc))
        # claim and store the delivery in the request's transaction (committed
        # before the answer) when it can still be made READ COMMITTED; else in a
        # short transaction of its own
        Intake = request.env["ecom.order.intake"].sudo()
        status, created = Intake._receive(
            request.env["ecom.shop"].sudo().browse(door.shop_id),
            httprequest.headers["webhook-id"],
            dict(httprequest.headers),
            body,
            header,
            own_transaction=not Intake._request_transaction_unused(),
            company_id=door.company_id,
        )
        status["status_url"] = self._status_path(door, status["intake"])
        status["duplicate"] = not created
        return request.make_json_response(status, status=202 if created else 200)

    @http.route(
        _status_url,
        type="http",
        methods=["GET"],
        auth="public",
        csrf=False,
        save_session=False,
    )
    def order_status(self, shop_code, intake_ref, **_kwargs):
        door = request.env["ecom.shop"].sudo()._intake_door(shop_code)
        if door is None:
            return self._error(404, "unknown_shop", "No active shop has this code.")
        denied = self._authenticate(door, b"")
        if denied:
            return denied
        intake = (
            request.env["ecom.order.intake"]
            .sudo()
            .search(
                [("shop_id", "=", door.shop_id), ("name", "=", intake_ref)], limit=1
            )
        )
        if not intake:
            return self._error(
                404, "unknown_intake", "This shop has no intake with this reference."
            )
        status = intake._status_payload()
        status["status_url"] = self._status_path(door, intake.name)
        return request.make_json_response(status)

    # -- helpers ----------------------------------------------------------------

    def _authenticate(self, door, body):
        """:return: an error response, or None when the request is authentic."""
        headers = request.httprequest.headers
        try:
            verify(
                list(door.secrets),
                headers.get("webhook-id"),
                headers.get("webhook-timestamp"),
                headers.get("webhook-signature"),
                body,
                now=time.time(),
                tolerance=door.timestamp_tolerance_seconds,
            )
        except SignatureError as exc:
            _logger.info("Shop %s: refused delivery: %s", door.code, exc)
            return self._error(401, "unauthorized", str(exc))
        return None

    def _status_path(self, door, intake_ref):
        return f"/ecom/intake/{door.code}/orders/{intake_ref}"

    def _error(self, status, code, message):
        return request.make_response(
            json.dumps({"error": code, "message": message}),
            headers=[("Content-Type", "application/json")],
            status=status,
        )
