import logging

from odoo import api, fields, models

_logger = logging.getLogger(__name__)


class PortalPaymentsReminderLevel(models.Model):
    """A step of the reminder schedule, relative to the invoice due date."""

    _name = "portal.payments.reminder.level"
    _description = "Payment reminder level"
    _order = "days, id"

    name = fields.Char(required=True, translate=True)
    days = fields.Integer(
        required=True,
        help="Days after the due date (negative: before it) when the reminder "
        "goes out.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        required=True,
        domain=[("model", "=", "account.move")],
        default=lambda self: self.env.ref(
            "portal_payments.mail_template_payment_reminder", raise_if_not_found=False
        ),
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("days_unique", "UNIQUE(days)", "Two reminder levels cannot share a day.")
    ]


class PortalPaymentsReminder(models.Model):
    """One reminder sent: at most one per invoice and level (DB unique key)."""

    _name = "portal.payments.reminder"
    _inherit = ["portal.payments.claim.mixin"]
    _description = "Payment reminder sent"
    _order = "id desc"

    move_id = fields.Many2one(
        "account.move", required=True, ondelete="cascade", index=True, readonly=True
    )
    partner_id = fields.Many2one(related="move_id.commercial_partner_id", store=True)
    level_id = fields.Many2one(
        "portal.payments.reminder.level",
        required=True,
        ondelete="restrict",
        readonly=True,
    )
    sent_on = fields.Date(required=True, readonly=True)

    _sql_constraints = [
        (
            "move_level_unique",
            "UNIQUE(move_id, level_id)",
            "This reminder was already sent for this invoice.",
        )
    ]

    @api.model
    def _reminder_candidates(self, today):
        """Open invoices that may get a reminder today (before levels are applied)."""
        return self.env["account.move"].search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "!=", False),
                ("commercial_partner_id.portal_reminders_paused", "=", False),
                ("commercial_partner_id.portal_autopay_state", "!=", "enrolled"),
            ]
        )

    @api.model
    def _cron_send_reminders(self, today=None):
        """Send each open invoice the most advanced reminder level it reached.

        Skips invoices paid or with a payment processing, customers with
        reminders paused or on autopay. A level below one already sent is never
        sent afterwards. Each send is claimed by inserting its unique row first,
        so two runs never send the same reminder twice.

        :return: the reminders sent
        """
        today = today or fields.Date.context_today(self)
        levels = self.env["portal.payments.reminder.level"].search([])
        sent = self.browse()
        if not levels:
            return sent
        for invoice in self._reminder_candidates(today):
            if invoice.portal_payment_status not in ("open", "partial"):
                continue  # processing: the money is on its way
            overdue_days = (today - invoice.invoice_date_due).days
            reached = levels.filtered(lambda level, d=overdue_days: level.days <= d)
            if not reached:
                continue
            level = reached[-1]
            done = self.search([("move_id", "=", invoice.id)]).level_id
            if any(prior.days >= level.days for prior in done):
                continue
            reminder = self._claim(
                {"move_id": invoice.id, "level_id": level.id, "sent_on": today}
            )
            if reminder:
                reminder._send()
                sent |= reminder
        return sent

    def _send(self):
        for reminder in self:
            invoice = reminder.move_id
            invoice.message_post_with_source(
                reminder.level_id.mail_template_id,
                subtype_xmlid="mail.mt_comment",
                partner_ids=invoice.commercial_partner_id.ids,
            )
            invoice.commercial_partner_id.message_post(
                body=self.env._(
                    "Payment reminder “%(level)s” sent for %(invoice)s.",
                    level=reminder.level_id.name,
                    invoice=invoice.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
