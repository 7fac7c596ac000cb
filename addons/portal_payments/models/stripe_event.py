from odoo import fields, models


class PortalPaymentsStripeEvent(models.Model):
    """One Stripe webhook event received: a repeated event id is a no-op."""

    _name = "portal.payments.stripe.event"
    _description = "Stripe webhook event"
    _order = "id desc"
    _rec_name = "event_id"

    event_id = fields.Char(required=True, readonly=True, index=True)
    event_type = fields.Char(required=True, readonly=True)
    provider_id = fields.Many2one("payment.provider", readonly=True, ondelete="cascade")
    livemode = fields.Boolean(readonly=True)
    object_id = fields.Char(readonly=True, help="Id of the Stripe object concerned.")

    _sql_constraints = [
        (
            "event_id_unique",
            "UNIQUE(event_id)",
            "This Stripe event is already recorded.",
        )
    ]

    def _record(self, event, provider):
        """Record ``event`` once; return True when it is new.

        Concurrent deliveries of the same event race on the unique key: the
        loser inserts nothing and gets False (INSERT ... ON CONFLICT DO NOTHING).

        :param dict event: the Stripe event
        :param provider: the ``payment.provider`` that verified it
        :rtype: bool
        """
        self.env.cr.execute(
            """
            INSERT INTO portal_payments_stripe_event
                (event_id, event_type, provider_id, livemode, object_id,
                 create_uid, create_date, write_uid, write_date)
            VALUES (%s, %s, %s, %s, %s, %s, now() at time zone 'UTC',
                    %s, now() at time zone 'UTC')
            ON CONFLICT (event_id) DO NOTHING
            RETURNING id
            """,
            (
                event["id"],
                event.get("type") or "",
                provider.id,
                bool(event.get("livemode")),
                ((event.get("data") or {}).get("object") or {}).get("id"),
                self.env.uid,
                self.env.uid,
            ),
        )
        return bool(self.env.cr.fetchone())
