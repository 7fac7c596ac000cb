"""Near real time: Zoho's notification channel (watch) feeding the pull."""

import secrets
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import RetryableJobError

from .zoho_work import JOB_MAX_RETRIES

CHANNEL_LIFETIME = timedelta(days=1)
NOTIFY_PATH = "/zoho/notify"
WATCHED_EVENTS = ["Accounts.all", "Contacts.all"]


class ZohoBackend(models.Model):
    _inherit = "zoho.backend"

    def _notify_url(self):
        base = self.notify_base_url or self.env["ir.config_parameter"].sudo().get_param(
            "web.base.url"
        )
        return base.rstrip("/") + NOTIFY_PATH

    def action_enable_notifications(self):
        for backend in self:
            try:
                backend._zoho_enable_watch()
            except RetryableJobError as exc:
                raise UserError(
                    self.env._("Zoho is busy (%s); try again in a minute.", exc)
                ) from exc
        return True

    def _zoho_enable_watch(self):
        """Open (or renew) the channel; Zoho calls us with the ids that changed."""
        self.ensure_one()
        backend = self.sudo()
        channel_id = backend.channel_id or str(
            int.from_bytes(secrets.token_bytes(6), "big")
        )
        token = backend.channel_token or secrets.token_urlsafe(24)
        expires_at = fields.Datetime.now() + CHANNEL_LIFETIME
        with self._zoho_work("watch") as work:
            work.client.enable_watch(
                channel_id,
                WATCHED_EVENTS,
                token,
                self._notify_url(),
                expires_at,
            )
            work.counts["updated"] += 1
        backend.write(
            {
                "channel_id": channel_id,
                "channel_token": token,
                "channel_expires_at": expires_at,
            }
        )
        return True

    @api.model
    def _cron_renew_channels(self):
        soon = fields.Datetime.now() + timedelta(hours=6)
        for backend in self.search(
            [
                ("state", "=", "connected"),
                ("channel_id", "!=", False),
                ("channel_expires_at", "<", soon),
            ]
        ):
            backend.with_delay(
                identity_key=f"zoho-watch-{backend.id}",
                max_retries=JOB_MAX_RETRIES,
            )._zoho_enable_watch()

    @api.model
    def _zoho_receive_notification(self, payload):
        """Check the channel token, then queue a pull of the notified ids.

        :return: True when accepted
        """
        channel_id = str(payload.get("channel_id") or "")
        token = payload.get("token") or ""
        backend = self.sudo().search([("channel_id", "=", channel_id)], limit=1)
        if (
            not channel_id
            or not backend
            or not secrets.compare_digest(backend.channel_token or "", str(token))
        ):
            return False
        module = payload.get("module")
        ids = [str(zoho_id) for zoho_id in payload.get("ids") or []]
        if module not in ("Accounts", "Contacts") or not ids:
            return True
        backend.with_user(SUPERUSER_ID).with_delay(
            description=f"Zoho: {payload.get('operation', 'change')} of {module}",
            max_retries=JOB_MAX_RETRIES,
        )._zoho_pull_ids(module, ids)
        return True
