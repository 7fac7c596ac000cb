import logging

from psycopg2.errors import LockNotAvailable

from odoo import _, fields, models
from odoo.exceptions import UserError

from odoo.addons.base.models.ir_mail_server import MailDeliveryException
from odoo.addons.queue_job.exception import RetryableJobError

_logger = logging.getLogger(__name__)

SEND_STATES = [
    ("queued", "Queued"),
    ("retrying", "Failed, retrying"),
    ("sent", "Sent"),
]


class AccountMove(models.Model):
    _inherit = "account.move"

    o2c_send_state = fields.Selection(
        SEND_STATES,
        string="E-mail on completion",
        readonly=True,
        copy=False,
        tracking=True,
    )
    o2c_send_error = fields.Text("Last e-mail error", readonly=True, copy=False)
    o2c_send_attempts = fields.Integer("E-mail attempts", readonly=True, copy=False)

    def _queue_o2c_send(self):
        """Queue the e-mail of posted customer invoices (after commit)."""
        for move in self.filtered(
            lambda m: m.is_sale_document() and m.state == "posted"
        ):
            move.o2c_send_state = "queued"
            # the e-mail's portal link carries the access token: create it now,
            # committed with the posting, so that the sending job (which hands
            # the mail to SMTP before its own commit) never links a token that
            # is not in the database yet, or one that a rollback takes back
            move._portal_ensure_token()
            move.with_delay(
                description=_("E-mail invoice %s", move.name)
            )._job_send_invoice()

    def _job_send_invoice(self):
        """queue_job body: send the invoice with Odoo's invoice sending.

        ``account.move.send`` renders the PDF (wkhtmltopdf) and posts the stock
        template ``account.email_template_edi_invoice``; we then hand the e-mail
        to the SMTP server here, so a failure is retried instead of staying in
        the mail queue.

        :raises RetryableJobError: the mail server or the PDF rendering failed
        """
        self.ensure_one()
        try:
            # a savepoint: on failure its row locks go too, so the failure can
            # be written from another transaction before the retry
            with self.env.cr.savepoint():
                self._o2c_lock_for_sending()
                if self.o2c_send_state == "sent":
                    return _("%s: already sent", self.name)
                mails = self._o2c_send_by_email()
        except (UserError, MailDeliveryException, OSError) as exc:
            error = str(exc.args[0] if exc.args else exc)
            if isinstance(exc, MailDeliveryException) and len(exc.args) > 1:
                error = f"{exc.args[0]}: {exc.args[1]}"
            self._o2c_record_send_failure(error)
            raise RetryableJobError(
                _(
                    "Sending %(invoice)s failed: %(error)s",
                    invoice=self.name,
                    error=error,
                )
            ) from exc
        self.write(
            {
                "o2c_send_state": "sent",
                "o2c_send_error": False,
                "o2c_send_attempts": self.o2c_send_attempts + 1,
            }
        )
        return _(
            "%(invoice)s: sent (mail %(mails)s)",
            invoice=self.name,
            mails=", ".join(str(mail_id) for mail_id in mails.ids),
        )

    def _o2c_lock_for_sending(self):
        try:
            self.env.cr.execute(
                "SELECT id FROM account_move WHERE id = %s FOR UPDATE NOWAIT",
                [self.id],
            )
        except LockNotAvailable as exc:
            raise RetryableJobError(_("Invoice locked by another job."), 5) from exc
        self.invalidate_recordset(["o2c_send_state"])

    def _o2c_send_by_email(self):
        """Send through ``account.move.send``; deliver the resulting mails now.

        :return: the ``mail.mail`` sent
        :raises UserError: rendering or SMTP delivery failed
        """
        self.ensure_one()
        if not self.partner_id.email:
            raise UserError(_("%s has no e-mail address.", self.partner_id.name))
        Mail = self.env["mail.mail"].sudo()
        last_mail = Mail.search([], order="id desc", limit=1).id or 0
        # the e-mail is sent below, where a failure can be caught and retried
        self.env["account.move.send"]._generate_and_send_invoices(
            self.with_context(mail_notify_force_send=False), sending_methods={"email"}
        )
        mails = Mail.search(
            [
                ("id", ">", last_mail),
                ("model", "=", self._name),
                ("res_id", "=", self.id),
                ("state", "=", "outgoing"),
            ]
        )
        if not mails:
            raise UserError(_("Odoo's invoice sending produced no e-mail."))
        try:
            mails.send(raise_exception=True)
        except OSError as exc:
            # Odoo ends the SMTP session with a QUIT in a `finally`: a server
            # that hangs up after accepting the message fails the QUIT, not the
            # delivery. Sent mails are deleted (auto-delete) or marked sent;
            # retrying those would e-mail the customer twice.
            if mails.exists().filtered(lambda mail: mail.state != "sent"):
                raise
            _logger.info(
                "%s: e-mail delivered, then the SMTP server hung up: %s", self.name, exc
            )
        failed = mails.exists().filtered(lambda mail: mail.state == "exception")
        if failed:
            raise UserError(failed[:1].failure_reason or _("The e-mail was refused."))
        return mails

    def _o2c_record_send_failure(self, error):
        """Make the failure visible on the invoice and its order, in its own
        transaction (the job's is rolled back for the retry)."""
        with self.env.registry.cursor() as cr:
            move = self.with_env(self.env(cr=cr, su=True))
            move.write(
                {
                    "o2c_send_state": "retrying",
                    "o2c_send_error": error,
                    "o2c_send_attempts": move.o2c_send_attempts + 1,
                }
            )
            body = _(
                "Sending invoice %(invoice)s failed, retrying: %(error)s",
                invoice=move.name,
                error=error,
            )
            move.message_post(body=body)
            move.line_ids.sale_line_ids.order_id.message_post(body=body)

    def action_o2c_retry_send(self):
        failed = self.filtered(lambda move: move.o2c_send_state != "sent")
        failed._queue_o2c_send()
        return True
