"""Counters several jobs update at once, each in a small table of its own.

API credits are booked per backend and day with one atomic ``UPDATE`` in a short
READ COMMITTED transaction of their own, committed before the call is sent: two
jobs running side by side can never together spend more than the day's budget,
and a call that fails still counts (Zoho charges it too). The backend row itself
is never written by a running job, so nothing holds it locked while Zoho is
being talked to.
"""

from odoo import api, fields, models


class ZohoCreditUsage(models.Model):
    _name = "zoho.credit.usage"
    _description = "Zoho API credits used per day"
    _order = "day desc"

    backend_id = fields.Many2one(
        "zoho.backend", required=True, ondelete="cascade", index=True
    )
    day = fields.Date(required=True)
    used = fields.Integer(readonly=True)

    _sql_constraints = [
        ("backend_day_unique", "UNIQUE(backend_id, day)", "One counter per day."),
    ]

    @api.model
    def _used_today(self, backend_ids):
        """:return: ``{backend_id: credits used today}``."""
        self.env.cr.execute(
            "SELECT backend_id, used FROM zoho_credit_usage"
            " WHERE backend_id = ANY(%s) AND day = %s",
            [list(backend_ids), fields.Date.today()],
        )
        return dict(self.env.cr.fetchall())


class CreditMeter:
    """``meter(cost) -> bool``: book ``cost`` credits today unless over budget."""

    def __init__(self, backend):
        self._env = backend.env
        self._backend_id = backend.id
        self._budget = backend.sudo().daily_credit_budget or 0

    def __call__(self, cost):
        registry = self._env.registry
        if registry.in_test_mode():
            return self._book(self._env.cr, cost)
        with registry.cursor() as cr:
            # READ COMMITTED: a concurrent booking is waited for and re-checked
            # instead of failing this one with a serialization error
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            return self._book(cr, cost)

    def _book(self, cr, cost):
        day = fields.Date.today()
        cr.execute(
            "INSERT INTO zoho_credit_usage"
            " (backend_id, day, used, create_date, write_date)"
            " VALUES (%s, %s, 0, now() at time zone 'UTC', now() at time zone 'UTC')"
            " ON CONFLICT (backend_id, day) DO NOTHING",
            [self._backend_id, day],
        )
        cr.execute(
            "UPDATE zoho_credit_usage SET used = used + %(cost)s,"
            " write_date = now() at time zone 'UTC'"
            " WHERE backend_id = %(backend)s AND day = %(day)s"
            " AND (%(budget)s = 0 OR used + %(cost)s <= %(budget)s)"
            " RETURNING used",
            {
                "cost": cost,
                "backend": self._backend_id,
                "day": day,
                "budget": self._budget,
            },
        )
        return bool(cr.fetchone())


class ZohoSyncCursor(models.Model):
    """How far the incremental pull of one module has read (Zoho's Modified_Time).

    Written by the pull job in its own transaction, with the records it pulled:
    if the job fails, neither the records nor the cursor move.
    """

    _name = "zoho.sync.cursor"
    _description = "Zoho pull cursor"

    backend_id = fields.Many2one(
        "zoho.backend", required=True, ondelete="cascade", index=True
    )
    zoho_module = fields.Char(required=True)
    synced_until = fields.Datetime()

    _sql_constraints = [
        (
            "backend_module_unique",
            "UNIQUE(backend_id, zoho_module)",
            "One cursor per module.",
        ),
    ]

    @api.model
    def _get(self, backend, module):
        return self.search(
            [("backend_id", "=", backend.id), ("zoho_module", "=", module)], limit=1
        ).synced_until

    @api.model
    def _set(self, backend, module, moment):
        self.env.cr.execute(
            "INSERT INTO zoho_sync_cursor"
            " (backend_id, zoho_module, synced_until, create_date, write_date)"
            " VALUES (%s, %s, %s, now() at time zone 'UTC', now() at time zone 'UTC')"
            " ON CONFLICT (backend_id, zoho_module) DO UPDATE"
            " SET synced_until = EXCLUDED.synced_until,"
            " write_date = EXCLUDED.write_date",
            [backend.id, module, moment],
        )
        self.invalidate_model(["synced_until"])
