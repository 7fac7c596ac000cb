"""Odoo → Zoho: receivable facts on the Account, final invoices, always upserts."""

import base64
import logging

from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools import float_repr, split_every

from ..components.client import MAX_RECORDS_PER_WRITE
from ..components.errors import ZohoRecordRejected
from ..components.mapping import export_value
from .zoho_work import JOB_MAX_RETRIES

_logger = logging.getLogger(__name__)

# advisory lock (with the backend id) between postings and the receivables push
RECEIVABLES_HANDOFF_LOCK = "zoho_receivables_handoff"
# the Status of an invoice no longer posted: a value of Zoho's default Invoices
# Status picklist (Created, Approved, Delivered, Cancelled)
ZOHO_CANCELLED = "Cancelled"


class ZohoReceivablesPending(models.Model):
    """Customers whose money facts changed since they were last sent to Zoho.

    Insert-only for the postings and payments that add rows, delete-only for the
    push job that removes the rows it has read: neither ever updates a row the
    other writes, so they never collide.
    """

    _name = "zoho.receivables.pending"
    _description = "Zoho receivable facts to send"
    _log_access = False

    binding_id = fields.Many2one(
        "zoho.partner.binding", required=True, ondelete="cascade", index=True
    )


class ZohoPartnerBinding(models.Model):
    _inherit = "zoho.partner.binding"

    def _zoho_mark_receivables_dirty(self):
        """Note these Account bindings to push, and queue one push per backend."""
        accounts = self.filtered(lambda binding: binding.zoho_module == "Accounts")
        if not accounts:
            return
        for backend in accounts.backend_id:
            # held until this transaction ends: a push job that has finished
            # waits for it before it looks for rows it could not see
            self.env.cr.execute(
                "SELECT pg_advisory_xact_lock_shared(hashtext(%s), %s)",
                [RECEIVABLES_HANDOFF_LOCK, backend.id],
            )
        self.env.cr.execute(
            "INSERT INTO zoho_receivables_pending (binding_id) SELECT unnest(%s)",
            [accounts.ids],
        )
        for backend in accounts.backend_id:
            backend._zoho_enqueue_receivables()

    @api.model
    def _cron_push_receivables(self):
        """Daily: overdue days change without any posting."""
        self.search(
            [("zoho_module", "=", "Accounts"), ("backend_id.state", "=", "connected")]
        )._zoho_mark_receivables_dirty()


class ZohoBackend(models.Model):
    _inherit = "zoho.backend"

    def _zoho_enqueue_receivables(self):
        self.ensure_one()
        return (
            self.with_user(SUPERUSER_ID)
            .with_delay(
                description=self.env._("Zoho: receivable facts to %s", self.name),
                identity_key=f"zoho-receivables-{self.id}",
                max_retries=JOB_MAX_RETRIES,
            )
            ._zoho_push_receivables()
        )

    def _zoho_push_receivables(self):
        """Job: send the money facts of every flagged customer, 100 per call.

        The values are the partner fields of the active mappings owned by Odoo
        (Accounts module), so another addon adds a partner field and a mapping
        record and its value travels with the others.
        """
        self.ensure_one()
        with self._zoho_work("push_receivables") as work:
            work.lock("zoho_bindings", self.id)
            self.env.cr.execute(
                "SELECT pending.id, pending.binding_id"
                " FROM zoho_receivables_pending pending"
                " JOIN zoho_partner_binding binding ON binding.id = pending.binding_id"
                " WHERE binding.backend_id = %s",
                [self.id],
            )
            rows = self.env.cr.fetchall()
            bindings = self.env["zoho.partner.binding"].browse(
                sorted({binding_id for _id, binding_id in rows})
            )
            mappings = self._mappings("Accounts", owner="odoo")
            # the money facts are computed, not stored: read them as they are
            # now, not as an earlier push in this transaction cached them
            bindings.partner_id.invalidate_recordset()
            for batch in split_every(MAX_RECORDS_PER_WRITE, bindings):
                records = [
                    {"id": binding.zoho_id}
                    | self._zoho_export_values(binding.partner_id, mappings)
                    for binding in batch
                ]
                work.counts["read"] += len(records)
                results = work.client.upsert(
                    "Accounts", records, duplicate_check_fields=[]
                )
                done = self.env["zoho.partner.binding"]
                for binding, result in zip(batch, results, strict=True):
                    if result.get("status") == "success":
                        done |= binding
                    else:
                        details = result.get("details") or {}
                        work.reject(
                            "Accounts",
                            binding.zoho_id,
                            result.get("message") or result.get("code"),
                            details.get("api_name"),
                        )
                done.receivables_pushed_at = fields.Datetime.now()
                work.counts["updated"] += len(done)
                work.progress(note=f"{work.counts['read']} accounts")
            # a payment, an unreconciliation or a credit note moved these
            # customers' money: their invoices in Zoho say it too
            self._zoho_refresh_invoices(work, bindings.partner_id)
            # rows added meanwhile (not read) stay for the next push
            self.env.cr.execute(
                "DELETE FROM zoho_receivables_pending WHERE id = ANY(%s)",
                [[pending_id for pending_id, _binding in rows]],
            )
        self.env.cr.postcommit.add(self._zoho_receivables_handoff)
        return f"{work.counts}"

    def _zoho_receivables_handoff(self):
        """After a push committed: queue the next one for rows it did not see.

        A posting that found this job still waiting to start did not queue
        another, but its row may have been committed after this job's snapshot.
        The exclusive lock waits for every posting still in flight (they hold
        it shared until they commit); the rows are then read in a transaction
        that starts after the wait, so nothing is left without a job (a
        REPEATABLE READ snapshot is taken when the first statement starts: the
        lock's own transaction cannot see what committed while it waited).
        Postings that wait for the lock then find the push queued here, or
        none waiting, and queue one.
        """
        with self.env.registry.cursor() as lock_cr:
            lock_cr.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s), %s)",
                [RECEIVABLES_HANDOFF_LOCK, self.id],
            )
            with self.env.registry.cursor() as cr:
                cr.execute(
                    "SELECT 1 FROM zoho_receivables_pending pending"
                    " JOIN zoho_partner_binding binding"
                    " ON binding.id = pending.binding_id"
                    " WHERE binding.backend_id = %s LIMIT 1",
                    [self.id],
                )
                if cr.fetchone():
                    self.with_env(self.env(cr=cr))._zoho_enqueue_receivables()

    def _zoho_refresh_invoices(self, work, partners):
        """Send the status and balance of these customers' invoices that Zoho has,
        when they changed since they were last sent (100 per call, no PDF).

        Posted invoices say whether they are paid and what is left to pay; an
        invoice cancelled or reset to draft since Zoho got it says *Cancelled*
        with nothing to pay, until it is posted again. An invoice sent as a note
        on the Account has that note's content rewritten (``PUT /Notes``).

        The invoice push writes what it sent (``zoho_state``, ``zoho_balance``,
        ``zoho_payment_state``); an invoice whose values still match is not sent
        again, so a customer's paid invoices cost nothing on the next payment.
        """
        if not partners:
            return
        Move = self.env["account.move"]
        Move.flush_model()
        # NULL zoho_state: sent before Odoo noted it, so sent while posted
        self.env.cr.execute(
            "SELECT id FROM account_move"
            " WHERE commercial_partner_id = ANY(%s)"
            " AND move_type = 'out_invoice'"
            " AND zoho_record_id IS NOT NULL AND zoho_module IS NOT NULL"
            " AND (COALESCE(zoho_state, 'posted') IS DISTINCT FROM state"
            " OR CASE WHEN state = 'posted'"
            " THEN zoho_balance IS DISTINCT FROM amount_residual"
            " OR zoho_payment_state IS DISTINCT FROM payment_state"
            " ELSE zoho_balance IS DISTINCT FROM 0 END)"
            " ORDER BY id",
            [partners.ids],
        )
        invoices = Move.browse([row[0] for row in self.env.cr.fetchall()])
        for module in sorted(set(invoices.mapped("zoho_module"))):
            in_module = invoices.filtered(
                lambda inv, mod=module: inv.zoho_module == mod
            )
            for batch in split_every(MAX_RECORDS_PER_WRITE, in_module):
                work.counts["read"] += len(batch)
                if module == "Notes":
                    results = work.client.update_notes(
                        [invoice._zoho_invoice_note() for invoice in batch]
                    )
                else:
                    records = [
                        {"id": invoice.zoho_record_id} | invoice._zoho_invoice_payment()
                        for invoice in batch
                    ]
                    results = work.client.upsert(
                        module, records, duplicate_check_fields=[]
                    )
                for invoice, result in zip(batch, results, strict=True):
                    if result.get("status") == "success":
                        invoice._zoho_remember_sent()
                        work.counts["updated"] += 1
                    else:
                        details = result.get("details") or {}
                        work.reject(
                            module,
                            invoice.zoho_record_id,
                            result.get("message") or result.get("code"),
                            details.get("api_name"),
                        )
                work.progress(note=f"{work.counts['read']} accounts and invoices")

    def _zoho_export_values(self, partner, mappings):
        """:return: ``{zoho field: value}`` of ``partner`` for these mappings."""
        values = {}
        for mapping in mappings:
            field = mapping.odoo_field_id
            value = partner[field.name]
            if field.ttype == "many2one":
                value = value.display_name or False
            values[mapping.zoho_field] = export_value(value, field.ttype)
        return values


class AccountMove(models.Model):
    _inherit = "account.move"

    zoho_record_id = fields.Char("Zoho record", readonly=True, copy=False)
    zoho_module = fields.Char(readonly=True, copy=False)
    zoho_balance = fields.Monetary(
        "Balance in Zoho",
        currency_field="currency_id",
        readonly=True,
        copy=False,
        help="The amount due last sent to the invoice's Zoho record.",
    )
    zoho_payment_state = fields.Char(
        readonly=True,
        copy=False,
        help="The payment status last sent to the invoice's Zoho record.",
    )
    zoho_state = fields.Char(
        readonly=True,
        copy=False,
        help="The invoice's state (posted, draft, cancelled) when its Zoho record "
        "was last sent: a cancelled or reset invoice is sent as cancelled.",
    )
    zoho_pdf_stale = fields.Boolean(
        "Zoho PDF outdated",
        readonly=True,
        copy=False,
        help="The invoice was reset to draft after Zoho got its PDF: the next push "
        "replaces that PDF with the current one.",
    )

    def _zoho_reference(self):
        """The unique key of this invoice in Zoho: never two records for one."""
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")
        return f"odoo-{uuid[:8]}-{self.id}"

    def _zoho_push_invoice(self, backend_id):
        """Job: upsert this posted invoice into Zoho, with its PDF attached.

        Idempotent: the record is an upsert on our reference, the PDF is uploaded
        only when the record has no attachment of that name yet, or when the
        invoice was reset to draft since (the new PDF replaces the old one).
        """
        self.ensure_one()
        backend = self.env["zoho.backend"].browse(backend_id)
        binding = self.env["zoho.partner.binding"].search(
            [
                ("backend_id", "=", backend.id),
                ("partner_id", "=", self.commercial_partner_id.id),
                ("zoho_module", "=", "Accounts"),
            ],
            limit=1,
        )
        if not binding or self.state != "posted":
            return "nothing to push"
        with backend._zoho_work("push_invoice") as work:
            work.lock("zoho_invoice", self.id)
            client = work.client
            work.counts["read"] += 1
            module = self._zoho_invoice_module(backend, client)
            if module == "Notes":
                record_id = self._zoho_push_invoice_note(client, binding)
            else:
                record_id = self._zoho_upsert_invoice(client, module, binding)
                self._zoho_attach_pdf(client, module, record_id)
            work.counts["created" if not self.zoho_record_id else "updated"] += 1
            self.write({"zoho_record_id": record_id, "zoho_module": module})
            self._zoho_remember_sent()
        return f"{module} {record_id}"

    def _zoho_invoice_module(self, backend, client):
        if backend.invoice_target == "invoices":
            return "Invoices"
        if backend.invoice_target == "custom":
            return backend.invoice_custom_module
        if backend.invoice_target == "note":
            return "Notes"
        names = {module.get("api_name") for module in client.modules()}
        return "Invoices" if "Invoices" in names else "Notes"

    def _zoho_invoice_record(self, binding):
        record = {
            "Subject": self.name,
            "Odoo_Reference__c": self._zoho_reference(),
            "Account_Name": {"id": binding.zoho_id},
            "Invoice_Date": self.invoice_date and self.invoice_date.isoformat(),
            "Due_Date": self.invoice_date_due and self.invoice_date_due.isoformat(),
            "Sub_Total": self.amount_untaxed,
            "Tax": self.amount_tax,
            "Grand_Total": self.amount_total,
            "Currency": self.currency_id.name,
        } | self._zoho_invoice_payment()
        if self.invoice_origin:
            record["Purchase_Order"] = self.ref or self.invoice_origin
        return record

    def _zoho_invoice_payment(self):
        """:return: the invoice's Zoho fields that payments and a cancellation
        change"""
        return {
            "Status": self._zoho_invoice_status(),
            "Balance__c": self._zoho_amount_due(),
        }

    def _zoho_invoice_status(self):
        """:return: the invoice's *Status* in Zoho: ``Cancelled`` (one of the
        values of Zoho's Invoices picklist) once it is no longer a posted invoice
        (cancelled, or reset to draft and not posted again) or once its credit
        note reversed it in full, else ``Paid`` or ``Created``"""
        if self.state != "posted" or self.payment_state == "reversed":
            # a reversed invoice is cancelled by its credit note, which Zoho
            # does not get: it is void, not paid
            return ZOHO_CANCELLED
        return "Paid" if self.payment_state in ("paid", "in_payment") else "Created"

    def _zoho_amount_due(self):
        """:return: what the customer owes on this invoice: nothing unless posted"""
        return self.amount_residual if self.state == "posted" else 0.0

    def _zoho_remember_sent(self):
        """Remember what Zoho's record says, so it is sent again only when it
        changes (see ``zoho.backend._zoho_refresh_invoices``)."""
        self.write(
            {
                "zoho_state": self.state,
                "zoho_balance": self._zoho_amount_due(),
                "zoho_payment_state": self.payment_state,
            }
        )

    def _zoho_upsert_invoice(self, client, module, binding):
        results = client.upsert(
            module,
            [self._zoho_invoice_record(binding)],
            duplicate_check_fields=["Odoo_Reference__c"],
        )
        success = _raise_first_failure(results)
        return str(success["details"]["id"])

    def _zoho_attach_pdf(self, client, module, record_id):
        """Leave exactly one PDF of this invoice on its Zoho record, the current one.

        Unchanged since the last upload (a retried or repeated job): nothing is
        uploaded. Reset to draft and posted again (``zoho_pdf_stale``): the current
        PDF is uploaded first, then every older one of that name is deleted, so a
        job that stops half-way leaves at worst one PDF too many, which its retry
        removes.
        """
        filename = f"{self.name.replace('/', '_')}.pdf"
        existing = [
            item
            for item in client.list_attachments(module, record_id)
            if item.get("File_Name") == filename
        ]
        if existing and not self.zoho_pdf_stale:
            return  # a retried job: the far side has it already
        pdf = self._zoho_invoice_pdf()
        client.upload_attachment(module, record_id, filename, pdf)
        for item in existing:
            client.delete_attachment(module, record_id, item["id"])
        if self.zoho_pdf_stale:
            self.zoho_pdf_stale = False

    def _zoho_invoice_pdf(self):
        """:return: the invoice's PDF: the one sent to the customer when there is
        one, else rendered now (wkhtmltopdf). A reset to draft detaches the sent
        PDF (``account.move.button_draft``), so it is always this posting's."""
        if self.invoice_pdf_report_id:
            return base64.b64decode(self.invoice_pdf_report_id.datas)
        content, _kind = (
            self.env["ir.actions.report"]
            .sudo()
            ._render_qweb_pdf("account.account_invoices", self.ids)
        )
        return content

    def _zoho_push_invoice_note(self, client, binding):
        """The invoice as a note on its Account (orgs without Invoices module).

        Found by its title (a retried job adds no second note); its content is
        rewritten when it no longer says what the invoice says (posted again with
        other amounts), else nothing is sent.
        """
        note = self._zoho_invoice_note()
        for existing in client.list_notes("Accounts", binding.zoho_id):
            if existing.get("Note_Title") == note["Note_Title"]:
                if existing.get("Note_Content") != note["Note_Content"]:
                    _raise_first_failure(
                        client.update_notes([note | {"id": str(existing["id"])}])
                    )
                return str(existing["id"])
        return str(
            client.add_note(
                "Accounts", binding.zoho_id, note["Note_Title"], note["Note_Content"]
            )
        )

    def _zoho_invoice_note(self):
        """:return: the invoice's note (``id`` when Zoho has it, ``Note_Title``,
        ``Note_Content``): its amounts, then where it stands (status, amount due)"""
        self.ensure_one()
        currency = self.currency_id
        if self.state == "draft":
            status = self.env._(
                "Cancelled (reset to draft in Odoo: not valid until posted again)"
            )
        else:
            status = self._zoho_invoice_status()
        content = self.env._(
            "%(name)s dated %(date)s, due %(due)s: %(total)s %(cur)s "
            "(reference %(ref)s). Status: %(status)s; amount due: %(balance)s %(cur)s",
            name=self.name,
            date=self.invoice_date and self.invoice_date.isoformat(),
            due=self.invoice_date_due and self.invoice_date_due.isoformat(),
            total=float_repr(self.amount_total, currency.decimal_places),
            cur=currency.name,
            ref=self._zoho_reference(),
            status=status,
            balance=float_repr(self._zoho_amount_due(), currency.decimal_places),
        )
        note = {"Note_Title": self.env._("Invoice %s", self.name)}
        note["Note_Content"] = content
        if self.zoho_module == "Notes" and self.zoho_record_id:
            note["id"] = self.zoho_record_id
        return note


def _raise_first_failure(results):
    """:return: the first success of a per-record result list.

    :raises ZohoRecordRejected: for a record Zoho refused (logged on the job)
    """
    for result in results:
        if result.get("status") != "success":
            raise ZohoRecordRejected(
                result.get("message") or "record rejected",
                code=result.get("code"),
                details=result.get("details"),
            )
    return results[0] if results else {}
