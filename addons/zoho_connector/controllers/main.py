import json

from odoo import http
from odoo.http import request

from ..models.zoho_notify import NOTIFY_PATH


class ZohoNotificationController(http.Controller):
    """Zoho's notification channel calls here with the ids that changed."""

    @http.route(
        NOTIFY_PATH,
        type="http",
        methods=["POST"],
        auth="public",
        csrf=False,
        save_session=False,
    )
    def notify(self, **_kwargs):
        try:
            payload = json.loads(request.httprequest.get_data(cache=False) or b"{}")
        except ValueError:
            return request.make_json_response({"error": "not JSON"}, status=400)
        if not isinstance(payload, dict):
            return request.make_json_response({"error": "not an object"}, status=400)
        accepted = (
            request.env["zoho.backend"].sudo()._zoho_receive_notification(payload)
        )
        if not accepted:
            return request.make_json_response({"error": "unknown channel"}, status=403)
        return request.make_json_response({"status": "queued"}, status=202)
