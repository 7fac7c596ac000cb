"""Where the access token lives: one row per backend, refreshed under a row lock.

Zoho grants at most ten access tokens per ten minutes per refresh token, so every
process (HTTP workers, job runner, crons) must share one token and refresh it one
at a time. The refresh runs in its own short transaction, committed at once, so
the others see the new token as soon as the lock is released.

The token has a table of its own: a long job that references the backend (its
bindings, its run log) must not collide with a refresh updating that row.
"""

from datetime import UTC, datetime

from odoo import fields, models

from .independent_cursor import independent_env

EXPIRY_MARGIN_SECONDS = 60


class ZohoBackendToken(models.Model):
    _name = "zoho.backend.token"
    _description = "Zoho access token"

    backend_id = fields.Many2one(
        "zoho.backend", required=True, ondelete="cascade", index=True
    )
    access_token = fields.Char()
    api_domain = fields.Char()
    expires_at = fields.Datetime()

    _sql_constraints = [
        ("backend_unique", "UNIQUE(backend_id)", "One token per Zoho backend."),
    ]


class BackendTokenStore:
    """The token store a :class:`ZohoClient` asks for its access token."""

    def __init__(self, backend):
        self._env = backend.env
        self._backend_id = backend.id

    def _read(self, cr):
        cr.execute(
            "SELECT access_token, api_domain, expires_at FROM zoho_backend_token"
            " WHERE backend_id = %s",
            [self._backend_id],
        )
        row = cr.fetchone()
        if not row or not row[0]:
            return None
        token, api_domain, expires_at = row
        expires_epoch = expires_at.replace(tzinfo=UTC).timestamp() if expires_at else 0
        return token, api_domain, expires_epoch

    def get(self):
        """:return: ``(access_token, api_domain, expires_at_epoch)`` or None."""
        with independent_env(self._env) as env:
            return self._read(env.cr)

    def save(self, cr, token, api_domain, expires_epoch):
        cr.execute(
            "INSERT INTO zoho_backend_token"
            " (backend_id, access_token, api_domain, expires_at, write_date)"
            " VALUES (%s, %s, %s, %s, now() at time zone 'UTC')"
            " ON CONFLICT (backend_id) DO UPDATE"
            " SET access_token = EXCLUDED.access_token,"
            " api_domain = EXCLUDED.api_domain, expires_at = EXCLUDED.expires_at,"
            " write_date = EXCLUDED.write_date",
            [
                self._backend_id,
                token,
                api_domain,
                datetime.fromtimestamp(expires_epoch, tz=UTC).replace(tzinfo=None),
            ],
        )

    def refresh(self, callback, failed_token=None):
        """Refresh through ``callback`` unless another process just did.

        :param callback: does the HTTP refresh; returns
            ``(access_token, api_domain, expires_at_epoch)``
        :param failed_token: the token Zoho just refused, if any
        :return: the token tuple to use
        """
        with independent_env(self._env) as env:
            cr = env.cr
            # one refresh at a time per backend, even before its first token
            # exists. READ COMMITTED (its own transaction, not started yet): after
            # waiting for the lock, the token another process has just saved is
            # read and used. A REPEATABLE READ snapshot would date from before
            # the wait: a second refresh, then a serialization failure on save.
            lock = "SELECT pg_advisory_xact_lock(hashtext('zoho_backend_token'), %s)"
            if not env.registry.in_test_mode():
                lock = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED; " + lock
            cr.execute(lock, [self._backend_id])
            current = self._read(cr)
            now = datetime.now(tz=UTC).timestamp()
            if (
                current
                and current[0] != failed_token
                and current[2] - EXPIRY_MARGIN_SECONDS > now
            ):
                return current
            token, api_domain, expires_epoch = callback()
            self.save(cr, token, api_domain, expires_epoch)
            env["zoho.backend.token"].invalidate_model()
            return token, api_domain, expires_epoch

    def forget(self):
        """Drop the stored access token (after a new grant or a revocation)."""
        with independent_env(self._env) as env:
            env.cr.execute(
                "DELETE FROM zoho_backend_token WHERE backend_id = %s",
                [self._backend_id],
            )
