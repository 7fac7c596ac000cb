"""Where the access token lives: the backend row, refreshed under a row lock.

Zoho grants at most ten access tokens per ten minutes per refresh token, so every
process (HTTP workers, job runner, crons) must share one token and refresh it one
at a time. The refresh runs in its own short transaction, committed at once, so
the others see the new token as soon as the lock is released.
"""

from datetime import UTC, datetime

from .independent_cursor import independent_env

EXPIRY_MARGIN_SECONDS = 60


class BackendTokenStore:
    """The token store a :class:`ZohoClient` asks for its access token."""

    def __init__(self, backend):
        self._env = backend.env
        self._backend_id = backend.id

    def _read(self, cr, lock=False):
        cr.execute(
            "SELECT access_token, api_domain, access_token_expires_at"
            " FROM zoho_backend WHERE id = %s" + (" FOR UPDATE" if lock else ""),
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

    def refresh(self, callback, failed_token=None):
        """Refresh through ``callback`` unless another process just did.

        :param callback: does the HTTP refresh; returns
            ``(access_token, api_domain, expires_at_epoch)``
        :param failed_token: the token Zoho just refused, if any
        :return: the token tuple to use
        """
        with independent_env(self._env) as env:
            cr = env.cr
            current = self._read(cr, lock=True)
            now = datetime.now(tz=UTC).timestamp()
            if (
                current
                and current[0] != failed_token
                and current[2] - EXPIRY_MARGIN_SECONDS > now
            ):
                return current
            token, api_domain, expires_epoch = callback()
            cr.execute(
                "UPDATE zoho_backend SET access_token = %s, api_domain = %s,"
                " access_token_expires_at = %s WHERE id = %s",
                [
                    token,
                    api_domain,
                    datetime.fromtimestamp(expires_epoch, tz=UTC).replace(tzinfo=None),
                    self._backend_id,
                ],
            )
            env["zoho.backend"].browse(self._backend_id).invalidate_recordset(
                ["access_token", "api_domain", "access_token_expires_at"]
            )
            return token, api_domain, expires_epoch
