import json

from odoo import http
from odoo.http import request


class BenchBaselineController(http.Controller):
    @http.route(
        "/o2c_bench/insert",
        type="http",
        methods=["POST"],
        auth="public",
        csrf=False,
        save_session=False,
    )
    def insert(self, **_kwargs):
        """What any Odoo route costs: routing, a cursor, one INSERT, a JSON answer."""
        body = request.httprequest.get_data(cache=False)
        request.env.cr.execute(
            "INSERT INTO o2c_bench_row (payload, create_date)"
            " VALUES (%s, now()) RETURNING id",
            [body.decode("utf-8", "replace")],
        )
        row_id = request.env.cr.fetchone()[0]
        return request.make_response(
            json.dumps({"id": row_id}),
            headers=[("Content-Type", "application/json")],
            status=202,
        )
