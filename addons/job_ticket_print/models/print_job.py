import logging
import re

from psycopg2.errors import LockNotAvailable

from odoo import _, api, fields, models
from odoo.tools import format_date, html2plaintext

from odoo.addons.queue_job.exception import RetryableJobError

from ..ticket.content import Ticket, TicketLine
from ..ticket.errors import PrinterError, PrinterUnreachable

_logger = logging.getLogger(__name__)

# pg_advisory_xact_lock(PRINTER_LOCK_CLASS, printer id): one ticket at a time
# per printer, so tickets come out in order of confirmation
PRINTER_LOCK_CLASS = 7201
PRINTER_LOCK_WAIT = "10s"
DRAIN_LIMIT = 50
STATES = [
    ("pending", "Waiting"),
    ("sending", "Sent, not confirmed"),
    ("printed", "Printed"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]


class ProductionPrintJob(models.Model):
    """One job ticket of one order on one printer.

    Printing happens in a queue_job job (channel ``root.job_ticket``) after the
    confirming transaction commits. See readme/DELIVERY.md for the guarantee.
    """

    _name = "production.print.job"
    _description = "Job ticket print job"
    _order = "id desc"
    _rec_name = "order_id"

    order_id = fields.Many2one(
        "sale.order", required=True, ondelete="cascade", index=True, readonly=True
    )
    printer_id = fields.Many2one(
        "production.printer", required=True, index=True, readonly=True
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    state = fields.Selection(STATES, default="pending", required=True, readonly=True)
    waiting_reason = fields.Char(readonly=True)
    last_error = fields.Text(readonly=True)
    attempt_count = fields.Integer("Attempts", readonly=True)
    print_count = fields.Integer("Printed", readonly=True)
    sent_at = fields.Datetime(readonly=True)
    printed_at = fields.Datetime(readonly=True)
    reference = fields.Char(
        readonly=True, help="What the printer called it: CUPS job id, file, host."
    )
    request_ids = fields.One2many("production.print.request", "print_job_id")
    pending_reprint = fields.Char(
        readonly=True, help="Set by a reprint: printed on the ticket."
    )

    # ------------------------------------------------------------- enqueueing
    @api.model
    def _create_for_orders(self, orders):
        """Create the print jobs of newly confirmed ``orders`` and queue them.

        :return: the print jobs (orders without a printer get none)
        """
        jobs = self.browse()
        for order in orders:
            printer = self.env["production.printer"].sudo()._for_order(order)
            if not printer:
                continue
            job = self.sudo().create(
                {
                    "order_id": order.id,
                    "printer_id": printer.id,
                    "request_ids": [fields.Command.create({"kind": "first"})],
                }
            )
            jobs |= job
        jobs._enqueue()
        return jobs

    def _enqueue(self):
        for job in self:
            # max_retries=0: an offline printer is waited for, however long
            job.with_delay(
                max_retries=0,
                description=_("Print job ticket %s", job.order_id.name),
            )._job_print()

    def action_reprint(self, reason):
        """Print the ticket again, or join the print still waiting.

        :return: True when a new print was queued, False when it joined one
        """
        self.ensure_one()
        # two reprints (or a reprint and the print) racing: the later one loses
        # with a serialization failure and Odoo runs its call again; an expected
        # outcome, not an error for the log
        self.env.cr.execute(
            "SELECT state FROM production_print_job WHERE id = %s FOR UPDATE",
            [self.id],
            log_exceptions=False,
        )
        state = self.env.cr.fetchone()[0]
        waiting = state == "pending"
        self.invalidate_recordset(["state"])
        user = self.env.user
        self.sudo().write(
            {
                "request_ids": [
                    fields.Command.create(
                        {
                            "kind": "reprint",
                            "user_id": user.id,
                            "reason": reason,
                            "folded": waiting,
                        }
                    )
                ],
                "pending_reprint": _(
                    "Reprint by %(user)s: %(reason)s",
                    user=user.name,
                    reason=reason or "-",
                ),
            }
        )
        self.order_id.message_post(
            body=_(
                "Job ticket reprint asked by %(user)s: %(reason)s",
                user=user.name,
                reason=reason or "-",
            )
        )
        if waiting:
            return False
        self.sudo().write({"state": "pending", "waiting_reason": False})
        self._enqueue()
        return True

    # ---------------------------------------------------------------- the job
    def _job_print(self):
        """queue_job body: print this ticket, then any waiting after it.

        :return: what happened, for the job's result
        :raises RetryableJobError: printer offline, busy, or an earlier ticket of
            the same printer still waits (order of confirmation)
        """
        self.ensure_one()
        # the state is read and written in separate transactions: flush first
        self.env.flush_all()
        results = [self._print_once()]
        # the printer answered: print the next waiting tickets now, in order,
        # rather than each waiting for its own retry
        for _index in range(DRAIN_LIMIT):
            nxt = self._next_waiting()
            if not nxt or nxt == self:
                break
            try:
                results.append(nxt._print_once())
            except RetryableJobError:
                break
        return "\n".join(results)

    def _print_once(self):
        self.ensure_one()
        ticket = self._build_ticket()
        with self.env.registry.cursor() as lock_cr:
            try:
                # another job printing on this printer: wait for it a little
                lock_cr.execute("SET LOCAL lock_timeout = %s", [PRINTER_LOCK_WAIT])
                lock_cr.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)",
                    [PRINTER_LOCK_CLASS, self.printer_id.id],
                )
            except LockNotAvailable as exc:
                raise RetryableJobError(
                    _("The printer is busy with another ticket."), seconds=2
                ) from exc
            try:
                return self._claim_and_send(ticket)
            finally:
                # the lock cursor writes nothing: ending it releases the printer
                lock_cr.commit()

    def _claim_and_send(self, ticket):
        claim = self._claim()
        if claim is not True:
            return claim
        printer = self.printer_id.sudo()
        try:
            reference = printer._send_ticket(ticket, self._basename())
        except PrinterUnreachable as exc:
            self._settle("pending", error=str(exc), reason=_("Printer offline"))
            raise RetryableJobError(
                _(
                    "Printer %(printer)s offline: %(error)s",
                    printer=printer.name,
                    error=str(exc),
                )
            ) from exc
        except PrinterError as exc:
            # bytes may have gone out: at most once, so do not send again
            self._settle("sending", error=str(exc))
            return f"{self.order_id.name}: sent, not confirmed ({exc})"
        except Exception as exc:
            self._settle("failed", error=repr(exc))
            raise
        self._settle("printed", reference=reference)
        return f"{self.order_id.name}: printed ({reference})"

    def _next_waiting(self):
        """:return: the oldest waiting job of this printer, read in a fresh
        transaction (this job's own snapshot predates the prints just made)."""
        with self.env.registry.cursor() as cr:
            cr.execute(
                "SELECT id FROM production_print_job"
                " WHERE printer_id = %s AND state = 'pending' ORDER BY id LIMIT 1",
                [self.printer_id.id],
            )
            row = cr.fetchone()
        # a ticket committed after this job's snapshot is not readable here:
        # its own queued job prints it
        return self.browse(row[0]).exists() if row else self.browse()

    def _claim(self):
        """Lock the row and mark it ``sending`` in a committed transaction.

        :return: True to send now, or a message saying why not
        :raises RetryableJobError: the row is locked, or an earlier ticket waits
        """
        try:
            return self._claim_in_own_transaction()
        finally:
            self.invalidate_recordset()

    def _claim_in_own_transaction(self):
        wait_reason = None
        # the cursor commits when the block ends normally, also when we must wait
        with self.env.registry.cursor() as cr:
            env = self.env(cr=cr, su=True)
            try:
                cr.execute(
                    "SELECT state, reference FROM production_print_job"
                    " WHERE id = %s FOR UPDATE NOWAIT",
                    [self.id],
                )
            except LockNotAvailable as exc:
                raise RetryableJobError(
                    _("Another worker holds this ticket."), seconds=2
                ) from exc
            state, reference = cr.fetchone()
            job = env[self._name].browse(self.id)
            if state in ("printed", "failed", "cancelled"):
                return f"{job.order_id.name}: already {state}"
            if job.order_id.state == "cancel":
                job.write({"state": "cancelled"})
                return f"{job.order_id.name}: order cancelled"
            if state == "sending":
                if not job.printer_id._printer_says_not_printed(reference):
                    job.write({"state": "printed", "printed_at": fields.Datetime.now()})
                    return (
                        f"{job.order_id.name}: sent earlier without confirmation, "
                        "counted as printed"
                    )
            earlier = env[self._name].search(
                [
                    ("printer_id", "=", job.printer_id.id),
                    ("state", "=", "pending"),
                    ("id", "<", job.id),
                ],
                order="id",
                limit=1,
            )
            if earlier:
                wait_reason = _("Waits for %s to print first", earlier.order_id.name)
                job.write({"waiting_reason": wait_reason})
            else:
                job.write(
                    {
                        "state": "sending",
                        "attempt_count": job.attempt_count + 1,
                        "sent_at": fields.Datetime.now(),
                        "waiting_reason": False,
                    }
                )
        if wait_reason:
            raise RetryableJobError(wait_reason, seconds=5)
        return True

    def _settle(self, state, error=None, reason=None, reference=None):
        """Write the outcome in its own committed transaction (visible at once,
        kept when the job's own transaction rolls back for a retry)."""
        with self.env.registry.cursor() as cr:
            env = self.env(cr=cr, su=True)
            job = env[self._name].browse(self.id)
            values = {"state": state, "last_error": error or False}
            if reason:
                values["waiting_reason"] = reason
            if state == "printed":
                values.update(
                    printed_at=fields.Datetime.now(),
                    print_count=job.print_count + 1,
                    reference=reference,
                    waiting_reason=False,
                    pending_reprint=False,
                )
            job.write(values)
            job.printer_id._record_result(error if state != "printed" else None)
        self.invalidate_recordset()
        self.printer_id.invalidate_recordset()

    # ------------------------------------------------------------- the ticket
    def _basename(self):
        return re.sub(
            r"[^\w-]+", "_", f"{self.order_id.name}-{self.id}-{self.print_count}"
        )

    def _build_ticket(self):
        """:return: the :class:`Ticket` of this job's order."""
        order = self.order_id.sudo()
        lines, notes = [], []
        for line in order.order_line:
            if line.display_type == "line_note":
                notes.append(line.name)
                continue
            if line.display_type:
                continue
            product = line.product_id
            description = line.name or ""
            if product.default_code:
                description = description.replace(f"[{product.default_code}] ", "")
            lines.append(
                TicketLine(
                    sku=product.default_code or "",
                    description=description.splitlines()[0] if description else "",
                    quantity=f"{line.product_uom_qty:g}",
                    unit=line.product_uom.name or "",
                )
            )
        order_note = html2plaintext(order.note or "").strip()
        if order_note:
            notes.append(order_note)
        shipping = order.partner_shipping_id
        address = (
            shipping.name or shipping.commercial_partner_id.name or "",
            shipping.street or "",
            shipping.street2 or "",
            " ".join(filter(None, [shipping.zip, shipping.city])),
            shipping.country_id.name or "",
        )
        delivery = order.commitment_date or order.expected_date
        return Ticket(
            order_ref=order.name,
            shop_ref=order.client_order_ref or "",
            customer=order.partner_id.commercial_partner_id.name
            or order.partner_id.name,
            delivery_date=format_date(self.env, delivery) if delivery else "",
            delivery_address=address,
            lines=tuple(lines),
            barcode=order.name,
            qr_url=self.printer_id._qr_url(order.name),
            notes="\n".join(notes),
            internal_note=order.production_note or "",
            reprint=self.pending_reprint or "",
        )
